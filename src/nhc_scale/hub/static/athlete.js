// An athlete across every pad: progress with trend and forecast, sessions, one session's trace.

import { drawProgress, drawSessionTrace } from "/shared/charts.js";
import { strengthLine } from "/shared/strength.js";
import { api } from "./api.js";
import { cell, day, forecastText, kg, moment } from "./format.js";

const $ = (id) => document.getElementById(id);
const identity = (value) => value;

let drawn = null; // what the charts show, redrawn on resize

export function redraw() {
  if (!drawn) return;
  if (drawn.progress) drawProgress($("progress-chart"), drawn.progress.points, { convert: identity, trend: drawn.progress.trend, forecast: drawn.progress.forecast });
  if (drawn.trace) drawSessionTrace($("session-trace"), drawn.trace, { convert: identity });
}

function repItem(rep) {
  const li = document.createElement("li");
  const strength = strengthLine(rep);
  li.textContent = `${kg(rep.min_assistance_kg)}${rep.unassisted ? " (unassisted)" : ""}${strength ? ` · ${strength}` : ""}`;
  return li;
}

async function openSession(session) {
  $("session-detail").hidden = false;
  $("session-title").textContent = `${moment(session.started_at)} · ${session.pad_name ?? "?"} · ${session.rep_count} reps`;
  const [detail, trace] = await Promise.all([api.session(session.uuid), api.trace(session.uuid, 2000)]);
  $("rep-list").replaceChildren(...detail.reps.map(repItem));
  $("trace-note").textContent = trace.samples ? "" : "The pad sent this session without its samples: reps only.";
  drawn.trace = trace;
  redraw();
}

function sessionRow(session) {
  const tr = document.createElement("tr");
  tr.dataset.testid = "session-row";
  const when = document.createElement("td");
  const open = document.createElement("button");
  open.type = "button";
  open.className = "link";
  open.textContent = day(session.started_at);
  open.addEventListener("click", () => openSession(session).catch((error) => window.dispatchEvent(new CustomEvent("hub-error", { detail: error }))));
  when.append(open);
  tr.append(when, cell(session.pad_name ?? "?"), cell(session.variation), cell(String(session.rep_count)), cell(kg(session.best_min_kg)));
  return tr;
}

export async function showAthlete(athlete) {
  $("athlete-name").textContent = athlete.name;
  $("session-detail").hidden = true;
  const [progress, list] = await Promise.all([api.progress(athlete.uuid), api.athleteSessions(athlete.uuid)]);
  drawn = { progress, trace: null };
  const pads = new Set(progress.points.map((p) => p.pad_name));
  $("athlete-summary").textContent = `${progress.points.length} assisted sessions with reps, from ${pads.size} pad${pads.size === 1 ? "" : "s"}; ${progress.athlete.body_mass_kg} kg, ${progress.athlete.height_m} m.`;
  const trend = progress.trend ? ` Trend ${progress.trend.slope_kg_per_week.toFixed(2)} kg/week.` : "";
  $("forecast").textContent = `Zero by: ${forecastText(progress.forecast)} — ${progress.forecast.reason}.${trend}`;
  $("training-notes").replaceChildren(
    ...progress.training_notes.map((note) => {
      const li = document.createElement("li");
      li.textContent = note.message;
      return li;
    }),
  );
  $("session-rows").replaceChildren(...list.sessions.map(sessionRow));
  redraw();
}
