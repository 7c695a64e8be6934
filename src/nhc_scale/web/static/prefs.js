// This phone's preferences: units, sound, voice and the target shown beside the effort. They are
// the phone's own (localStorage), not the scale's: a visitor can mute their phone, and lb on one
// phone does not switch every phone in the room. No token is needed to change them.
//
// A phone that has chosen nothing yet starts from the scale's defaults (GET /api/settings: the
// `units` and `sound` an admin set for every new phone, docs/api.md).

import { UNITS } from "./units.js";

const STORAGE_KEY = "nhc-scale.phone-prefs";
const TARGETS = ["last", "best"]; // the last training day's best, or the best of all days before

export const DEFAULTS = Object.freeze({ units: "kg", sound: true, voice: true, target: "last" });

/** Keeps only known keys with valid values: storage may hold another version's, or junk. */
function checked(values) {
  const out = {};
  if (!values || typeof values !== "object") return out;
  if (UNITS.includes(values.units)) out.units = values.units;
  for (const flag of ["sound", "voice"]) {
    if (typeof values[flag] === "boolean") out[flag] = values[flag];
  }
  if (TARGETS.includes(values.target)) out.target = values.target;
  return out;
}

function readStored() {
  try {
    return checked(JSON.parse(localStorage.getItem(STORAGE_KEY) || "{}"));
  } catch {
    return {}; // unreadable, or storage disabled (private mode): the defaults
  }
}

export class PhonePrefs {
  constructor() {
    this.chosen = readStored(); // what this phone chose; the rest follows the scale's defaults
    this.scaleDefaults = {};
  }

  /** The scale's defaults for new phones (its /api/settings), under this phone's choices. */
  setScaleDefaults(settings) {
    this.scaleDefaults = checked({ units: settings.units, sound: settings.sound });
  }

  get current() {
    return { ...DEFAULTS, ...this.scaleDefaults, ...this.chosen };
  }

  /** Remembers `change` on this phone; returns the preferences now in force. */
  save(change) {
    this.chosen = { ...this.chosen, ...checked(change) };
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify(this.chosen));
    } catch {
      // Not remembered across reloads (storage disabled); in force until then.
    }
    return this.current;
  }
}
