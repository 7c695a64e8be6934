// Force units. The server speaks kg only (docs/api.md); conversion happens here, at display time,
// so a change of unit never touches stored data.

export const UNITS = ["kg", "N", "lb"];

const PER_KG = { kg: 1, N: 9.80665, lb: 2.20462 };
// Newtons are big numbers: a decimal would only add a flickering digit.
const DECIMALS = { kg: 1, N: 0, lb: 1 };

export function fromKg(kg, unit) {
  return kg * (PER_KG[unit] ?? 1);
}

/** The number alone, e.g. "12.4"; "–" when there is no value. Never shows "-0.0". */
export function formatForce(kg, unit) {
  if (kg === null || kg === undefined || !Number.isFinite(kg)) return "–";
  const text = fromKg(kg, unit).toFixed(DECIMALS[unit] ?? 1);
  return Number(text) === 0 ? (0).toFixed(DECIMALS[unit] ?? 1) : text;
}

/** The number with its unit, e.g. "12.4 kg". */
export function formatWithUnit(kg, unit) {
  const number = formatForce(kg, unit);
  return number === "–" ? number : `${number} ${unit}`;
}
