// Athletes: the list the whole page shares, the picker of the active athlete (new sessions are
// theirs), and the Athletes tab: add, edit, delete, the relaxed reading and the exports.

import { api } from "./api.js";
import { withAdmin } from "./token.js";

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
    select.disabled = true;
    try {
      const result = await withAdmin((token) => api.setActiveAthlete(chosen, token));
      this.activeId = result.active_athlete_id;
      const who = result.athlete ? result.athlete.name : "no athlete";
      let text = `New sessions: ${who}.`;
      if (result.stopped_session_id !== null) text += " The running session was stopped: its reps stay with the athlete before.";
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

/** The Athletes tab. */
export class AthletesView {
  constructor(athletes, { message }) {
    this.athletes = athletes;
    this.message = message;
    this.editing = null; // athlete id, or null when adding
    $("athlete-add").addEventListener("click", () => this.openForm(null));
    $("athlete-form").addEventListener("submit", (event) => this.save(event));
    $("athlete-cancel").addEventListener("click", () => this.closeForm());
  }

  say(text, kind = "error") {
    const element = $("athletes-message");
    element.textContent = text;
    element.dataset.kind = kind;
  }

  async show() {
    this.say("", "ok");
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
      `knee→ankle ${lever.knee_to_ankle_m.toFixed(2)} m (${measured}) · ${relaxed} · ${athlete.session_count} sessions`;
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

  async save(event) {
    event.preventDefault();
    const form = event.currentTarget;
    const optional = (value) => (value.trim() === "" ? null : Number(value));
    const fields = {
      name: form.elements.name.value.trim(),
      body_mass_kg: Number(form.elements.body_mass_kg.value),
      height_m: Number(form.elements.height_m.value),
      knee_to_hands_m: optional(form.elements.knee_to_hands_m.value),
      knee_to_ankle_m: optional(form.elements.knee_to_ankle_m.value),
    };
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
      this.say(error.message);
    }
  }

  async relaxed(athlete, element) {
    element.disabled = true;
    this.say("Lie still at the bottom, hands on the pad, hamstrings relaxed…", "ok");
    try {
      const result = await withAdmin((token) => api.recordRelaxed(athlete.id, token));
      this.say(`Relaxed load ${result.relaxed_kg.toFixed(1)} kg (steady ${result.steady_s.toFixed(1)} s): estimates now use it.`, "ok");
      await this.athletes.load();
    } catch (error) {
      this.say(error.message);
    } finally {
      element.disabled = false;
    }
  }

  async remove(athlete) {
    const sessions = athlete.session_count;
    const question = sessions
      ? `Delete ${athlete.name}? Their ${sessions} sessions are kept, unassigned.`
      : `Delete ${athlete.name}?`;
    if (!window.confirm(question)) return;
    try {
      await withAdmin((token) => api.deleteAthlete(athlete.id, sessions > 0, token));
      this.say(`${athlete.name} deleted.`, "ok");
      await this.athletes.load();
    } catch (error) {
      this.say(error.message);
    }
  }
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
