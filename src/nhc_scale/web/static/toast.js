// Feedback for whatever the person just did, on screen wherever they are: a box fixed at the
// bottom of the screen (over the page, never pushed below it, never drawn over other text), with
// a plain sentence, an optional smaller line of details and an optional action ("Tare anyway").
// It goes after a while, or when closed.

const $ = (id) => document.getElementById(id);
const SHOW_MS = 8000;
const SHOW_WITH_ACTION_MS = 20000; // a choice to make stays longer

let timer = null;
let actionHandler = null;

/**
 * @param {string} text the sentence
 * @param {"ok"|"error"|"info"} kind
 * @param {{details?: string, action?: {label: string, run: Function}, sticky?: boolean}} extra
 *   `sticky`: stays until replaced or closed (a countdown that updates it)
 */
export function showToast(text, kind = "info", { details = "", action = null, sticky = false } = {}) {
  const toast = $("toast");
  $("toast-text").textContent = text;
  $("toast-details").textContent = details;
  $("toast-details").hidden = !details;
  const button = $("toast-action");
  button.hidden = !action;
  actionHandler = action ? action.run : null;
  if (action) button.textContent = action.label;
  toast.dataset.kind = kind;
  toast.hidden = false;
  clearTimeout(timer);
  if (!sticky) timer = setTimeout(hideToast, action ? SHOW_WITH_ACTION_MS : SHOW_MS);
}

export function hideToast() {
  clearTimeout(timer);
  $("toast").hidden = true;
  actionHandler = null;
}

export function setUpToast() {
  $("toast-close").addEventListener("click", hideToast);
  $("toast-action").addEventListener("click", () => {
    const run = actionHandler;
    hideToast();
    if (run) run();
  });
}
