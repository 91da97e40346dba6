// The JSON API, called as the signed-in user: the sign-in cookie goes along by itself, and the
// X-Tandem-CSRF header is what proves the request comes from Tandem's own pages.
// Every request has a deadline; when Tandem cannot be reached, the outage banner says so and offers a retry.
import { reportOutage, reportReachable } from "./outage.js";

export const API = "/api/v1";
export const REQUEST_TIMEOUT_MS = 20_000;
export const UNREACHABLE = "Tandem cannot be reached right now. Check your connection, then retry.";

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

// signal: the caller's own (a Stop button); timeoutMs: null for a stream that enforces its own idle deadline.
export async function request(path, { method = "GET", json, body, headers = {}, signal, timeoutMs = REQUEST_TIMEOUT_MS, retry } = {}) {
  const signals = [signal, timeoutMs ? AbortSignal.timeout(timeoutMs) : null].filter(Boolean);
  const init = {
    method,
    credentials: "same-origin",
    headers: { "X-Tandem-CSRF": "1", ...headers },
    signal: signals.length ? AbortSignal.any(signals) : undefined,
  };
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    init.headers["Content-Type"] = "application/json";
  } else if (body !== undefined) {
    init.body = body;
  }
  let response;
  try {
    response = await fetch(`${API}${path}`, init);
  } catch (error) {
    if (signal?.aborted) throw error;
    reportOutage(retry);
    throw new ApiError(0, UNREACHABLE);
  }
  if (response.status === 401) {
    window.location.assign(`/signin?next=${encodeURIComponent(window.location.pathname)}`);
    throw new ApiError(401, "You are signed out.");
  }
  if (response.status === 502 || response.status === 504) {
    reportOutage(retry);
    throw new ApiError(response.status, UNREACHABLE);
  }
  reportReachable();
  if (!response.ok) throw new ApiError(response.status, await detailOf(response));
  return response;
}

export async function getJson(path, options = {}) {
  return (await request(path, options)).json();
}

export async function sendJson(method, path, json, options = {}) {
  const response = await request(path, { method, json, ...options });
  return response.status === 204 ? null : response.json();
}

export function routeExists(error) {
  return !(error instanceof ApiError && (error.status === 404 || error.status === 405));
}
