// The history view: progress over sessions, the session list, and one session in detail (its
// trace with the reps marked, its reps, exports, rename and delete).

import { api } from "./api.js";
import { drawProgress, drawSessionTrace } from "./charts.js";
import { withAdmin } from "./token.js";
import { formatWithUnit, fromKg } from "./units.js";

const $ = (id) => document.getElementById(id);

function when(iso) {
  return new Date(iso).toLocaleString(undefined, {
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
  });
}

function sessionTitle(session) {
  return session.name || when(session.started_at);
}

export class History {
  /** @param {{unit: () => string}} deps: the display unit, read at each redraw */
  constructor({ unit }) {
    this.unit = unit;
    this.sessions = [];
    this.progress = [];
    this.selected = null; // {session, reps}
    this.trace = null;
    $("rename-button").addEventListener("click", () => this.rename());
    $("delete-button").addEventListener("click", () => this.remove());
  }

  convert = (kg) => fromKg(kg, this.unit());

  /** Called each time the tab opens: sessions and progress change while the user trains. */
  async show() {
    this.message("");
    try {
      const [{ sessions }, { points }] = await Promise.all([api.sessions(), api.progress()]);
      this.sessions = sessions;
      this.progress = points;
    } catch (error) {
      this.message(error.message);
      return;
    }
    this.renderList();
    this.redrawProgress();
    const keep = this.sessions.find((s) => this.selected && s.id === this.selected.session.id);
    const target = keep || this.sessions[0];
    if (target) await this.select(target.id);
    else $("session-detail").hidden = true;
  }

  message(text) {
    $("history-message").textContent = text;
  }

  renderList() {
    const items = this.sessions.map((session) => this.listItem(session));
    $("session-list").replaceChildren(...items);
    if (!items.length) this.message("No sessions yet: one starts when you put your hands on the pad.");
  }

  listItem(session) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "session-item";
    button.dataset.sessionId = String(session.id);
    if (this.selected && this.selected.session.id === session.id) button.setAttribute("aria-current", "true");
    const title = document.createElement("span");
    title.className = "session-title";
    title.textContent = sessionTitle(session) + (session.active ? " · running" : "");
    const facts = document.createElement("span");
    facts.className = "session-facts";
    const best = session.best_min_kg === null ? "" : ` · best ${formatWithUnit(session.best_min_kg, this.unit())}`;
    facts.textContent = `${session.rep_count} reps${best}`;
    button.append(title, facts);
    button.addEventListener("click", () => this.select(session.id));
    item.append(button);
    return item;
  }

  async select(id) {
    const canvas = $("session-trace");
    $("session-detail").hidden = false; // laid out first: the trace is fetched for its width
    // Min/max decimation to about two points per device pixel keeps every peak and dip visible.
    const width = canvas.clientWidth || 360;
    const maxPoints = Math.min(4000, Math.max(400, Math.round(width * (window.devicePixelRatio || 1) * 2)));
    try {
      const [detail, trace] = await Promise.all([api.session(id), api.trace(id, maxPoints)]);
      this.selected = detail;
      this.trace = trace;
    } catch (error) {
      this.message(error.message);
      return;
    }
    for (const button of document.querySelectorAll(".session-item")) {
      const current = button.dataset.sessionId === String(id);
      if (current) button.setAttribute("aria-current", "true");
      else button.removeAttribute("aria-current");
    }
    this.renderDetail();
  }

  renderDetail() {
    const { session, reps } = this.selected;
    const id = session.id;
    $("detail-title").textContent = sessionTitle(session);
    const minutes = Math.round(session.duration_s / 60);
    const best = session.best_min_kg === null ? "no reps" : `best ${formatWithUnit(session.best_min_kg, this.unit())}`;
    const date = session.name ? `${when(session.started_at)} · ` : ""; // else the title is the date
    $("detail-summary").textContent = `${date}${minutes} min · ${session.rep_count} reps · ${best}`;
    $("detail-reps").replaceChildren(...reps.map((rep) => this.repItem(rep)));
    setDownload($("samples-link"), `/api/sessions/${id}/samples.csv`, `nhc-session-${id}-samples.csv`);
    setDownload($("reps-link"), `/api/sessions/${id}/reps.csv`, `nhc-session-${id}-reps.csv`);
    $("delete-button").disabled = session.active;
    this.redrawTrace();
  }

  repItem(rep) {
    const item = document.createElement("li");
    const note = rep.unassisted ? " · unassisted" : "";
    item.textContent = `#${rep.number} ${formatWithUnit(rep.min_assistance_kg, this.unit())}${note}`;
    return item;
  }

  redrawTrace() {
    if (!this.trace) return;
    drawSessionTrace($("session-trace"), this.trace, { convert: this.convert });
  }

  redrawProgress() {
    drawProgress($("progress-chart"), this.progress, { convert: this.convert });
  }

  /** Units changed or the phone turned: redraw what is already loaded. */
  redraw() {
    if ($("history-view").hidden) return;
    this.renderList();
    this.redrawProgress();
    if (this.selected) this.renderDetail();
  }

  async rename() {
    if (!this.selected) return;
    const { session } = this.selected;
    const name = window.prompt("Name of this session", session.name || "");
    if (name === null) return;
    try {
      const trimmed = name.trim().slice(0, 100);
      await withAdmin((token) => api.renameSession(session.id, trimmed, token));
      await this.show();
    } catch (error) {
      this.message(error.message);
    }
  }

  async remove() {
    if (!this.selected) return;
    const { session } = this.selected;
    const sure = window.confirm(
      `Delete "${sessionTitle(session)}" and its ${session.rep_count} reps? This cannot be undone.`,
    );
    if (!sure) return;
    try {
      await withAdmin((token) => api.deleteSession(session.id, token));
      this.selected = null;
      this.trace = null;
      await this.show();
    } catch (error) {
      this.message(error.message);
    }
  }
}

function setDownload(link, href, filename) {
  link.href = href;
  link.download = filename;
}
