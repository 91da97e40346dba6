// The JSON API, called as the signed-in user: the sign-in cookie goes along by itself, and the
// X-Tandem-CSRF header is what proves the request comes from Tandem's own pages.

export const API = "/api/v1";

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

async function detailOf(response) {
  try {
    const body = await response.json();
    if (typeof body.detail === "string") return body.detail;
  } catch {
    // not JSON: fall through to the status line
  }
  return `the request failed (${response.status})`;
}

export async function request(path, { method = "GET", json, body, headers = {} } = {}) {
  const init = { method, credentials: "same-origin", headers: { "X-Tandem-CSRF": "1", ...headers } };
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    init.headers["Content-Type"] = "application/json";
  } else if (body !== undefined) {
    init.body = body;
  }
  const response = await fetch(`${API}${path}`, init);
  if (response.status === 401) {
    window.location.assign(`/signin?next=${encodeURIComponent(window.location.pathname)}`);
    throw new ApiError(401, "You are signed out.");
  }
  if (!response.ok) throw new ApiError(response.status, await detailOf(response));
  return response;
}

export async function getJson(path) {
  return (await request(path)).json();
}

export async function sendJson(method, path, json) {
  const response = await request(path, { method, json });
  return response.status === 204 ? null : response.json();
}

export function routeExists(error) {
  return !(error instanceof ApiError && (error.status === 404 || error.status === 405));
}
