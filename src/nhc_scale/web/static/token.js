// The admin token. Anyone on the Wi-Fi may watch; changing anything (tare, sessions, settings)
// needs the token that `nhc-scale doctor` prints on the scale. The person types it once; the
// phone remembers it. Asking only when the server answers 401 keeps a scale without a token
// (or one that stops requiring it) free of any prompt.

import { ApiError } from "./api.js";

const STORAGE_KEY = "nhc-scale.admin-token";

export function storedToken() {
  try {
    return localStorage.getItem(STORAGE_KEY) || "";
  } catch {
    return ""; // storage disabled (private mode): the user is asked each time
  }
}

function storeToken(token) {
  try {
    localStorage.setItem(STORAGE_KEY, token);
  } catch {
    // Not remembered; still used for this request.
  }
}

/** `/#token=...` (a link or QR code next to the token) stores it and cleans the address bar. */
export function takeTokenFromAddress() {
  const match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (!match) return;
  storeToken(decodeURIComponent(match[1]).trim());
  window.history.replaceState(null, "", window.location.pathname + window.location.search);
}

/** Shows the token dialog with the server's reason; resolves to the token, or "" if cancelled. */
function askForToken(reason) {
  const dialog = document.getElementById("token-dialog");
  const input = document.getElementById("token-input");
  document.getElementById("token-reason").textContent = reason;
  input.value = storedToken();
  return new Promise((resolve) => {
    dialog.addEventListener(
      "close",
      () => {
        const token = dialog.returnValue === "save" ? input.value.trim() : "";
        if (token) storeToken(token);
        resolve(token);
      },
      { once: true },
    );
    dialog.showModal();
    input.select();
  });
}

/** Runs a change; if the server wants the token, asks for it once and tries again. */
export async function withAdmin(action) {
  try {
    return await action(storedToken());
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) throw error;
    const token = await askForToken(error.message);
    if (!token) throw new ApiError("Nothing changed: that needs the admin token.", 401);
    return action(token);
  }
}
