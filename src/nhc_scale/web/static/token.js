// The admin token. Anyone on the Wi-Fi may watch; changing anything on the scale (tare, sessions,
// athletes) needs the token that `nhc-scale doctor` prints on the scale and the scale's log
// shows. The person types it once; the phone remembers it once the scale has taken it. Asking only when the server answers 401 keeps a scale without a token
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

const FIRST_ASK = "Changing things on the scale (tare, sessions, athletes) needs its admin token.";
const WRONG = "That is not the scale's admin token: check it and type it again.";
const STALE = "The token this phone remembered is not the scale's any more: type the current one.";

/** Shows the token dialog saying `reason`; resolves to the typed token, or "" if cancelled. */
function askForToken(reason) {
  const dialog = document.getElementById("token-dialog");
  const input = document.getElementById("token-input");
  document.getElementById("token-reason").textContent = reason;
  input.value = "";
  dialog.returnValue = "";
  return new Promise((resolve) => {
    dialog.addEventListener(
      "close",
      () => resolve(dialog.returnValue === "save" ? input.value.trim() : ""),
      { once: true },
    );
    dialog.showModal();
    input.focus();
  });
}

/** A wrong token's answer may say how long this phone must wait: keep that part. */
function wrongTokenReason(error) {
  const wait = /This address must wait (\d+) s/.exec(error.message);
  return wait ? `${WRONG} After several wrong tokens this phone must wait ${wait[1]} s.` : WRONG;
}

/**
 * Runs a change; if the server wants the token, asks for it (again while it is wrong) and tries
 * once more with what was typed. A token is remembered only once the scale took it: a wrong one
 * is never saved. Cancelling, or a lockout (429), ends with an error saying nothing changed.
 */
export async function withAdmin(action) {
  let reason;
  try {
    return await action(storedToken());
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) throw error;
    reason = storedToken() ? STALE : FIRST_ASK;
  }
  for (;;) {
    const token = await askForToken(reason);
    if (!token) throw new ApiError("Nothing changed: that needs the admin token.", 401);
    try {
      const result = await action(token);
      storeToken(token);
      return result;
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) {
        // The token was checked before anything else: any refusal but 401/429 means it is right.
        if (error instanceof ApiError && error.status !== 429 && error.status !== 0) storeToken(token);
        throw error;
      }
      reason = wrongTokenReason(error);
    }
  }
}
