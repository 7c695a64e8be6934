// Pads and their sync state, pairing (the token is shown once) and revoking.

import { api } from "./api.js";
import { cell, moment } from "./format.js";

const $ = (id) => document.getElementById(id);

function state(pad) {
  if (pad.revoked) return "revoked";
  if (!pad.last_seen_at) return "never seen";
  return pad.last_error ? `error: ${pad.last_error}` : "syncing";
}

function row(pad, onChange) {
  const tr = document.createElement("tr");
  tr.dataset.testid = "pad-row";
  const action = document.createElement("td");
  if (!pad.revoked) {
    const revoke = document.createElement("button");
    revoke.type = "button";
    revoke.className = "button button-danger";
    revoke.textContent = "Revoke";
    revoke.addEventListener("click", async () => {
      if (!window.confirm(`Revoke ${pad.name}? Its token stops working at once; its sessions stay.`)) return;
      await api.revoke(pad.id);
      await onChange();
    });
    action.append(revoke);
  }
  const queued = pad.queued_sessions === null ? "?" : String(pad.queued_sessions);
  tr.append(
    cell(pad.name, { testid: "pad-name" }),
    cell(state(pad), { testid: "pad-state" }),
    cell(moment(pad.last_seen_at)),
    cell(moment(pad.last_sync_at)),
    cell(pad.rejected_sessions ? `${queued} (+${pad.rejected_sessions} refused)` : queued, { testid: "pad-queued" }),
    cell(String(pad.session_count), { testid: "pad-sessions" }),
    cell(pad.version ?? "–"),
    action,
  );
  return tr;
}

export async function showPads() {
  const data = await api.pads();
  $("pad-rows").replaceChildren(...data.pads.map((pad) => row(pad, showPads)));
}

export function wirePairing(report) {
  $("pair-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = new FormData(event.target).get("name").trim();
    try {
      const paired = await api.pair(name);
      $("pair-token").textContent = paired.token;
      $("pair-url").textContent = window.location.origin;
      $("pair-result").hidden = false;
      event.target.reset();
      await showPads();
    } catch (error) {
      report(error);
    }
  });
}
