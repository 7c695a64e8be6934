// The team table: one row per athlete, from every pad (GET /api/team).

import { api } from "./api.js";
import { cell, day, forecastText, kg, signedKg } from "./format.js";

const $ = (id) => document.getElementById(id);

function strengthText(strength) {
  if (!strength) return "–";
  const band = `${Math.round(strength.ankle_force_per_leg_low_n)}–${Math.round(strength.ankle_force_per_leg_high_n)}`;
  const below = strength.below_thresholds_n;
  // The lowest threshold it is under is the one that matters most (eccentric: see the caveat).
  const flag = below.length ? ` · under ${Math.round(Math.min(...below))}*` : "";
  return `${Math.round(strength.ankle_force_per_leg_n)} N (${band})${flag}`;
}

function strengthTitle(strength) {
  if (!strength) return "";
  const below = strength.below_thresholds_n;
  return below.length ? `below the ${below.map(Math.round).join(", ")} N thresholds (eccentric); ours is concentric` : "above every published threshold (eccentric); ours is concentric";
}

function row(item, onOpen) {
  const tr = document.createElement("tr");
  tr.dataset.testid = "team-row";
  tr.dataset.athlete = item.athlete.uuid;
  const name = document.createElement("td");
  const open = document.createElement("button");
  open.type = "button";
  open.className = "link";
  open.textContent = item.athlete.name;
  open.dataset.testid = "athlete-link";
  open.addEventListener("click", () => onOpen(item.athlete));
  name.append(open);
  const last = item.last_session;
  const change = item.change_kg;
  tr.append(
    name,
    cell(last ? `${day(last.started_at)} · ${last.pad_name ?? "?"}` : "none yet", { testid: "last-session" }),
    cell(kg(item.best_min_kg), { testid: "best-min" }),
    cell(signedKg(change), { className: change === null ? "" : change <= 0 ? "better" : "worse" }),
    cell(item.trend ? `${signedKg(item.trend.slope_kg_per_week)}/week` : "–"),
    cell(forecastText(item.forecast), { title: item.forecast?.reason ?? "" }),
    cell(strengthText(item.strength), { testid: "force", title: strengthTitle(item.strength) }),
  );
  return tr;
}

export async function showTeam(onOpen) {
  const data = await api.team();
  $("team-rows").replaceChildren(...data.athletes.map((item) => row(item, onOpen)));
  $("team-empty").hidden = data.athletes.length > 0;
  const values = data.strength.thresholds.map((t) => Math.round(t.value_n)).join(" · ");
  $("thresholds").textContent = `Force per leg: a NordBord-style estimate at the last session's best minimum, beside the published injury-risk thresholds ${values} N per leg (eccentric); * marks the lowest threshold a force is under.`;
  $("caveat").textContent = data.strength.caveat;
  return data;
}
