// "Are you sure?" in the page's own dialog (window.confirm is blocked or ugly in some phone
// browsers and installed web apps, and cannot say what the button will do).

/** Resolves true if the person chose `yes` (the label of the button that does it). */
export function confirmAction(question, yes = "Delete") {
  const dialog = document.getElementById("confirm-dialog");
  document.getElementById("confirm-text").textContent = question;
  document.getElementById("confirm-yes").textContent = yes;
  dialog.returnValue = "";
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "yes"), { once: true });
    dialog.showModal();
  });
}
