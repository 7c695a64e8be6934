// The history view: progress over sessions, the session list, and one session in detail (its
// trace with the reps marked, its reps, exports, rename and delete).

import { api } from "./api.js";
import { drawProgress, drawSessionTrace } from "./charts.js";
import { confirmAction } from "./confirm.js";
import { bestStrengthRep, strengthLine } from "./strength.js";
import { withAdmin } from "./token.js";
import { formatWithUnit, fromKg } from "./units.js";

const $ = (id) => document.getElementById(id);
const plural = (count, word) => `${count} ${word}${count === 1 ? "" : "s"}`;

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

function day(isoDate) {
  return new Date(`${isoDate}T12:00:00Z`).toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric" });
}

/** What the forecast says, in a sentence. */
export function forecastText(progress, unit) {
  const forecast = progress.forecast;
  if (forecast.status === "reached") {
    return `Zero reached on ${day(forecast.date)}: the concentric half is unaided. Next in the tutorial: the arm positions (sides, wide, chest, prisoner, overhead), then a weight — tag the sessions with their variation.`;
  }
  if (forecast.status === "forecast") {
    const perWeek = progress.trend.slope_kg_per_week;
    const rate = unit === "kg" ? `${perWeek.toFixed(1)} kg/week` : `${(perWeek * (unit === "lb" ? 2.20462 : 9.80665)).toFixed(1)} ${unit}/week`;
    const range = forecast.earliest === forecast.latest ? "" : ` (between ${day(forecast.earliest)} and ${day(forecast.latest)})`;
    return `Zero around ${day(forecast.date)}${range}; trend ${rate}, Theil-Sen over ${plural(progress.trend.sessions, "training day")}.`;
  }
  // The chart draws the trend exactly when there is one: "not enough data" never sits beside a line.
  if (!progress.trend) return `Forecast: not enough data — ${forecast.reason}.`;
  return `No date for zero yet: ${forecast.reason}.`;
}

export class History {
  /** @param {{unit: () => string, athletes: import("./athletes.js").Athletes}} deps: the
   * display unit, read at each redraw; the shared athletes (whose progress to show) */
  constructor({ unit, athletes }) {
    this.unit = unit;
    this.athletes = athletes;
    this.sessions = [];
    this.progress = [];
    this.athleteProgress = null; // the active athlete's progress, with trend and forecast
    this.variation = "assisted";
    this.selected = null; // {session, reps}
    this.trace = null;
    this.showCalls = 0; // counts show() calls, so an overtaken one does not overwrite a newer one
    $("rename-button").addEventListener("click", () => this.rename());
    $("delete-button").addEventListener("click", () => this.remove());
    $("progress-variation").addEventListener("change", (event) => {
      this.variation = event.currentTarget.value;
      this.show();
    });
    $("detail-athlete").addEventListener("change", (event) => {
      const value = event.currentTarget.value;
      this.patchSelected({ athlete_id: value === "" ? null : Number(value) });
    });
    $("detail-variation").addEventListener("change", (event) => {
      this.patchSelected({ variation: event.currentTarget.value });
    });
  }

  convert = (kg) => fromKg(kg, this.unit());

  /** Called each time the tab opens: sessions and progress change while the user trains. */
  async show() {
    this.message("");
    const athleteId = this.athletes.activeId;
    const call = ++this.showCalls;
    try {
      const [{ sessions }, { points }, athleteProgress] = await Promise.all([
        api.sessions(),
        api.progress(),
        athleteId === null ? Promise.resolve(null) : api.athleteProgress(athleteId, this.variation),
      ]);
      // A later call (the athletes arrived or changed meanwhile) asked with newer facts: its
      // answer, not this one, is what the view shows.
      if (call !== this.showCalls) return;
      this.sessions = sessions;
      this.progress = points;
      this.athleteProgress = athleteProgress;
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

  renderProgressText() {
    const progress = this.athleteProgress;
    const name = progress ? this.athletes.name(progress.athlete_id) : "";
    $("progress-title").textContent = name ? `Progress · ${name}` : "Progress";
    $("progress-hint").textContent = `best minimum per ${progress ? "training day" : "session"}, lower is better`;
    const select = $("progress-variation");
    select.hidden = !progress;
    $("forecast").hidden = !progress;
    $("training-notes").hidden = !progress;
    if (!progress) return;
    const counts = new Map(progress.variations.map((v) => [v.id, v.session_count]));
    select.replaceChildren(
      ...this.athletes.variations.map((v) => new Option(`${v.label} (${counts.get(v.id) || 0})`, v.id)),
    );
    select.value = progress.variation;
    $("forecast").textContent = forecastText(progress, this.unit());
    $("training-notes").replaceChildren(
      ...progress.training_notes.map((note) => {
        const item = document.createElement("li");
        item.textContent = note.message;
        return item;
      }),
    );
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
    const who = this.athletes.name(session.athlete_id);
    const variation = session.variation && session.variation !== "assisted" ? ` · ${session.variation}` : "";
    facts.textContent = `${plural(session.rep_count, "rep")}${best}${who ? ` · ${who}` : ""}${variation}`;
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
    const { session, reps, summary, strength } = this.selected;
    const id = session.id;
    $("detail-title").textContent = sessionTitle(session);
    const minutes = Math.round(session.duration_s / 60);
    const length = minutes < 1 ? "under a minute" : `${minutes} min`;
    const date = session.name ? `${when(session.started_at)} · ` : ""; // else the title is the date
    let counted = "no reps";
    if (session.rep_count) {
      const sets = summary && summary.set_count ? ` · ${plural(summary.set_count, "set")}` : "";
      const many = summary && summary.set_count > 4 ? " (the tutorial advises 2-3)" : "";
      const best = session.best_min_kg === null ? "" : ` · best ${formatWithUnit(session.best_min_kg, this.unit())}`;
      counted = `${plural(session.rep_count, "rep")}${sets}${many}${best}`;
    }
    $("detail-summary").textContent = `${date}${length} · ${counted}`;
    this.renderDetailTags(session);
    $("detail-strength").textContent = strengthSummary(strength, reps);
    $("detail-strength").hidden = !strength;
    $("detail-reps").replaceChildren(...reps.map((rep) => this.repItem(rep)));
    setDownload($("samples-link"), `/api/sessions/${id}/samples.csv`, `nhc-session-${id}-samples.csv`);
    setDownload($("reps-link"), `/api/sessions/${id}/reps.csv`, `nhc-session-${id}-reps.csv`);
    $("delete-button").disabled = session.active;
    $("delete-why").textContent = session.active ? "It is being recorded: stop the session to delete it." : "";
    $("delete-why").hidden = !session.active;
    this.redrawTrace();
  }

  renderDetailTags(session) {
    const athlete = $("detail-athlete");
    athlete.replaceChildren(
      new Option("Unassigned", ""),
      ...this.athletes.list.map((a) => new Option(a.name, String(a.id))),
    );
    athlete.value = session.athlete_id === null ? "" : String(session.athlete_id);
    const variation = $("detail-variation");
    variation.replaceChildren(...this.athletes.variations.map((v) => new Option(v.label, v.id)));
    variation.value = session.variation || "assisted";
  }

  async patchSelected(changes) {
    if (!this.selected) return;
    const id = this.selected.session.id;
    try {
      await withAdmin((token) => api.patchSession(id, changes, token));
    } catch (error) {
      this.message(error.message);
    }
    await this.show();
  }

  repItem(rep) {
    const item = document.createElement("li");
    const note = rep.unassisted ? " · unassisted" : "";
    item.textContent = `#${rep.number} ${formatWithUnit(rep.min_assistance_kg, this.unit())}${note}`;
    item.dataset.repNumber = String(rep.number);
    if (rep.hands_moved) {
      item.classList.add("has-note");
      const moved = document.createElement("span");
      moved.className = "rep-hands-moved";
      moved.dataset.testid = "hands-moved";
      moved.textContent = HANDS_MOVED;
      item.append(moved);
    }
    const strength = strengthLine(rep);
    if (strength) {
      item.classList.add("has-strength");
      const line = document.createElement("span");
      line.className = "rep-strength";
      line.textContent = strength;
      item.append(line);
    }
    return item;
  }

  redrawTrace() {
    if (!this.trace) return;
    const { plot, reps } = drawSessionTrace($("session-trace"), this.trace, { convert: this.convert });
    const list = $("trace-marks");
    for (const [key, value] of Object.entries(plot)) list.dataset[key] = String(value);
    list.replaceChildren(...reps.map((rep) => marksItem(rep)));
  }

  redrawProgress() {
    this.renderProgressText();
    const progress = this.athleteProgress;
    if (progress) {
      drawProgress($("progress-chart"), progress.points, {
        convert: this.convert,
        trend: progress.trend,
        forecast: progress.forecast,
      });
    } else {
      drawProgress($("progress-chart"), this.progress, { convert: this.convert });
    }
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
    const sure = await confirmAction(
      `Delete "${sessionTitle(session)}" and its ${plural(session.rep_count, "rep")}? This cannot be undone.`,
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

function strengthSummary(strength, reps) {
  if (!strength) return "";
  if (!strength.applies) return `Strength: ${strength.reason}.`;
  const best = bestStrengthRep(reps);
  const method = strength.method === "relaxed-reference" ? "relaxed reference" : "body tables";
  const head = `Strength (${strength.athlete_name}, ${method})`;
  if (!best) return `${head}: no assisted reps.`;
  const thresholds = strength.thresholds.map((t) => Math.round(t.value_n)).join("/");
  return `${head}, best rep: ${strengthLine(best)}. Concentric estimate; the injury-risk thresholds (${thresholds} N/leg) are eccentric NordBord forces.`;
}

const HANDS_MOVED = "hand moved — keep your hands still";

const MARK_NAMES = {
  rep: "rep",
  hold: "landing and hold",
  effort: "effort",
  push_off: "push-off and release",
  min_window: "minimum held",
  hand_shift: "ignored: hand shift",
  glitch: "ignored: glitch",
  lost_data: "ignored: lost data",
};

/** One rep's marks on the trace, in words (for screen readers: the canvas is only a picture),
 * each at the times it was drawn and the pixels it was drawn at. */
function marksItem({ number, marks }) {
  const item = document.createElement("li");
  item.dataset.repNumber = String(number);
  item.append(`Rep ${number}: `);
  marks.forEach((mark, index) => {
    const span = document.createElement("span");
    span.className = "trace-mark";
    span.dataset.kind = mark.kind;
    span.dataset.startS = String(mark.startS);
    span.dataset.endS = String(mark.endS);
    span.dataset.x0 = String(mark.x0);
    span.dataset.x1 = String(mark.x1);
    if (mark.y !== undefined) span.dataset.y = String(mark.y);
    span.textContent = `${MARK_NAMES[mark.kind] || mark.kind} ${mark.startS.toFixed(2)}–${mark.endS.toFixed(2)} s`;
    item.append(index ? "; " : "", span);
  });
  return item;
}

function setDownload(link, href, filename) {
  link.href = href;
  link.download = filename;
}
