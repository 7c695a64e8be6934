// The phone page: state, wiring and the live view. Everything arrives in kg (docs/api.md) and is
// converted only when drawn, so a change of unit just redraws.

import { api } from "./api.js";
import { Athletes, AthletesView } from "./athletes.js";
import { drawLiveTrace } from "./charts.js";
import { beep, buzz, ScreenKeeper, unlockAudioOnFirstGesture } from "./device.js";
import { History } from "./history.js";
import "./hub-pairing.js"; // the Athletes tab's Team hub section: it runs itself
import { LiveStream } from "./live.js";
import { forceText, hasStrength, renderStrengthPanel } from "./strength.js";
import { storedToken, takeTokenFromAddress, withAdmin } from "./token.js";
import { formatForce, formatWithUnit, fromKg, UNITS } from "./units.js";

const TRACE_WINDOW_S = 20;
// The force changes 80 times a second; digits that change faster than ~8 times a second cannot
// be read, from the floor or anywhere.
const DIGITS_INTERVAL_MS = 125;
const TRACE_INTERVAL_MS = 33;
const MESSAGE_MS = 8000;

const state = {
  prefs: { units: "kg", sound: true, vibrate: true },
  connection: "connecting",
  sensorStatus: "starting",
  sensorMessage: "",
  demo: false,
  force: null,
  runningMin: null,
  trace: [], // [t_ns, kg], oldest first, the last TRACE_WINDOW_S seconds
  session: null, // the running Session, or null
  listedSessionId: null, // whose reps the list shows (the running one, else the last one)
  listedAthleteId: null, // the athlete of that session (strength numbers are theirs)
  reps: new Map(), // rep number -> Rep of the listed session
  view: "live",
};

const $ = (id) => document.getElementById(id);
const unit = () => state.prefs.units;
const muted = () => !state.prefs.sound && !state.prefs.vibrate;

// ---- rendering ---------------------------------------------------------------------------

// Events only mark what changed; one animation frame draws it, at most at these rates.
const pending = { digits: true, trace: true };
let lastDigitsAt = 0;
let lastTraceAt = 0;

function requestRender() {
  pending.digits = true;
  pending.trace = true;
}

function renderFrame(now) {
  if (state.view === "live") {
    if (pending.digits && now - lastDigitsAt >= DIGITS_INTERVAL_MS) {
      pending.digits = false;
      lastDigitsAt = now;
      renderNumbers();
    }
    if (pending.trace && now - lastTraceAt >= TRACE_INTERVAL_MS) {
      pending.trace = false;
      lastTraceAt = now;
      renderTrace();
    }
  }
  requestAnimationFrame(renderFrame);
}

function sensorUsable() {
  return state.sensorStatus === "ok";
}

function renderNumbers() {
  $("live-force").textContent = sensorUsable() ? formatForce(state.force, unit()) : "–";
  $("running-min").textContent = formatForce(state.runningMin, unit());
  $("running-box").classList.toggle("active", state.runningMin !== null);
  const reps = sortedReps();
  const last = reps.length ? reps[reps.length - 1].min_assistance_kg : null;
  const best = reps.length ? Math.min(...reps.map((rep) => rep.min_assistance_kg)) : null;
  $("last-min").textContent = formatForce(last, unit());
  $("best-min").textContent = formatForce(best, unit());
  document.body.classList.toggle("stale", state.connection !== "live");
}

function renderTrace() {
  const convert = (kg) => fromKg(kg, unit());
  const runningMin = state.runningMin === null ? null : convert(state.runningMin);
  drawLiveTrace($("live-trace"), state.trace, { windowS: TRACE_WINDOW_S, convert, runningMin });
}

const SENSOR_LABELS = {
  starting: "Sensor starting…",
  ok: "Sensor OK",
  no_data: "Sensor: no data",
  error: "Sensor error",
};

function renderSensor() {
  const element = $("sensor-status");
  const label = SENSOR_LABELS[state.sensorStatus] || `Sensor: ${state.sensorStatus}`;
  const showMessage = state.sensorStatus !== "ok" && state.sensorMessage;
  element.textContent = showMessage ? `${label}: ${state.sensorMessage}` : label;
  element.dataset.status = state.sensorStatus;
  $("demo-banner").hidden = !state.demo;
}

function renderConnection() {
  const element = $("connection");
  element.hidden = state.connection === "live";
  element.textContent = state.connection === "connecting" ? "connecting…" : "reconnecting…";
  requestRender();
}

function renderControls() {
  const running = Boolean(state.session && state.session.active);
  $("session-button").textContent = running ? "Stop session" : "Start session";
  $("session-button").classList.toggle("button-primary", !running);
  for (const button of document.querySelectorAll("[data-unit]")) {
    button.setAttribute("aria-pressed", String(button.dataset.unit === unit()));
  }
  for (const label of document.querySelectorAll("[data-unit-label]")) label.textContent = unit();
  $("mute-button").setAttribute("aria-pressed", String(muted()));
}

function sortedReps() {
  return [...state.reps.values()].sort((a, b) => a.number - b.number);
}

function renderReps() {
  const list = $("rep-list");
  const items = sortedReps()
    .reverse() // newest on top: that is the one the user just did
    .map((rep) => repItem(rep));
  list.replaceChildren(...items);
  $("rep-hint").hidden = items.length > 0;
  const running = state.session && state.session.active && state.session.id === state.listedSessionId;
  $("session-label").textContent = state.listedSessionId === null ? "" : running ? "· this session" : "· last session";
  renderStrengthPanel(sortedReps(), athletes.info, athletes.name(state.listedAthleteId));
  requestRender();
}

function repItem(rep) {
  const item = document.createElement("li");
  const number = document.createElement("span");
  number.className = "rep-number";
  number.textContent = `#${rep.number}`;
  const minimum = document.createElement("span");
  minimum.className = "rep-min";
  minimum.textContent = formatWithUnit(rep.min_assistance_kg, unit());
  item.append(number, minimum);
  if (rep.unassisted) {
    const note = document.createElement("span");
    note.className = "rep-note";
    note.textContent = "unassisted";
    item.append(note);
  }
  if (hasStrength(rep)) {
    const strength = document.createElement("span");
    strength.className = "rep-note rep-leg";
    strength.textContent = `${forceText(rep)}/leg`;
    item.append(strength);
  }
  return item;
}

let messageTimer = null;

function showMessage(text, kind) {
  const element = $("message");
  element.textContent = text;
  element.dataset.kind = kind;
  clearTimeout(messageTimer);
  messageTimer = setTimeout(() => {
    element.textContent = "";
  }, MESSAGE_MS);
}

// ---- the listed session ------------------------------------------------------------------

let loadingSessionId = null;

/** Show the reps of session `id`, loading those recorded before this page was open. */
async function listSession(id) {
  if (id === state.listedSessionId || id === loadingSessionId) return;
  loadingSessionId = id;
  state.listedSessionId = id;
  state.listedAthleteId = null;
  state.reps = new Map();
  renderReps();
  try {
    const detail = await api.session(id);
    if (state.listedSessionId !== id) return;
    state.listedAthleteId = detail.session.athlete_id;
    // Rep events may have arrived while this was loading: merge by number, never replace.
    for (const rep of detail.reps) state.reps.set(rep.number, rep);
    renderReps();
  } catch (error) {
    showMessage(error.message, "error");
  } finally {
    if (loadingSessionId === id) loadingSessionId = null;
  }
}

// ---- live events -------------------------------------------------------------------------

function onSample(sample) {
  state.force = sample.force_kg;
  state.runningMin = sample.running_min_kg;
  if (sample.sensor_status !== state.sensorStatus) {
    state.sensorStatus = sample.sensor_status;
    state.sensorMessage = "";
    renderSensor();
  }
  appendTrace(sample.samples);
  if (sample.session_id !== null && sample.session_id !== state.listedSessionId) {
    listSession(sample.session_id);
  }
  requestRender();
}

function appendTrace(samples) {
  const trace = state.trace;
  for (const point of samples) trace.push(point);
  const cutoff = trace[trace.length - 1][0] - TRACE_WINDOW_S * 1e9;
  let drop = 0;
  while (drop < trace.length && trace[drop][0] < cutoff) drop++;
  if (drop) trace.splice(0, drop);
}

// The tutorial: "no need to be doing more than 2-3 sets in a workout". Said once per session,
// when the log shows clearly more.
const MAX_SETS = 4;
const setsNoted = new Set();

function onRep({ session_id: sessionId, rep, summary, saved }) {
  if (sessionId !== state.listedSessionId) listSession(sessionId);
  if (summary && summary.set_count > MAX_SETS && !setsNoted.has(sessionId)) {
    setsNoted.add(sessionId);
    showMessage(`Set ${summary.set_count} today: the tutorial advises 2-3 sets in a workout, and erring on the side of too little.`, "ok");
  }
  state.reps.set(rep.number, rep);
  renderReps();
  const unassisted = rep.unassisted ? ", unassisted" : "";
  const text = `Rep ${rep.number}: minimum ${formatWithUnit(rep.min_assistance_kg, unit())}${unassisted}`;
  $("rep-announcement").textContent = text;
  if (saved === false) showMessage(`Rep ${rep.number} is not saved yet: the scale's storage is full.`, "error");
  if (state.prefs.sound) beep();
  if (state.prefs.vibrate) buzz();
}

// While the Pi has no network time (no RTC, no internet), the phone's clock dates the sessions.
// The server keeps no offset when the two clocks agree, so `phone_offset_s` stays null then and
// the page simply offers its time again now and then (a server restart also forgets it).
const CLOCK_RETRY_MS = 60000;
let clockSentAt = -Infinity;
let clockLent = false;

async function lendPhoneClock(clock) {
  if (!clock || clock.synced || clock.phone_offset_s !== null) return;
  if (performance.now() - clockSentAt < CLOCK_RETRY_MS) return;
  clockSentAt = performance.now();
  try {
    await api.sendClock(Date.now() / 1000, storedToken());
    clockLent = true;
  } catch {
    // Background help, not a user action: no prompt, no error; tried again in a minute.
  }
}

function renderClock(clock) {
  const note = $("clock-note");
  note.hidden = !clock || clock.synced;
  if (note.hidden) return;
  note.textContent =
    clock.phone_offset_s !== null || clockLent
      ? "The scale has no network time: sessions are dated by this phone's clock."
      : "The scale's clock is not set: session dates may be wrong.";
}

/** Storage that cannot be written is a red banner: what waits in memory is lost on a restart. */
function renderStore(store) {
  const banner = $("store-banner");
  banner.hidden = !store || store.status === "ok";
  if (banner.hidden) return;
  const waiting = `${store.buffered_samples ?? 0} samples wait in memory and are lost if it restarts`;
  banner.textContent = store.full
    ? `The scale's storage is full: ${waiting}.`
    : `The scale cannot save what it records: ${waiting}. (${store.message})`;
}

function onStatus(status) {
  lendPhoneClock(status.clock);
  renderStore(status.store);
  renderClock(status.clock);
  state.sensorStatus = status.sensor.status;
  state.sensorMessage = status.sensor.message || "";
  state.demo = Boolean(status.demo);
  state.session = status.session;
  if (status.session && status.session.id !== state.listedSessionId) listSession(status.session.id);
  if (status.session && status.session.id === state.listedSessionId) {
    state.listedAthleteId = status.session.athlete_id;
  }
  renderSensor();
  renderControls();
  renderReps();
}

function onConnection(connection) {
  state.connection = connection;
  if (connection !== "live") {
    // The trace would draw a straight line across the gap; start it afresh instead.
    state.trace = [];
    state.runningMin = null;
  }
  renderConnection();
}

// ---- buttons -----------------------------------------------------------------------------

/** Runs `action` with `button` disabled, so a double tap does not send two requests. */
async function busy(button, action) {
  button.disabled = true;
  try {
    await action();
  } catch (error) {
    showMessage(error.message, "error");
  } finally {
    button.disabled = false;
  }
}

function onTare(event) {
  busy(event.currentTarget, async () => {
    await withAdmin((token) => api.tare(token));
    showMessage("Tared: the empty pad now reads zero.", "ok");
  });
}

function onSessionButton(event) {
  busy(event.currentTarget, async () => {
    if (state.session && state.session.active) {
      const id = state.session.id;
      const stopped = await withAdmin((token) => api.stopSession(id, token));
      state.session = null;
      showMessage(`Session stopped: ${stopped.rep_count} reps recorded.`, "ok");
    } else {
      state.session = await withAdmin((token) => api.startSession(token));
      listSession(state.session.id);
      showMessage("Session started.", "ok");
    }
    renderControls();
    renderReps();
  });
}

async function savePrefs(change) {
  const before = { ...state.prefs };
  Object.assign(state.prefs, change);
  redrawForUnits();
  try {
    state.prefs = await withAdmin((token) => api.saveSettings(change, token));
  } catch (error) {
    state.prefs = before;
    showMessage(error.message, "error");
  }
  redrawForUnits();
}

function redrawForUnits() {
  renderControls();
  renderReps();
  historyView.redraw();
  requestRender();
}

function onUnitButton(event) {
  const chosen = event.currentTarget.dataset.unit;
  if (UNITS.includes(chosen) && chosen !== unit()) savePrefs({ units: chosen });
}

function onMuteButton() {
  const enable = muted();
  savePrefs({ sound: enable, vibrate: enable });
}

// ---- views -------------------------------------------------------------------------------

const athletes = new Athletes({
  changed: () => {
    renderReps();
    athletesView.render();
  },
  message: (text, kind = "error") => showMessage(text, kind),
});
const athletesView = new AthletesView(athletes, { message: showMessage });
const historyView = new History({ unit, athletes });
const screen = new ScreenKeeper(() => state.view === "live");
const VIEWS = ["live", "history", "athletes"];

function showView(view) {
  state.view = view;
  for (const name of VIEWS) {
    $(`${name}-view`).hidden = view !== name;
    $(`${name}-tab`).setAttribute("aria-selected", String(view === name));
  }
  screen.update();
  if (view === "history") historyView.show();
  else if (view === "athletes") athletesView.show();
  else requestRender();
}

// ---- start -------------------------------------------------------------------------------

async function loadPrefs() {
  try {
    state.prefs = await api.settings();
  } catch (error) {
    showMessage(error.message, "error");
  }
  redrawForUnits();
}

/** With no session running, the list shows the newest session's reps: the last workout. */
async function listNewestSession() {
  try {
    const { sessions } = await api.sessions();
    if (sessions.length && state.listedSessionId === null) listSession(sessions[0].id);
  } catch (error) {
    showMessage(error.message, "error");
  }
}

function start() {
  $("tare-button").addEventListener("click", onTare);
  $("session-button").addEventListener("click", onSessionButton);
  $("mute-button").addEventListener("click", onMuteButton);
  for (const button of document.querySelectorAll("[data-unit]")) {
    button.addEventListener("click", onUnitButton);
  }
  $("live-tab").addEventListener("click", () => showView("live"));
  $("history-tab").addEventListener("click", () => showView("history"));
  $("athletes-tab").addEventListener("click", () => showView("athletes"));
  window.addEventListener("resize", () => {
    requestRender();
    historyView.redraw();
  });
  unlockAudioOnFirstGesture();
  takeTokenFromAddress();
  loadPrefs();
  athletes.load();
  listNewestSession();
  const stream = new LiveStream("/api/live", {
    sample: onSample,
    rep: onRep,
    status: onStatus,
    connection: onConnection,
  });
  stream.start();
  screen.update();
  requestAnimationFrame(renderFrame);
}

start();
