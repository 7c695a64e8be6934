// Small text helpers for the hub's tables. Forces come in kg; the hub page shows kg (a coach's
// table compares athletes, so one unit for all).

import { formatWithUnit } from "/shared/units.js";

export const kg = (value) => formatWithUnit(value, "kg");

export function signedKg(value) {
  if (value === null || value === undefined) return "–";
  const text = Math.abs(value).toFixed(1);
  if (Number(text) === 0) return "±0.0 kg";
  return `${value < 0 ? "−" : "+"}${text} kg`;
}

export function day(iso) {
  if (!iso) return "–";
  return new Date(iso).toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
}

export function moment(iso) {
  if (!iso) return "never";
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** "reaches zero around 12 May 2026 (3 Apr – 30 Jun)" or the reason there is no date. */
export function forecastText(forecast) {
  if (!forecast) return "–";
  if (forecast.status === "forecast") return `${day(forecast.date)} (${day(forecast.earliest)} – ${day(forecast.latest)})`;
  if (forecast.status === "reached") return "reached";
  return "not enough data";
}

export function cell(text, { testid, title, className } = {}) {
  const td = document.createElement("td");
  td.textContent = text;
  if (testid) td.dataset.testid = testid;
  if (title) td.title = title;
  if (className) td.className = className;
  return td;
}
