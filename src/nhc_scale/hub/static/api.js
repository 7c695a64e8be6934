// Fetch helpers: the login travels as the hub's HttpOnly cookie, so no token lives in the page.
// Every failure becomes an Error whose message a person can act on (the hub's `detail`).

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.name = "ApiError";
    this.status = status;
  }
}

async function readDetail(response) {
  try {
    const body = await response.json();
    if (typeof body.detail === "string") return body.detail;
  } catch {
    // Not JSON (a proxy's error page): fall through to the status line.
  }
  return `The hub answered ${response.status} ${response.statusText}`.trim();
}

export async function request(method, path, body) {
  const init = { method, headers: { Accept: "application/json" }, credentials: "same-origin" };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError("Cannot reach the hub: is it running, and is this computer on its network?", 0);
  }
  if (!response.ok) throw new ApiError(await readDetail(response), response.status);
  if (response.status === 204) return null;
  return response.json();
}

const id = (value) => encodeURIComponent(value);

export const api = {
  me: () => request("GET", "/api/me"),
  login: (username, password) => request("POST", "/api/login", { username, password }),
  logout: () => request("POST", "/api/logout"),
  team: () => request("GET", "/api/team"),
  progress: (uuid) => request("GET", `/api/athletes/${id(uuid)}/progress`),
  athleteSessions: (uuid) => request("GET", `/api/athletes/${id(uuid)}/sessions`),
  session: (uuid) => request("GET", `/api/sessions/${id(uuid)}`),
  trace: (uuid, maxPoints) => request("GET", `/api/sessions/${id(uuid)}/trace?max_points=${maxPoints}`),
  pads: () => request("GET", "/api/pads"),
  pair: (name) => request("POST", "/api/pads", { name }),
  revoke: (padId) => request("POST", `/api/pads/${id(padId)}/revoke`),
};
