// Athletes: the list the whole page shares, the picker of the active athlete (new sessions are
// theirs), and the Athletes tab: add, edit, delete, the relaxed reading and the exports.

import { api } from "./api.js";
import { confirmAction } from "./confirm.js";
import { withAdmin } from "./token.js";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const plural = (count, word) => `${count} ${word}${count === 1 ? "" : "s"}`;

const $ = (id) => document.getElementById(id);

export class Athletes {
  /** @param {{changed: Function, message: Function}} hooks */
  constructor(hooks) {
    this.hooks = hooks;
    this.list = [];
    this.activeId = null;
    this.info = null; // GET /api/strength: thresholds, caveat, variations
    $("athlete-select").addEventListener("change", (event) => this.onPick(event));
  }

  byId(id) {
    return this.list.find((athlete) => athlete.id === id) || null;
  }

  name(id) {
    const athlete = id === null || id === undefined ? null : this.byId(id);
    return athlete ? athlete.name : "";
  }

  get variations() {
    return this.info ? this.info.variations : [{ id: "assisted", label: "hands on the pad (assisted)" }];
  }

  async load() {
    try {
      const [{ athletes, active_athlete_id: activeId }, info] = await Promise.all([
        api.athletes(),
        this.info ? Promise.resolve(this.info) : api.strengthInfo(),
      ]);
      this.list = athletes;
      this.activeId = activeId;
      this.info = info;
    } catch (error) {
      this.hooks.message(error.message);
    }
    this.renderPicker();
    this.hooks.changed();
  }

  renderPicker() {
    const select = $("athlete-select");
    const none = new Option("No athlete", "");
    const options = this.list.map((athlete) => new Option(athlete.name, String(athlete.id)));
    select.replaceChildren(none, ...options);
    select.value = this.activeId === null ? "" : String(this.activeId);
  }

  async onPick(event) {
    const select = event.currentTarget;
    const chosen = select.value === "" ? null : Number(select.value);
    const before = this.name(this.activeId);
    select.disabled = true;
    try {
      const result = await withAdmin((token) => api.setActiveAthlete(chosen, token));
      this.activeId = result.active_athlete_id;
      const who = result.athlete ? result.athlete.name : "no athlete";
      let text = `New sessions: ${who}.`;
      if (result.stopped_session_id !== null) {
        const whose = before ? `stay with ${before}` : "stay unassigned";
        text += ` The running session was stopped: its reps ${whose}.`;
      }
      if (result.reassigned_session_id !== null) text += " The running session (no reps yet) is now theirs.";
      this.hooks.message(text, "ok");
    } catch (error) {
      this.hooks.message(error.message);
    } finally {
      select.disabled = false;
    }
    await this.load();
  }
}

/**
 * The Athletes tab. Feedback goes where the person is looking: a form's problem next to its Save
 * button, everything else in the page's message box, which stays on screen (toast.js).
 */
export class AthletesView {
  /** @param {{message: Function, speak: Function, unit: () => string}} hooks */
  constructor(athletes, { message, speak }) {
    this.athletes = athletes;
    this.say = (text, kind = "error", extra = {}) => message(text, kind, extra);
    this.speak = speak;
    this.editing = null; // athlete id, or null when adding
    $("athlete-add").addEventListener("click", () => this.openForm(null));
    $("athlete-form").addEventListener("submit", (event) => this.save(event));
    $("athlete-cancel").addEventListener("click", () => this.closeForm());
  }

  async show() {
    await this.athletes.load();
  }

  render() {
    const items = this.athletes.list.map((athlete) => this.card(athlete));
    $("athlete-list").replaceChildren(...items);
    $("athletes-empty").hidden = items.length > 0;
  }

  card(athlete) {
    const item = document.createElement("li");
    item.className = "athlete-card";
    item.dataset.athleteId = String(athlete.id);
    const title = document.createElement("p");
    title.className = "athlete-name";
    title.textContent = athlete.name + (athlete.active ? " · active" : "");
    const facts = document.createElement("p");
    facts.className = "hint";
    const lever = athlete.lever;
    const measured = lever.hands_measured || lever.ankle_measured ? "measured" : "from height";
    const relaxed = athlete.relaxed_kg === null ? "no relaxed reading (estimate from body tables)" : `relaxed ${athlete.relaxed_kg.toFixed(1)} kg`;
    facts.textContent =
      `${athlete.body_mass_kg} kg · ${athlete.height_m} m · knee→hands ${lever.knee_to_hands_m.toFixed(2)} m, ` +
      `knee→ankle ${lever.knee_to_ankle_m.toFixed(2)} m (${measured}) · ${relaxed} · ${plural(athlete.session_count, "session")}`;
    const actions = document.createElement("div");
    actions.className = "detail-actions";
    actions.append(
      button("Edit", () => this.openForm(athlete)),
      button("Relaxed reading", (event) => this.relaxed(athlete, event.currentTarget), "relaxed-button"),
      link("CSV", `/api/athletes/${athlete.id}/export.csv`, `nhc-athlete-${athlete.id}.csv`),
      link("JSON", `/api/athletes/${athlete.id}/export.json`, `nhc-athlete-${athlete.id}.json`),
      link("Plot", `/api/athletes/${athlete.id}/progress.png`, `nhc-athlete-${athlete.id}-progress.png`),
      button("Delete", () => this.remove(athlete), "", "button-danger"),
    );
    item.append(title, facts, actions);
    return item;
  }

  openForm(athlete) {
    this.editing = athlete ? athlete.id : null;
    const form = $("athlete-form");
    form.hidden = false;
    this.formError(null, "");
    $("athlete-form-title").textContent = athlete ? `Edit ${athlete.name}` : "New athlete";
    form.elements.name.value = athlete ? athlete.name : "";
    form.elements.body_mass_kg.value = athlete ? athlete.body_mass_kg : "";
    form.elements.height_m.value = athlete ? athlete.height_m : "";
    form.elements.knee_to_hands_m.value = athlete && athlete.knee_to_hands_m !== null ? athlete.knee_to_hands_m : "";
    form.elements.knee_to_ankle_m.value = athlete && athlete.knee_to_ankle_m !== null ? athlete.knee_to_ankle_m : "";
    form.elements.name.focus();
  }

  closeForm() {
    $("athlete-form").hidden = true;
    this.editing = null;
  }

  /**
   * A problem with the form, where the person looks: under the field to blame (marked and
   * focused), or else just above the Save button.
   */
  formError(field, text) {
    const form = $("athlete-form");
    for (const input of form.querySelectorAll("input")) {
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
    }
    const error = $("athlete-form-error");
    error.textContent = text;
    error.hidden = !text;
    const input = field ? form.elements[field] : null;
    if (input) input.closest("label").after(error);
    else form.querySelector(".dialog-actions").before(error);
    if (!text) return;
    if (input) {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", "athlete-form-error");
      input.focus();
    }
    error.scrollIntoView({ block: "nearest" });
  }

  async save(event) {
    event.preventDefault();
    const form = event.currentTarget;
    const value = (name) => form.elements[name].value.trim();
    const optional = (name) => (value(name) === "" ? null : Number(value(name)));
    const fields = {
      name: value("name"),
      body_mass_kg: value("body_mass_kg") === "" ? NaN : Number(value("body_mass_kg")),
      height_m: value("height_m") === "" ? NaN : Number(value("height_m")),
      knee_to_hands_m: optional("knee_to_hands_m"),
      knee_to_ankle_m: optional("knee_to_ankle_m"),
    };
    // Checked here first: the person gets a sentence about the field, not a schema's words.
    const problem = profileProblem(fields);
    if (problem) {
      this.formError(...problem);
      return;
    }
    this.formError(null, "");
    const id = this.editing;
    try {
      if (id === null) {
        const created = await withAdmin((token) => api.createAthlete(fields, token));
        this.say(`${created.name} added: pick them on the Live tab to train.`, "ok");
      } else {
        await withAdmin((token) => api.updateAthlete(id, fields, token));
        this.say("Saved.", "ok");
      }
      this.closeForm();
      await this.athletes.load();
    } catch (error) {
      this.formError(null, error.message);
    }
  }

  /**
   * A person alone taps, then gets into position: a countdown, then the 2 s of stillness the
   * scale reads (its newest 4 s; it takes the longest steady stretch), said aloud when the voice
   * is on. The token is asked for first, not while they lie on the floor.
   */
  async relaxed(athlete, element) {
    element.disabled = true;
    try {
      await withAdmin((token) => api.checkToken(token));
      for (const count of [3, 2, 1]) {
        this.say(`Lie still, hands on the pad: ${count}`, "info", { sticky: true });
        this.speak(String(count));
        await sleep(1000);
      }
      for (const left of [2, 1]) {
        this.say(`Reading: ${left} s. Keep still, hamstrings relaxed.`, "info", { sticky: true });
        if (left === 2) this.speak("still");
        await sleep(1000);
      }
      const result = await withAdmin((token) => api.recordRelaxed(athlete.id, token));
      this.say(`Relaxed load ${result.relaxed_kg.toFixed(1)} kg (steady ${result.steady_s.toFixed(1)} s): estimates now use it.`, "ok");
      await this.athletes.load();
    } catch (error) {
      this.say("No relaxed reading was taken.", "error", { details: error.message });
    } finally {
      element.disabled = false;
    }
  }

  async remove(athlete) {
    const sessions = athlete.session_count;
    const kept = sessions
      ? ` Their ${plural(sessions, "session")} ${sessions === 1 ? "is" : "are"} kept, unassigned.`
      : "";
    // On a pad paired with a team hub, the hub keeps the athlete: they leave this pad only.
    const paired = await api.hubState().then(
      (state) => state.paired,
      () => false,
    );
    const question = paired
      ? `Remove ${athlete.name} from this pad? The team hub keeps them, and they do not come back here.${kept}`
      : `Delete ${athlete.name}?${kept}`;
    if (!(await confirmAction(question, paired ? "Remove" : "Delete"))) return;
    try {
      await withAdmin((token) => api.deleteAthlete(athlete.id, sessions > 0, token));
      this.say(paired ? `${athlete.name} removed from this pad; the team hub keeps them.` : `${athlete.name} deleted.`, "ok");
      await this.athletes.load();
    } catch (error) {
      this.say(error.message);
    }
  }
}

/** What is wrong with a profile, in words for people: [field, sentence], or null. */
export function profileProblem(fields) {
  if (!fields.name) return ["name", "Type a name: at least one letter or digit."];
  const mass = fields.body_mass_kg;
  if (!Number.isFinite(mass)) return ["body_mass_kg", "Type the body mass in kg, e.g. 72.5."];
  if (mass < 25 || mass > 250) return ["body_mass_kg", "Body mass in kg: from 25 to 250."];
  const height = fields.height_m;
  if (!Number.isFinite(height)) return ["height_m", "Type the height in metres, e.g. 1.75."];
  if (height >= 100 && height <= 230) return ["height_m", `Height in metres: ${(height / 100).toFixed(2)}?`];
  if (height < 1 || height > 2.3) return ["height_m", "Height in metres: from 1.00 to 2.30."];
  for (const [name, what] of [
    ["knee_to_hands_m", "Knee → hands"],
    ["knee_to_ankle_m", "Knee → ankle anchor"],
  ]) {
    const distance = fields[name];
    if (distance === null) continue;
    if (!Number.isFinite(distance)) return [name, `${what}: a distance in metres, or empty.`];
    if (distance >= 20 && distance <= 150) return [name, `${what} in metres: ${(distance / 100).toFixed(2)}?`];
    if (distance < 0.2 || distance > 1.5) return [name, `${what} in metres: from 0.20 to 1.50, or empty.`];
  }
  return null;
}

function button(text, onClick, testid = "", extra = "") {
  const element = document.createElement("button");
  element.type = "button";
  element.className = `button ${extra}`.trim();
  element.textContent = text;
  if (testid) element.dataset.testid = testid;
  element.addEventListener("click", onClick);
  return element;
}

function link(text, href, filename) {
  const element = document.createElement("a");
  element.className = "button";
  element.textContent = text;
  element.href = href;
  element.download = filename;
  return element;
}
