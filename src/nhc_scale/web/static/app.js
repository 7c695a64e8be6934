// The phone page: state, wiring and the live view. Everything arrives in kg (docs/api.md) and is
// converted only when drawn, so a change of unit just redraws. What the big number shows at each
// phase of a rep is hero.js; this phone's own preferences are prefs.js.

import { api } from "./api.js";
import { Athletes, AthletesView } from "./athletes.js";
import { drawLiveTrace } from "./charts.js";
import { beep, buzz, ScreenKeeper, speak, unlockAudioOnFirstGesture } from "./device.js";
import { heroView, isNewBest, phaseOf, setPlaces, spokenResult, targetOf } from "./hero.js";
import { History } from "./history.js";
import "./hub-pairing.js"; // the Athletes tab's Team hub section: it runs itself
import { LiveStream } from "./live.js";
import { PhonePrefs } from "./prefs.js";
import { forceText, hasStrength, renderStrengthPanel } from "./strength.js";
import { setUpTabs } from "./tabs.js";
import { setUpToast, showToast } from "./toast.js";
import { storedToken, takeTokenFromAddress, withAdmin } from "./token.js";
import { formatWithUnit, fromKg, UNITS } from "./units.js";

const TRACE_WINDOW_S = 20;
// The force changes 80 times a second; digits that change faster than ~8 times a second cannot
// be read, from the floor or anywhere.
const DIGITS_INTERVAL_MS = 125;
const TRACE_INTERVAL_MS = 33;

const phonePrefs = new PhonePrefs();

const state = {
  prefs: phonePrefs.current,
  connection: "connecting",
  sensorStatus: "starting",
  sensorMessage: "",
  demo: false,
  force: null,
  detector: "idle", // the session's detector: "idle" | "contact" | "effort"
  runningMin: null, // the effort's running minimum (kg), from the sample events
  trace: [], // [t_ns, kg], oldest first, the last TRACE_WINDOW_S seconds
  minTrace: [], // [t_ns, kg] of the running minimum during efforts, same window
  session: null, // the running Session, or null
  listedSessionId: null, // whose reps the list shows (the running one, else the last one)
  listedAthleteId: null, // the athlete of that session (strength numbers are theirs)
  reps: new Map(), // rep number -> Rep of the listed session
  summary: null, // that session's summary (its sets)
  targets: null, // that session's targets: {last, best} (GET /api/sessions/{id})
  result: null, // the newest rep as the hero shows it: {rep, set, repInSet, newBest, at}
  rosterRevision: null, // the scale's count of athlete changes when the athletes were loaded
  view: "live",
};

const $ = (id) => document.getElementById(id);
const unit = () => state.prefs.units;

// ---- rendering ---------------------------------------------------------------------------

// Events only mark what changed; one animation frame draws it, at most at these rates.
let traceDirty = true;
let lastDigitsAt = 0;
let lastTraceAt = 0;

function requestRender() {
  traceDirty = true;
}

function renderFrame(now) {
  if (state.view === "live") {
    // The hero is redrawn on a clock, not only on events: a result's time on screen runs out.
    if (now - lastDigitsAt >= DIGITS_INTERVAL_MS) {
      lastDigitsAt = now;
      renderHero();
    }
    if (traceDirty && now - lastTraceAt >= TRACE_INTERVAL_MS) {
      traceDirty = false;
      lastTraceAt = now;
      renderTrace();
    }
  }
  requestAnimationFrame(renderFrame);
}

function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

function setShown(element, text) {
  setText(element, text);
  element.hidden = !text;
}

function currentPhase() {
  return phaseOf({
    connection: state.connection,
    sensorOk: state.sensorStatus === "ok",
    detector: state.detector,
    runningMinKg: state.runningMin,
    result: state.result,
    now: performance.now(),
  });
}

function renderHero() {
  const view = heroView({
    phase: currentPhase(),
    unit: unit(),
    forceKg: state.force,
    runningMinKg: state.runningMin,
    result: state.result,
    targets: state.targets,
    targetChoice: state.prefs.target,
    sensorLabel: sensorLabel(),
  });
  const hero = document.querySelector(".hero");
  if (hero.dataset.phase !== view.phase) hero.dataset.phase = view.phase;
  setText($("hero-label"), state.connection === "connecting" && view.phase === "offline" ? "Connecting to the scale…" : view.label);
  setText($("hero-value"), view.value);
  $("hero-unit").hidden = view.value === "–";
  setShown($("hero-force"), view.force);
  setShown($("hero-target"), view.target);
  setShown($("hero-change"), view.change);
  $("hero-note").hidden = !view.note;
}

function renderTrace() {
  const convert = (kg) => fromKg(kg, unit());
  const target = targetOf(state.targets, state.prefs.target);
  const emptyText = state.connection === "live" ? "waiting for the sensor…" : "no connection to the scale";
  const drawn = drawLiveTrace($("live-trace"), state.trace, {
    windowS: TRACE_WINDOW_S,
    convert,
    runningMin: state.minTrace,
    target: target ? target.kg : null,
    emptyText,
  });
  const label = `Force over the last ${TRACE_WINDOW_S} seconds${drawn ? `: ${drawn}` : ""}`;
  if ($("live-trace").getAttribute("aria-label") !== label) $("live-trace").setAttribute("aria-label", label);
}

const SENSOR_LABELS = {
  starting: "Sensor starting…",
  ok: "Sensor OK",
  no_data: "Sensor: no data",
  error: "Sensor error",
};

function sensorLabel() {
  return SENSOR_LABELS[state.sensorStatus] || `Sensor: ${state.sensorStatus}`;
}

function renderSensor() {
  const element = $("sensor-status");
  const live = state.connection === "live";
  // One line in the top bar; the sensor's own words go to its tooltip and the hero's label.
  element.textContent = live ? sensorLabel() : "Offline";
  element.dataset.status = live ? state.sensorStatus : "offline";
  element.title = live && state.sensorMessage ? state.sensorMessage : "";
  $("demo-banner").hidden = !state.demo;
}

function renderConnection() {
  const banner = $("connection");
  banner.hidden = state.connection !== "reconnecting";
  banner.textContent = "Lost the scale: reconnecting… Is this phone on the scale's Wi-Fi, and the scale on?";
  document.body.classList.toggle("stale", state.connection !== "live");
  renderSensor();
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
  const { sound, voice } = state.prefs;
  const soundButton = $("sound-button");
  soundButton.textContent = sound ? "Sound on" : "Sound off";
  soundButton.classList.toggle("off", !sound);
  const voiceButton = $("voice-button");
  voiceButton.textContent = sound && voice ? "Voice on" : "Voice off";
  voiceButton.classList.toggle("off", !(sound && voice));
  voiceButton.disabled = !sound;
  voiceButton.title = sound ? "Say each rep's result aloud on this phone" : "Turn the sound on for the voice";
}

function sortedReps() {
  return [...state.reps.values()].sort((a, b) => a.number - b.number);
}

function renderReps() {
  const reps = sortedReps();
  const places = setPlaces(reps, state.summary);
  const items = reps
    .slice()
    .reverse() // newest on top: that is the one the user just did
    .map((rep) => repItem(rep, places.get(rep.number)));
  $("rep-list").replaceChildren(...items);
  $("rep-hint").hidden = items.length > 0;
  const running = state.session && state.session.active && state.session.id === state.listedSessionId;
  const newest = reps.length ? places.get(reps[reps.length - 1].number) : null;
  const which = state.listedSessionId === null || running ? "" : "last session";
  $("rep-list").dataset.listed = state.listedSessionId === null ? "" : running ? "running" : "last";
  const count = newest ? `Set ${newest.set} · rep ${newest.repInSet}` : "No reps yet";
  const best = reps.length ? Math.min(...reps.map((rep) => rep.min_assistance_kg)) : null;
  const title = $("reps-title");
  title.replaceChildren(count);
  const facts = [which, best === null ? "" : `best ${formatWithUnit(Math.max(0, best), unit())}`].filter(Boolean);
  if (facts.length) {
    const small = document.createElement("span");
    small.className = "session-label";
    small.textContent = ` · ${facts.join(" · ")}`;
    title.append(small);
  }
  renderStrengthPanel(reps, athletes.info, athletes.name(state.listedAthleteId));
  requestRender();
}

function repItem(rep, place) {
  const item = document.createElement("li");
  if (place && place.repInSet === 1) item.classList.add("set-first");
  const number = document.createElement("span");
  number.className = "rep-number";
  number.textContent = `#${rep.number}`;
  const minimum = document.createElement("span");
  minimum.className = "rep-min";
  minimum.textContent = formatWithUnit(Math.max(0, rep.min_assistance_kg), unit());
  item.append(number, minimum);
  const note = (text, extra = "") => {
    const element = document.createElement("span");
    element.className = `rep-note ${extra}`.trim();
    element.textContent = text;
    item.append(element);
  };
  if (rep.unassisted) note("unassisted");
  if (rep.hands_moved === true) note("hand moved", "rep-warn");
  if (hasStrength(rep)) note(`${forceText(rep)}/leg`, "rep-leg");
  return item;
}

function showMessage(text, kind = "error", extra = {}) {
  showToast(text, kind, extra);
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
  state.summary = null;
  state.targets = null;
  renderReps();
  try {
    const detail = await api.session(id);
    if (state.listedSessionId !== id) return;
    state.listedAthleteId = detail.session.athlete_id;
    state.targets = detail.targets || null;
    // Rep events may have arrived while this was loading: merge by number, never replace.
    for (const rep of detail.reps) if (!state.reps.has(rep.number)) state.reps.set(rep.number, rep);
    if (!state.summary || detail.summary.rep_count >= state.summary.rep_count) state.summary = detail.summary;
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
  const before = state.detector;
  state.detector = sample.state || "idle";
  state.runningMin = sample.running_min_kg ?? null;
  if (state.detector !== "idle" && before === "idle") state.result = null; // hands landed again
  if (state.detector === "effort" && before !== "effort" && state.prefs.sound) beep("effort");
  if (sample.sensor_status !== state.sensorStatus) {
    state.sensorStatus = sample.sensor_status;
    state.sensorMessage = "";
    renderSensor();
  }
  appendTrace(state.trace, sample.samples);
  if (state.detector === "effort" && state.runningMin !== null && sample.samples.length) {
    const t = sample.samples[sample.samples.length - 1][0];
    state.minTrace.push([t, Math.max(0, state.runningMin)]);
  }
  dropOld(state.minTrace, state.trace.length ? state.trace[state.trace.length - 1][0] : 0);
  if (sample.session_id !== null && sample.session_id !== state.listedSessionId) {
    listSession(sample.session_id);
  }
  requestRender();
}

function appendTrace(trace, samples) {
  for (const point of samples) trace.push(point);
  if (trace.length) dropOld(trace, trace[trace.length - 1][0]);
}

function dropOld(points, newestNs) {
  const cutoff = newestNs - TRACE_WINDOW_S * 1e9;
  let drop = 0;
  while (drop < points.length && points[drop][0] < cutoff) drop++;
  if (drop) points.splice(0, drop);
}

// The tutorial: "no need to be doing more than 2-3 sets in a workout". Said once per session,
// when the log shows clearly more.
const MAX_SETS = 4;
const setsNoted = new Set();

function onRep({ session_id: sessionId, rep, summary, saved }) {
  if (sessionId !== state.listedSessionId) listSession(sessionId);
  const earlier = sortedReps().filter((r) => r.number !== rep.number);
  state.reps.set(rep.number, rep);
  if (summary) state.summary = summary;
  const place = setPlaces(sortedReps(), state.summary).get(rep.number) || { set: 1, repInSet: rep.number };
  const newBest = isNewBest(rep, state.targets, earlier);
  state.result = { rep, set: place.set, repInSet: place.repInSet, newBest, at: performance.now() };
  renderReps();
  renderHero();
  if (summary && summary.set_count > MAX_SETS && !setsNoted.has(sessionId)) {
    setsNoted.add(sessionId);
    showMessage(`Set ${summary.set_count} today: the tutorial advises 2-3 sets in a workout, and erring on the side of too little.`, "info");
  }
  const unassisted = rep.unassisted ? ", unassisted" : "";
  $("rep-announcement").textContent = `Rep ${rep.number}: minimum ${formatWithUnit(Math.max(0, rep.min_assistance_kg), unit())}${unassisted}`;
  if (saved === false) showMessage(`Rep ${rep.number} is not saved yet: the scale's storage is full.`, "error");
  announce(state.result);
}

/** Voice, beeps and the buzz after a rep, as this phone wants them. */
function announce(result) {
  const { sound, voice } = state.prefs;
  if (!sound) return;
  if (voice) speak(spokenResult(result, unit()));
  if (result.newBest) beep("best");
  else if (!voice) beep("rep");
  buzz();
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
  if (status.roster_revision !== state.rosterRevision) {
    // The first status event since connecting, or another phone or the team hub added, changed
    // or picked an athlete: the list is loaded (again).
    state.rosterRevision = status.roster_revision;
    athletes.load();
  }
  renderSensor();
  renderControls();
  renderReps();
}

function onConnection(connection) {
  state.connection = connection;
  if (connection !== "live") {
    // Nothing on screen may look live: the trace would draw a straight line across the gap, the
    // numbers would be stale. They start afresh with the next event.
    state.trace = [];
    state.minTrace = [];
    state.force = null;
    state.runningMin = null;
    state.detector = "idle";
    state.rosterRevision = null; // reloaded on reconnecting: the scale may have restarted
  }
  renderConnection();
  renderHero();
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

const TAKE_IT_OFF = "Take everything off the pad and keep it still, then tare.";

/** A refused tare in words for people, in this phone's units; the scale's sentence below. */
function tareRefused(error) {
  const facts = error.body || {};
  const kg = (value) => formatWithUnit(value, unit());
  if (facts.reason === "loaded") {
    showMessage(TAKE_IT_OFF, "error", {
      details: `The pad reads ${kg(facts.load_kg)}: something is on it. If it is empty, its zero has moved.`,
      action: { label: "It is empty: tare anyway", run: () => tare($("tare-button"), true) },
    });
  } else if (facts.reason === "moving") {
    const moved = Math.max(facts.spread_kg ?? 0, facts.drift_kg ?? 0);
    showMessage(TAKE_IT_OFF, "error", { details: `The reading moved by up to ${kg(moved)} while it was measured.` });
  } else if (facts.reason === "too_short" || error.status === 503) {
    showMessage("The scale has no steady second of readings yet: wait a moment, then tare.", "error", {
      details: error.message,
    });
  } else {
    showMessage("The scale did not tare.", "error", { details: error.message });
  }
}

function tare(button, anyway = false) {
  busy(button, async () => {
    try {
      const result = await withAdmin((token) => api.tare(token, anyway));
      const zeroed = result.zeroed_kg;
      // Never "the empty pad" when it was not: say what was zeroed.
      const text =
        zeroed === null || zeroed === undefined || Math.abs(zeroed) < 0.05
          ? "Tared: the pad now reads zero."
          : `Tared: the pad read ${formatWithUnit(zeroed, unit())} and now reads zero.`;
      showMessage(text, "ok");
    } catch (error) {
      if (error.status === 409 || error.status === 503) tareRefused(error);
      else throw error;
    }
  });
}

function onSessionButton(event) {
  busy(event.currentTarget, async () => {
    if (state.session && state.session.active) {
      const id = state.session.id;
      const stopped = await withAdmin((token) => api.stopSession(id, token));
      state.session = null;
      const reps = stopped.rep_count === 1 ? "1 rep" : `${stopped.rep_count} reps`;
      showMessage(`Session stopped: ${reps} recorded.`, "ok");
    } else {
      state.session = await withAdmin((token) => api.startSession(token));
      listSession(state.session.id);
      showMessage("Session started.", "ok");
    }
    renderControls();
    renderReps();
  });
}

/** This phone's preferences: saved on the phone, no token, nothing sent to the scale. */
function savePrefs(change) {
  state.prefs = phonePrefs.save(change);
  redrawForUnits();
}

function redrawForUnits() {
  renderControls();
  renderReps();
  renderHero();
  historyView.redraw();
  requestRender();
}

function onUnitButton(event) {
  const chosen = event.currentTarget.dataset.unit;
  if (UNITS.includes(chosen) && chosen !== unit()) savePrefs({ units: chosen });
}

// ---- views -------------------------------------------------------------------------------

const athletes = new Athletes({
  changed: () => {
    renderReps();
    athletesView.render();
    // History names athletes and shows the active one's progress: an open tab follows the
    // athletes as they load (the first status event may come after the tab was opened) or change.
    if (state.view === "history") historyView.show();
  },
  message: (text, kind = "error") => showMessage(text, kind),
});
const athletesView = new AthletesView(athletes, {
  message: showMessage,
  speak: (text) => {
    if (state.prefs.sound && state.prefs.voice) speak(text);
  },
  unit,
});
const historyView = new History({ unit, athletes });
const screen = new ScreenKeeper(() => state.view === "live");
const VIEWS = ["live", "history", "athletes"];

function showView(view) {
  state.view = view;
  for (const name of VIEWS) $(`${name}-view`).hidden = view !== name;
  screen.update();
  if (view === "history") historyView.show();
  else if (view === "athletes") athletesView.show();
  else requestRender();
}

// ---- start -------------------------------------------------------------------------------

/** The scale's defaults for a phone that has chosen nothing yet. */
async function loadScaleDefaults() {
  try {
    phonePrefs.setScaleDefaults(await api.settings());
    state.prefs = phonePrefs.current;
  } catch {
    // The phone's own choices, or the built-in defaults, hold.
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
  setUpToast();
  $("tare-button").addEventListener("click", (event) => tare(event.currentTarget));
  $("session-button").addEventListener("click", onSessionButton);
  $("sound-button").addEventListener("click", () => savePrefs({ sound: !state.prefs.sound }));
  $("voice-button").addEventListener("click", () => savePrefs({ voice: !state.prefs.voice }));
  $("hero-target").addEventListener("click", () =>
    savePrefs({ target: state.prefs.target === "best" ? "last" : "best" }),
  );
  for (const button of document.querySelectorAll("[data-unit]")) {
    button.addEventListener("click", onUnitButton);
  }
  setUpTabs(VIEWS, showView);
  window.addEventListener("resize", () => {
    requestRender();
    historyView.redraw();
  });
  unlockAudioOnFirstGesture();
  takeTokenFromAddress();
  redrawForUnits();
  loadScaleDefaults();
  listNewestSession(); // the athletes load with the first status event (onStatus)
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
