// The big number of the Live screen, by the phase of the rep. The phone lies on the floor
// ~1.5 m away, so the number being trained is the biggest thing on the screen at each moment:
//   force   between reps and while the hands land and hold: the live force
//   effort  the force is falling (the detector's "effort"): the effort's minimum so far, never
//           below zero, with the target beside it and the live force small
//   result  after a rep: its minimum, the rep number in its set and the change against the last
//           workout's best, for RESULT_HOLD_MS or until the hands land again
// Pure functions of the page's state: app.js draws what `heroView` returns.

import { formatForce, formatWithUnit } from "./units.js";

export const RESULT_HOLD_MS = 10000;
export const SAME_KG = 0.1; // a change smaller than this is no change (the sensor's noise)

/** The effort's minimum as shown: none outside an effort, never below zero. */
export function effortMinimum(runningMinKg) {
  if (runningMinKg === null || runningMinKg === undefined || !Number.isFinite(runningMinKg)) return null;
  return Math.max(0, runningMinKg);
}

/**
 * @param {{connection: string, sensorOk: boolean, detector: string, runningMinKg: number|null,
 *          result: {at: number}|null, now: number}} s
 */
export function phaseOf(s) {
  if (s.connection !== "live") return "offline";
  if (!s.sensorOk) return "no-sensor";
  if (s.detector === "effort" && effortMinimum(s.runningMinKg) !== null) return "effort";
  if (s.result && s.detector === "idle" && s.now - s.result.at < RESULT_HOLD_MS) return "result";
  return "force";
}

const TARGET_WORDS = { last: "last workout", best: "best ever" };

/** The target in force: the chosen one, else the other one, else null. */
export function targetOf(targets, choice) {
  if (!targets) return null;
  const order = choice === "best" ? ["best", "last"] : ["last", "best"];
  for (const key of order) {
    if (targets[key]) return { key, kg: targets[key].best_min_kg };
  }
  return null;
}

function signedWords(deltaKg, unit, against) {
  const amount = formatForce(Math.abs(deltaKg), unit); // the unit is beside the big number
  if (Math.abs(deltaKg) < SAME_KG) return `Same as ${against}`;
  // Lower is better: less help from the hands.
  return deltaKg < 0 ? `${amount} better than ${against}` : `${amount} more than ${against}`;
}

/**
 * What the hero shows. `result`: {rep, set, repInSet, newBest} of the newest rep.
 * Returns {phase, label, value, force, target, change, note}: `force`, `target`, `change` are ""
 * when not shown; `note` is the "hand moved" note's visibility.
 */
export function heroView({ phase, unit, forceKg, runningMinKg, result, targets, targetChoice, sensorLabel }) {
  const view = { phase, label: "", value: "–", force: "", target: "", change: "", note: false };
  const target = targetOf(targets, targetChoice);
  // No unit: it is beside the big number's, and the line must fit a small phone.
  const targetText = target ? `Target ${formatForce(target.kg, unit)} · ${TARGET_WORDS[target.key]}` : "";
  if (phase === "offline") {
    view.label = "No connection to the scale";
  } else if (phase === "no-sensor") {
    view.label = sensorLabel || "No readings from the sensor";
  } else if (phase === "effort") {
    view.label = "Effort minimum";
    view.value = formatForce(effortMinimum(runningMinKg), unit);
    view.force = `Force now ${formatWithUnit(forceKg, unit)}`;
    view.target = targetText;
  } else if (phase === "result") {
    const { rep } = result;
    view.label = `Set ${result.set} · rep ${result.repInSet}`;
    view.value = formatForce(Math.max(0, rep.min_assistance_kg), unit);
    view.change = resultWords(result, targets, unit);
    view.note = rep.hands_moved === true;
  } else {
    view.label = "Force on the pad";
    view.value = formatForce(forceKg, unit);
    view.target = targetText;
  }
  return view;
}

/** "New best · 0.6 kg better than last workout", "Unassisted", or "" without a last workout. */
export function resultWords(result, targets, unit) {
  const parts = [];
  if (result.rep.unassisted) parts.push("Unassisted: no help from the hands");
  else if (result.newBest) parts.push("New best");
  const last = targets && targets.last;
  if (last && !result.rep.unassisted) {
    parts.push(signedWords(result.rep.min_assistance_kg - last.best_min_kg, unit, "last workout"));
  }
  return parts.join(" · ");
}

/** Whether `rep` beats every earlier workout and every earlier rep of its session. */
export function isNewBest(rep, targets, earlierReps) {
  if (rep.unassisted || !targets || !targets.best) return false;
  const before = Math.min(targets.best.best_min_kg, ...earlierReps.map((r) => r.min_assistance_kg));
  return rep.min_assistance_kg < before - SAME_KG;
}

const SPOKEN_UNITS = { kg: "", N: " newtons", lb: " pounds" };

/** What the phone says after a rep, in its units: "17.4", "17.4, new best", "0, unassisted". */
export function spokenResult(result, unit) {
  const rep = result.rep;
  const number = rep.unassisted ? "0" : formatForce(Math.max(0, rep.min_assistance_kg), unit);
  const words = [`${number}${SPOKEN_UNITS[unit] ?? ""}`];
  if (rep.unassisted) words.push("unassisted");
  else if (result.newBest) words.push("new best");
  if (rep.hands_moved === true) words.push("hand moved");
  return words.join(", ");
}

/**
 * Set N, rep M of each rep: {number -> {set, repInSet}}, from the session summary's sets (their
 * start and end times; a rest of more than 45 s starts a new set, analysis/rep.py).
 */
export function setPlaces(reps, summary) {
  const sets = (summary && summary.sets) || [];
  const places = new Map();
  const counts = new Map();
  for (const rep of [...reps].sort((a, b) => a.start_s - b.start_s)) {
    const found = sets.find((set) => rep.start_s >= set.start_s - 1e-6 && rep.start_s <= set.end_s + 1e-6);
    const set = found ? found.set : sets.length || 1;
    const repInSet = (counts.get(set) || 0) + 1;
    counts.set(set, repInSet);
    places.set(rep.number, { set, repInSet });
  }
  return places;
}
