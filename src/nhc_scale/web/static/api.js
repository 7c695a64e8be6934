// Fetch helpers: every failure becomes an Error whose message a person can act on, because the
// page shows error messages as they are (the server's `detail` sentences are written for that).

export class ApiError extends Error {
  /** `body`: the refusal's JSON ({"detail", and e.g. a tare's "reason" and numbers}), or {}. */
  constructor(message, status, body = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.body = body;
  }
}

async function refusal(response) {
  try {
    const body = await response.json();
    if (body && typeof body.detail === "string") return new ApiError(body.detail, response.status, body);
  } catch {
    // Not JSON (a proxy's error page, say): fall through to the status line.
  }
  return new ApiError(`The scale answered ${response.status} ${response.statusText}`.trim(), response.status);
}

/** `token`: the admin token, which every change needs (see token.js); reads go without it. */
export async function request(method, path, body, token = "") {
  const init = { method, headers: { Accept: "application/json" } };
  if (token) init.headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError("Cannot reach the scale: is the phone on its Wi-Fi?", 0);
  }
  if (!response.ok) throw await refusal(response);
  if (response.status === 204) return null;
  return response.json();
}

// Reads take no token; changes take the admin token as their last argument.
export const api = {
  settings: () => request("GET", "/api/settings"),
  tare: (token, anyway = false) => request("POST", `/api/tare${anyway ? "?anyway=true" : ""}`, undefined, token),
  sendClock: (phoneTimeUnix, token) =>
    request("POST", "/api/clock", { phone_time_unix: phoneTimeUnix }, token),
  sessions: () => request("GET", "/api/sessions"),
  session: (id) => request("GET", `/api/sessions/${id}`),
  startSession: (token) => request("POST", "/api/sessions", {}, token),
  stopSession: (id, token) => request("POST", `/api/sessions/${id}/stop`, undefined, token),
  renameSession: (id, name, token) => request("PATCH", `/api/sessions/${id}`, { name }, token),
  deleteSession: (id, token) => request("DELETE", `/api/sessions/${id}`, undefined, token),
  trace: (id, maxPoints) => request("GET", `/api/sessions/${id}/trace?max_points=${maxPoints}`),
  progress: () => request("GET", "/api/progress"),
  patchSession: (id, changes, token) => request("PATCH", `/api/sessions/${id}`, changes, token),
  strengthInfo: () => request("GET", "/api/strength"),
  athletes: () => request("GET", "/api/athletes"),
  createAthlete: (fields, token) => request("POST", "/api/athletes", fields, token),
  updateAthlete: (id, fields, token) => request("PATCH", `/api/athletes/${id}`, fields, token),
  deleteAthlete: (id, unassign, token) =>
    request("DELETE", `/api/athletes/${id}${unassign ? "?unassign=true" : ""}`, undefined, token),
  setActiveAthlete: (athleteId, token) =>
    request("PUT", "/api/athletes/active", { athlete_id: athleteId }, token),
  // The pad's team hub (docs/api.md, "Team hub").
  hubState: () => request("GET", "/api/hub"),
  pairHub: (hubUrl, padToken, token) =>
    request("PUT", "/api/hub", { hub_url: hubUrl, pad_token: padToken }, token),
  unpairHub: (token) => request("DELETE", "/api/hub", undefined, token),
  syncHubNow: (token) => request("POST", "/api/hub/sync", undefined, token),
  // Changes nothing (an empty settings change): whether the scale takes this token.
  checkToken: (token) => request("PUT", "/api/settings", {}, token),
  recordRelaxed: (id, token) => request("POST", `/api/athletes/${id}/relaxed`, undefined, token),
  athleteProgress: (id, variation) =>
    request("GET", `/api/athletes/${id}/progress?variation=${encodeURIComponent(variation)}`),
};
