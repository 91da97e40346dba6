// Admin: users (add with a sign-in link, deactivate, forget) and guideline documents (upload, re-index).
import { ApiError, getJson, request, sendJson } from "./api.js";
import { $, announce, el, showMessage } from "./dom.js";

const users = {
  form: $("#user-form"),
  table: $("#user-table tbody"),
  created: $("#new-user"),
  error: $("#users-error"),
  search: $("#user-search"),
  count: $("#user-count"),
  labels: $("#cohort-labels"),
};
const guidelines = {
  form: $("#upload-form"),
  file: $("#guideline-file"),
  table: $("#guideline-table tbody"),
  error: $("#guidelines-error"),
  ingest: $("#ingest-button"),
  progress: $("#ingest-progress"),
  status: $("#ingest-status"),
};

function failure(error) {
  return error instanceof ApiError ? error.message : "The connection failed.";
}

// --- users -----------------------------------------------------------------------------------

function userRow(user) {
  const deactivate = el("button", { type: "button", class: "secondary", disabled: !user.active, "aria-label": `Deactivate ${user.name}` }, "Deactivate");
  deactivate.addEventListener("click", () => act(() => sendJson("PATCH", `/users/${user.id}`, { active: false })));
  const forget = el("button", { type: "button", class: "danger", "aria-label": `Forget ${user.name}` }, "Forget");
  forget.addEventListener("click", () => {
    if (window.confirm(`Forget ${user.name}? Their conversations and goals are deleted for good.`)) {
      act(() => request(`/users/${user.id}`, { method: "DELETE" }));
    }
  });
  return el(
    "tr",
    { "data-user-id": user.id },
    el("th", { scope: "row" }, user.name),
    el("td", {}, user.role),
    el("td", {}, cohortField(user)),
    el("td", {}, user.active ? "active" : "inactive"),
    el("td", {}, el("div", { class: "toolbar" }, deactivate, forget)),
  );
}

// The cohort label, edited in place: saved on change, an empty field clears it.
function cohortField(user) {
  const input = el("input", { class: "cohort-input", value: user.cohort || "", maxlength: 100, list: "cohort-labels", "aria-label": `Cohort of ${user.name}` });
  input.addEventListener("change", () => act(() => sendJson("PATCH", `/users/${user.id}`, { cohort: input.value.trim() || null })));
  return input;
}

function filterUsers() {
  const wanted = users.search.value.trim().toLowerCase();
  let shown = 0;
  for (const row of users.table.rows) {
    const text = `${row.cells[0].textContent} ${row.cells[1].textContent} ${row.querySelector(".cohort-input")?.value || ""}`.toLowerCase();
    row.hidden = Boolean(wanted) && !text.includes(wanted);
    if (!row.hidden) shown += 1;
  }
  users.count.textContent = wanted ? `${shown} of ${users.table.rows.length} users` : `${users.table.rows.length} users`;
}

async function act(change) {
  showMessage(users.error, "");
  try {
    await change();
    await loadUsers();
  } catch (error) {
    showMessage(users.error, failure(error));
  }
}

async function loadUsers() {
  const body = await getJson("/users");
  const list = body.data || body;
  users.table.replaceChildren(...list.map(userRow));
  const labels = [...new Set(list.map((u) => u.cohort).filter(Boolean))].sort();
  users.labels.replaceChildren(...labels.map((label) => el("option", { value: label })));
  filterUsers();
}

users.search.addEventListener("input", filterUsers);

function showSignInLink(user, token) {
  const link = `${window.location.origin}/signin?token=${encodeURIComponent(token)}`;
  const copy = el("button", { type: "button", class: "secondary" }, "Copy link");
  copy.addEventListener("click", async () => {
    await navigator.clipboard.writeText(link);
    copy.textContent = "Copied";
  });
  users.created.replaceChildren(
    el("p", {}, `${user.name} can sign in with this link (shown once; send it privately):`),
    el("p", {}, el("code", { id: "signin-link" }, link)),
    copy,
  );
  users.created.hidden = false;
}

users.form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(users.form);
  const body = { name: form.get("name").trim(), role: form.get("role"), cohort: form.get("cohort").trim() || null };
  showMessage(users.error, "");
  try {
    const created = await sendJson("POST", "/users", body);
    showSignInLink(created.user || created, created.token);
    users.form.reset();
    await loadUsers();
  } catch (error) {
    showMessage(users.error, failure(error));
  }
});

// --- guidelines --------------------------------------------------------------------------------

function guidelineRow(doc) {
  return el(
    "tr",
    { "data-name": doc.name },
    el("th", { scope: "row" }, el("a", { href: `/guidelines/${doc.name.split("/").map(encodeURIComponent).join("/")}` }, doc.name)),
    el("td", { class: "num" }, `${Math.max(1, Math.round(doc.bytes / 1024))} KB`),
    el("td", { class: "num" }, String(doc.chunks)),
    el("td", {}, doc.index),
  );
}

async function loadGuidelines() {
  const { data } = await getJson("/admin/guidelines");
  guidelines.table.replaceChildren(...data.map(guidelineRow));
}

guidelines.form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const file = guidelines.file.files[0];
  if (!file) return;
  showMessage(guidelines.error, "");
  try {
    await request(`/admin/guidelines?filename=${encodeURIComponent(file.name)}`, {
      method: "POST",
      body: file,
      headers: { "Content-Type": file.type || "application/octet-stream" },
    });
    announce(guidelines.status, `Uploaded ${file.name}. Indexing it…`);
    guidelines.form.reset();
    await loadGuidelines();
    await followIngest(); // the upload indexes that one file
    await loadGuidelines();
  } catch (error) {
    showMessage(guidelines.error, failure(error));
  }
});

function showProgress(status) {
  guidelines.progress.hidden = status.state !== "running";
  guidelines.progress.max = Math.max(1, status.total);
  guidelines.progress.value = status.done;
  if (status.state === "running") {
    guidelines.status.textContent = status.current
      ? `Indexing ${status.current} (${status.done + 1} of ${status.total})…`
      : "Starting…";
  } else if (status.state === "done") {
    guidelines.status.textContent = `Re-index finished: ${status.summary}.`;
  } else if (status.state === "failed") {
    guidelines.status.textContent = `Re-index failed: ${status.error}`;
  }
}

async function followIngest() {
  for (;;) {
    const status = await getJson("/admin/ingest");
    showProgress(status);
    if (status.state !== "running") return status;
    await new Promise((resolve) => window.setTimeout(resolve, 400));
  }
}

guidelines.ingest.addEventListener("click", async () => {
  guidelines.ingest.disabled = true;
  showMessage(guidelines.error, "");
  try {
    showProgress(await sendJson("POST", "/admin/ingest"));
    await followIngest();
    await loadGuidelines();
  } catch (error) {
    showMessage(guidelines.error, failure(error));
  } finally {
    guidelines.ingest.disabled = false;
  }
});

loadUsers().catch((error) => showMessage(users.error, `Users could not be loaded: ${failure(error)}`));
loadGuidelines().catch((error) => showMessage(guidelines.error, failure(error)));
followIngest().catch(() => {});
