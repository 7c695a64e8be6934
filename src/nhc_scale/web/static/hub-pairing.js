// The Athletes tab's "Team hub" section: whether this pad syncs with a coach's hub, how that
// goes (sessions waiting, refused, the last error in words, the last success), and pairing:
// the hub's address and the pad token the coach got from the hub's Pads page. The pad does
// the work (GET/PUT/DELETE /api/hub, docs/api.md); this only shows it and sends the form.
// It starts itself when app.js imports it, and reads the state while the tab is on screen.

import { api } from "./api.js";
import { withAdmin } from "./token.js";

const REFRESH_MS = 5000;
const $ = (id) => document.getElementById(id);

function when(unix) {
  if (unix === null || unix === undefined) return "never";
  return new Date(unix * 1000).toLocaleString(undefined, {
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
}

function sessions(count) {
  return `${count} session${count === 1 ? "" : "s"}`;
}

/** The sync status in words. */
export function statusText(state) {
  switch (state.status) {
    case "unpaired":
      return "Not paired: sessions stay on this pad until it is.";
    case "starting":
    case "syncing":
      return "Syncing…";
    case "ok":
      return state.queued ? `Connected; ${sessions(state.queued)} to send.` : "Up to date.";
    case "error": {
      const retry = state.next_attempt_unix ? `; trying again ${when(state.next_attempt_unix)}` : "";
      return `Not reaching the hub${retry}. Sessions wait on this pad.`;
    }
    default:
      return "Stopped.";
  }
}

class HubPairing {
  constructor() {
    this.state = null;
    this.changing = false; // the form is open over a pairing
    $("hub-form").addEventListener("submit", (event) => this.pair(event));
    $("hub-change").addEventListener("click", () => this.openForm());
    $("hub-cancel").addEventListener("click", () => {
      this.changing = false;
      this.render(this.state);
    });
    $("hub-unpair").addEventListener("click", (event) => this.unpair(event.currentTarget));
    $("hub-sync-now").addEventListener("click", (event) => this.syncNow(event.currentTarget));
    $("athletes-tab").addEventListener("click", () => this.refresh());
    setInterval(() => {
      if (!$("athletes-view").hidden && document.visibilityState === "visible") this.refresh();
    }, REFRESH_MS);
    this.refresh();
  }

  say(text, kind = "error") {
    const element = $("hub-message");
    element.textContent = text;
    element.dataset.kind = kind;
  }

  async refresh() {
    try {
      this.render(await api.hubState());
    } catch (error) {
      this.say(error.message);
    }
  }

  render(state) {
    this.state = state;
    const paired = state.paired;
    const pinned = state.source === "settings";
    $("hub-where").textContent = paired ? state.hub_url : "none";
    $("hub-pad-name").textContent = state.pad_name || "–";
    $("hub-status").textContent = statusText(state);
    $("hub-status").dataset.status = state.status;
    $("hub-queued").textContent = sessions(state.queued);
    $("hub-rejected").textContent = sessions(state.rejected);
    $("hub-last-success").textContent = when(state.last_success_unix);
    const error = $("hub-error");
    error.hidden = !state.last_error;
    error.textContent = state.last_error;
    const refused = $("hub-refused");
    refused.hidden = state.refused_sessions.length === 0;
    refused.replaceChildren(
      ...state.refused_sessions.map((item) => {
        const line = document.createElement("li");
        line.textContent = `Session ${item.session_id}: ${item.reason}`;
        return line;
      }),
    );
    $("hub-pinned").hidden = !pinned;
    $("hub-form").hidden = pinned || (paired && !this.changing);
    $("hub-change").hidden = pinned || !paired || this.changing;
    $("hub-cancel").hidden = !this.changing;
    $("hub-unpair").hidden = pinned || !paired;
    $("hub-sync-now").hidden = !paired;
  }

  openForm() {
    this.changing = true;
    const form = $("hub-form");
    form.elements.hub_url.value = this.state && this.state.hub_url ? this.state.hub_url : "";
    form.elements.pad_token.value = "";
    this.render(this.state);
    form.elements.pad_token.focus();
  }

  async pair(event) {
    event.preventDefault();
    const form = event.currentTarget;
    const submit = form.querySelector("button[type=submit]");
    const hubUrl = form.elements.hub_url.value.trim();
    const padToken = form.elements.pad_token.value.trim();
    submit.disabled = true;
    this.say(`Asking the hub at ${hubUrl}…`, "ok");
    try {
      const state = await withAdmin((token) => api.pairHub(hubUrl, padToken, token));
      this.changing = false;
      form.elements.pad_token.value = "";
      this.say(`Paired: the hub knows this pad as “${state.pad_name}”.`, "ok");
      this.render(state);
    } catch (error) {
      this.say(error.message);
    } finally {
      submit.disabled = false;
    }
  }

  async unpair(button) {
    if (!window.confirm("Stop syncing with this hub? Sessions stay on the pad and wait for a new pairing.")) return;
    button.disabled = true;
    try {
      this.changing = false;
      this.render(await withAdmin((token) => api.unpairHub(token)));
      this.say("Unpaired: sessions stay on this pad.", "ok");
    } catch (error) {
      this.say(error.message);
    } finally {
      button.disabled = false;
    }
  }

  async syncNow(button) {
    button.disabled = true;
    try {
      this.render(await withAdmin((token) => api.syncHubNow(token)));
      this.say("Syncing now.", "ok");
    } catch (error) {
      this.say(error.message);
    } finally {
      button.disabled = false;
    }
  }
}

export const hubPairing = new HubPairing();
