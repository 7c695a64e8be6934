// The strength estimate beside the published thresholds (docs/strength.md). The numbers come
// from the server with each assisted rep of a session that has an athlete; this module only
// shows them, always with the caveat: ours is a concentric estimate, the thresholds eccentric.

const $ = (id) => document.getElementById(id);

export function hasStrength(rep) {
  return Boolean(rep) && typeof rep.torque_nm === "number";
}

/** The rep with the lowest minimum among those with an estimate: the strongest pull. */
export function bestStrengthRep(reps) {
  let best = null;
  for (const rep of reps) {
    if (hasStrength(rep) && (best === null || rep.min_assistance_kg < best.min_assistance_kg)) best = rep;
  }
  return best;
}

const round = (value) => String(Math.round(value));

export function torqueText(rep) {
  return `${round(rep.torque_nm)} N·m`;
}

export function torqueBand(rep) {
  return `${round(rep.torque_low_nm)}–${round(rep.torque_high_nm)}`;
}

export function forceText(rep) {
  return `${round(rep.ankle_force_per_leg_n)} N`;
}

export function forceBand(rep) {
  return `${round(rep.ankle_force_per_leg_low_n)}–${round(rep.ankle_force_per_leg_high_n)}`;
}

export function perKgText(rep) {
  return `${rep.n_per_kg.toFixed(1)} N/kg`;
}

/** One line for lists: "280 N·m (241–285) · 358 N/leg (303–371) · 5.1 N/kg". */
export function strengthLine(rep) {
  if (!hasStrength(rep)) return "";
  const share = typeof rep.hamstring_share === "number" ? ` · hamstrings ${Math.round(rep.hamstring_share * 100)} %` : "";
  return `${torqueText(rep)} (${torqueBand(rep)}) · ${forceText(rep)}/leg (${forceBand(rep)}) · ${perKgText(rep)}${share}`;
}

function cell(main, band) {
  const td = document.createElement("td");
  const value = document.createElement("span");
  value.className = "strength-value";
  value.textContent = main;
  td.append(value);
  if (band) {
    const small = document.createElement("span");
    small.className = "strength-band";
    small.textContent = band;
    td.append(small);
  }
  return td;
}

function row(label, rep, testid) {
  const tr = document.createElement("tr");
  tr.dataset.testid = testid;
  const th = document.createElement("th");
  th.scope = "row";
  th.textContent = label;
  tr.append(th, cell(torqueText(rep), torqueBand(rep)), cell(forceText(rep), forceBand(rep)), cell(perKgText(rep)));
  return tr;
}

/** The live panel: last rep and session best, thresholds and caveat; hidden without numbers. */
export function renderStrengthPanel(reps, info, athleteName) {
  const panel = $("strength-panel");
  const withNumbers = reps.filter(hasStrength);
  panel.hidden = withNumbers.length === 0;
  if (panel.hidden) return;
  const last = withNumbers[withNumbers.length - 1];
  const best = bestStrengthRep(withNumbers);
  $("strength-athlete").textContent = athleteName ? `· ${athleteName}` : "";
  $("strength-rows").replaceChildren(row("Last", last, "strength-last"), row("Best", best, "strength-best"));
  const share = $("strength-share");
  share.hidden = typeof last.hamstring_share !== "number";
  if (!share.hidden) {
    share.textContent = `Hamstrings took ${Math.round(last.hamstring_share * 100)} % of the relaxed load on the last rep (best ${Math.round(best.hamstring_share * 100)} %).`;
  }
  renderThresholds(info, best);
}

/** The thresholds as a one-line summary that opens to populations, citations and caveat. */
export function renderThresholds(info, best) {
  if (!info) return;
  const values = info.thresholds.map((t) => Math.round(t.value_n)).join(" · ");
  const where = best ? ` — yours ${round(best.ankle_force_per_leg_n)} N (concentric)` : "";
  $("strength-thresholds").textContent = `Injury-risk thresholds ${values} N/leg (eccentric)${where}`;
  $("strength-caveat").textContent = info.caveat;
  $("threshold-list").replaceChildren(
    ...info.thresholds.map((t) => {
      const item = document.createElement("li");
      item.textContent = `< ${Math.round(t.value_n)} N: ${t.population}, ${t.timing}; ${t.risk}. ${t.citation} doi:${t.doi}`;
      return item;
    }),
  );
}
