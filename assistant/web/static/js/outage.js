// The outage banner: shown when a request cannot reach Tandem (or the browser is offline), with a
// Retry button that repeats what failed; it checks /api/v1/health every few seconds and hides itself
// when Tandem answers again.
const HEALTH = "/api/v1/health";
const CHECK_EVERY_MS = 5_000;
let pendingRetry = null;
let timer = null;

function banner() {
  let node = document.getElementById("outage");
  if (node) return node;
  node = document.createElement("div");
  node.id = "outage";
  node.className = "outage";
  node.setAttribute("role", "alert");
  node.hidden = true;
  const text = document.createElement("p");
  text.className = "outage-text";
  const button = document.createElement("button");
  button.type = "button";
  button.className = "secondary";
  button.textContent = "Retry";
  button.addEventListener("click", () => retryNow());
  node.append(text, button);
  document.body.prepend(node);
  return node;
}

async function reachable() {
  try {
    const response = await fetch(HEALTH, { cache: "no-store", signal: AbortSignal.timeout(4_000) });
    return response.ok;
  } catch {
    return false;
  }
}

async function retryNow() {
  if (!(await reachable())) return;
  const retry = pendingRetry;
  reportReachable();
  if (retry) retry();
}

const DOWN = "Tandem cannot be reached. Nothing you sent before is lost; retry when you are back online.";
const BACK = "Tandem is reachable again.";

function say(text) {
  banner().querySelector(".outage-text").textContent = text;
}

export function reportOutage(retry) {
  if (retry) pendingRetry = retry;
  say(DOWN);
  banner().hidden = false;
  if (!timer) {
    timer = window.setInterval(async () => {
      if (!navigator.onLine || !(await reachable())) return;
      if (pendingRetry) say(BACK);
      else reportReachable();
    }, CHECK_EVERY_MS);
  }
}

export function reportReachable() {
  const node = document.getElementById("outage");
  if (node) node.hidden = true;
  pendingRetry = null;
  if (timer) window.clearInterval(timer);
  timer = null;
}

window.addEventListener("offline", () => reportOutage());
window.addEventListener("online", () => retryNow());
