// The participant workspace: conversations, a chat in one of four modes, and the mode's side panel.
import { ApiError, getJson, sendJson } from "./api.js";
import { $, announce, el, showMessage } from "./dom.js";
import { renderGoalPanel } from "./goal-panel.js";
import { messageNode, StreamingReply } from "./messages.js";
import { renderPlanPanel } from "./plan-panel.js";
import { renderRehearsePanel } from "./rehearse-panel.js";
import { streamMessage, streamRetry } from "./sse.js";

const MODES = {
  ask: { label: "Ask", prompt: "Your question", hint: "Ask about the program's guidelines." },
  goal: { label: "Goal", prompt: "Your draft goal", hint: "Write a development goal; each draft gets a SMART check." },
  plan: { label: "Plan", prompt: "Describe the session", hint: "For example: “Plan a 30 minute remote session”." },
  rehearse: { label: "Rehearse", prompt: "Your line to the persona", hint: "Say your feedback as you would; “end rehearsal” for a summary." },
};

const ui = {
  list: $("#conversation-list"),
  empty: $("#conversation-empty"),
  startPanel: $("#start-panel"),
  startForm: $("#start-form"),
  startError: $("#start-error"),
  planOptions: $("#plan-options"),
  personaOptions: $("#persona-options"),
  chatPanel: $("#chat-panel"),
  title: $("#chat-title"),
  mode: $("#chat-mode"),
  messages: $("#messages"),
  status: $("#chat-status"),
  composer: $("#composer"),
  input: $("#message"),
  label: $("#message-label"),
  hint: $("#composer-hint"),
  send: $("#send"),
  stop: $("#stop"),
  cancelEdit: $("#cancel-edit"),
  tools: $(".chat-tools"),
  renameForm: $("#rename-form"),
  renameTitle: $("#rename-title"),
  composerError: $("#composer-error"),
  side: $("#side-panel"),
  conversations: $("#conversations-drawer"),
  openConversations: $("#open-conversations"),
  openDetails: $("#open-details"),
  backdrop: $("#drawer-backdrop"),
};

const CUT_OFF = "The connection closed before the answer was complete. Your message is saved and Tandem finishes the answer: it appears here when it is stored.";
const STOPPED = "Stopped showing the answer. Your message is saved and Tandem finishes the answer: it appears here when it is stored.";
const STORED_REPLY_CHECKS_MS = [1_500, 3_000, 5_000, 10_000, 20_000, 40_000];
let current = null;
let turn = null; // the answer being streamed: { controller }
let editing = false;

function markCurrentInList() {
  for (const button of ui.list.querySelectorAll("button")) {
    button.setAttribute("aria-current", String(Boolean(current) && button.dataset.id === current.id));
  }
}

async function loadConversations() {
  const { data } = await getJson("/conversations?limit=100");
  ui.list.replaceChildren(
    ...data.map((conversation) =>
      el(
        "li",
        {},
        el(
          "button",
          { type: "button", "data-id": conversation.id, onclick: () => openConversation(conversation.id) },
          el("span", { class: "conversation-title" }, conversation.title || "New conversation"),
          el("span", { class: "mode-badge" }, MODES[conversation.mode].label),
        ),
      ),
    ),
  );
  ui.empty.hidden = data.length > 0;
  markCurrentInList();
  return data;
}

function lastReplyWith(key) {
  return [...current.messages].reverse().find((m) => m.role === "assistant" && m.data && m.data[key]);
}

// Below 960 px the conversation list and the mode's panel are drawers (CSS); these open and close them.
let drawerOpener = null;

function openDrawer(drawer, button) {
  closeDrawers({ restoreFocus: false });
  drawer.classList.add("open");
  button.setAttribute("aria-expanded", "true");
  ui.backdrop.hidden = false;
  drawerOpener = button;
  drawer.querySelector("button, a[href], input, select, textarea")?.focus();
}

function closeDrawers({ restoreFocus = true } = {}) {
  const wasOpen = document.querySelector(".drawer.open");
  for (const drawer of document.querySelectorAll(".drawer.open")) drawer.classList.remove("open");
  for (const button of [ui.openConversations, ui.openDetails]) button.setAttribute("aria-expanded", "false");
  ui.backdrop.hidden = true;
  if (wasOpen && restoreFocus && drawerOpener && drawerOpener.offsetParent !== null) drawerOpener.focus();
}

function drawerClose() {
  return el("button", { type: "button", class: "link-button drawer-close", onclick: () => closeDrawers() }, "Close");
}

function renderSidePanel() {
  ui.side.hidden = current.mode === "ask";
  ui.openDetails.hidden = current.mode === "ask";
  ui.chatPanel.classList.toggle("wide", current.mode === "ask");
  if (current.mode === "goal") renderGoalPanel(ui.side, lastReplyWith("goal_check"));
  else if (current.mode === "plan") renderPlanPanel(ui.side, lastReplyWith("agenda"), current);
  else if (current.mode === "rehearse") renderRehearsePanel(ui.side, current.messages, current, { onEnd: () => runTurn("send", "end rehearsal") });
  ui.side.prepend(drawerClose());
}

function scrollToEnd() {
  ui.composer.scrollIntoView({ block: "nearest" });
}

function showStart() {
  current = null;
  closeDrawers({ restoreFocus: false });
  ui.openDetails.hidden = true;
  ui.startPanel.hidden = false;
  ui.chatPanel.hidden = true;
  ui.side.hidden = true;
  window.history.replaceState(null, "", "/app");
  markCurrentInList();
}

async function openConversation(id, { focus = true } = {}) {
  const detail = await getJson(`/conversations/${encodeURIComponent(id)}`);
  closeDrawers({ restoreFocus: false });
  current = detail;
  const mode = MODES[detail.mode];
  ui.startPanel.hidden = true;
  ui.chatPanel.hidden = false;
  ui.title.textContent = detail.title || "New conversation";
  ui.mode.textContent = `${mode.label} mode`;
  ui.label.textContent = mode.prompt;
  if (editing) endEdit();
  showRename(false);
  renderMessages();
  showMessage(ui.composerError, "");
  renderSidePanel();
  window.history.replaceState(null, "", `/app#${detail.id}`);
  markCurrentInList();
  scrollToEnd();
  if (focus) ui.input.focus();
}

/** The server finishes and stores a reply whose stream was stopped or cut: fetch it when it lands. */
async function showStoredReply(id, known) {
  for (const wait of STORED_REPLY_CHECKS_MS) {
    await new Promise((resolve) => window.setTimeout(resolve, wait));
    if (turn || current?.id !== id) return;
    let detail;
    try {
      detail = await getJson(`/conversations/${encodeURIComponent(id)}`);
    } catch {
      continue;
    }
    if (turn || current?.id !== id) return;
    if (detail.messages.length > known && detail.messages.at(-1)?.role === "assistant") {
      current = detail;
      renderMessages();
      renderSidePanel();
      announce(ui.status, "Tandem's answer is here.");
      return;
    }
  }
}

function chosenMode() {
  return new FormData(ui.startForm).get("mode");
}

function syncStartOptions() {
  const mode = chosenMode();
  for (const [fieldset, wanted] of [[ui.planOptions, "plan"], [ui.personaOptions, "rehearse"]]) {
    fieldset.hidden = mode !== wanted;
    fieldset.disabled = mode !== wanted;
  }
}

async function startConversation(event) {
  event.preventDefault();
  const form = new FormData(ui.startForm);
  const body = { title: form.get("title").trim(), mode: form.get("mode") };
  if (body.mode === "plan") {
    body.plan = { minutes: Number(form.get("minutes")), format: form.get("format"), session: form.get("session") };
  } else if (body.mode === "rehearse") {
    body.persona = {
      name: form.get("persona_name").trim(),
      attitude: form.get("attitude"),
      role: form.get("role").trim(),
      tenure_years: Number(form.get("tenure_years")),
    };
  }
  showMessage(ui.startError, "");
  try {
    const conversation = await sendJson("POST", "/conversations", body);
    await openConversation(conversation.id);
    await loadConversations();
  } catch (error) {
    showMessage(ui.startError, error instanceof ApiError ? error.message : "Could not start: the connection failed.");
  }
}

function lastIndexOf(role) {
  for (let i = current.messages.length - 1; i >= 0; i -= 1) if (current.messages[i].role === role) return i;
  return -1;
}

// Copy on every reply; regenerate on the last reply and edit on the last message of yours, when idle.
function actionsFor(index) {
  if (turn) return {};
  const message = current.messages[index];
  const lastUser = lastIndexOf("user");
  if (message.role === "user") return index === lastUser ? { edit: beginEdit } : {};
  return index === current.messages.length - 1 && lastUser >= 0 ? { regenerate: () => runTurn("retry") } : {};
}

// In a rehearsal the persona speaks under its own name; the closing summary is Tandem's.
function speakerOf(message) {
  if (message.data?.speaker) return message.data.speaker;
  const persona = current.state?.persona;
  if (current.mode !== "rehearse" || !persona || message.data?.summary) return "Tandem";
  return persona.name ? `${persona.name} (${persona.role})` : "Senior colleague";
}

function renderMessages() {
  ui.messages.replaceChildren(
    ...current.messages.map((message, index) => messageNode(message, actionsFor(index), speakerOf(message))),
  );
  const ended = Boolean(current.state?.ended);
  ui.input.disabled = ended;
  ui.send.disabled = ended;
  ui.hint.textContent = ended ? "This rehearsal has ended: start a new conversation to practise again." : `${MODES[current.mode].hint} Enter sends; Shift+Enter starts a new line.`;
}

function setBusy(busy) {
  ui.send.hidden = busy;
  ui.stop.hidden = !busy;
  ui.cancelEdit.hidden = busy || !editing;
}

function beginEdit() {
  const last = current.messages[lastIndexOf("user")];
  editing = true;
  ui.input.value = last.content;
  ui.label.textContent = "Edit your last message";
  ui.send.textContent = "Resend";
  ui.cancelEdit.hidden = false;
  ui.input.focus();
}

function endEdit() {
  editing = false;
  ui.label.textContent = MODES[current.mode].prompt;
  ui.send.textContent = "Send";
  ui.cancelEdit.hidden = true;
}

// kind: "send" a new message, "retry" (regenerate the last reply) or "edit" (change the last message, resend).
async function runTurn(kind, content) {
  if (turn || !current) return;
  const conversation = current;
  const controller = new AbortController();
  turn = { controller };
  let question = null;
  if (kind === "send") {
    question = { role: "user", content };
  } else {
    const lastUser = lastIndexOf("user");
    conversation.messages.splice(lastUser + 1);
    if (kind === "edit") conversation.messages[lastUser] = { ...conversation.messages[lastUser], content, html: "" };
  }
  renderMessages();
  const questionNode = question ? messageNode(question) : null;
  const reply = new StreamingReply();
  ui.messages.append(...[questionNode, reply.node].filter(Boolean));
  showMessage(ui.composerError, "");
  setBusy(true);
  announce(ui.status, "Tandem is answering…");
  scrollToEnd();
  let accepted = kind !== "send";
  let ended = false;
  const again = () => runTurn("retry");
  const handlers = {
    accepted: ({ message_id }) => {
      accepted = true;
      if (!question) return;
      question.id = message_id;
      conversation.messages.push(question);
      ui.input.value = "";
    },
    token: ({ text }) => {
      reply.append(text);
      scrollToEnd();
    },
    reset: () => reply.reset(),
    done: (stored) => {
      ended = true;
      conversation.messages.push(stored);
      if (stored.data?.summary) conversation.state = { ...conversation.state, ended: true };
      announce(ui.status, `Tandem answered: ${stored.content.slice(0, 300)}`);
    },
    error: ({ detail }) => {
      ended = true;
      reply.fail(detail, again);
      announce(ui.status, detail);
    },
  };
  try {
    if (kind === "send") await streamMessage(conversation.id, content, handlers, { signal: controller.signal, retry: () => ui.composer.requestSubmit() });
    else await streamRetry(conversation.id, kind === "edit" ? content : undefined, handlers, { signal: controller.signal, retry: again });
    if (kind === "edit") ui.input.value = "";
    if (!ended) {
      reply.fail(CUT_OFF, again);
      showStoredReply(conversation.id, conversation.messages.length);
    }
  } catch (error) {
    const stopped = controller.signal.aborted;
    if (accepted) {
      reply.fail(stopped ? STOPPED : error instanceof ApiError ? error.message : CUT_OFF, again);
      if (!(error instanceof ApiError) || stopped) showStoredReply(conversation.id, conversation.messages.length);
    } else {
      questionNode?.remove();
      reply.node.remove();
      showMessage(ui.composerError, error instanceof ApiError ? error.message : "Not sent: the connection failed.");
    }
  } finally {
    turn = null;
    if (editing) endEdit();
    setBusy(false);
  }
  if (current === conversation) {
    if (ended && conversation.messages.at(-1)?.role === "assistant") renderMessages();
    else reply.node.querySelector(".message-actions button")?.focus({ preventScroll: true });
    renderSidePanel();
    scrollToEnd();
  }
  try {
    const listed = (await loadConversations()).find((c) => c.id === conversation.id);
    if (listed && current === conversation && !conversation.title) {
      conversation.title = listed.title;
      ui.title.textContent = listed.title;
    }
  } catch {
    // the list refreshes with the next turn; an outage is already on the banner
  }
}

function sendMessage(event) {
  event.preventDefault();
  const content = ui.input.value.trim();
  if (!content || !current || turn) return;
  runTurn(editing ? "edit" : "send", content);
}

function showRename(show) {
  ui.renameForm.hidden = !show;
  ui.title.hidden = show;
  ui.tools.hidden = show;
  if (show) {
    ui.renameTitle.value = current.title || "";
    ui.renameTitle.select();
    ui.renameTitle.focus();
  }
}

async function renameConversation(event) {
  event.preventDefault();
  const title = ui.renameTitle.value.trim();
  if (!title) return;
  try {
    const renamed = await sendJson("PATCH", `/conversations/${encodeURIComponent(current.id)}`, { title });
    current.title = renamed.title;
    ui.title.textContent = renamed.title;
    showRename(false);
    await loadConversations();
  } catch (error) {
    showMessage(ui.composerError, error instanceof ApiError ? error.message : "Not renamed: the connection failed.");
  }
}

async function deleteConversation() {
  if (!current || !window.confirm(`Delete “${current.title || "this conversation"}” and all its messages?`)) return;
  try {
    await sendJson("DELETE", `/conversations/${encodeURIComponent(current.id)}`);
    showStart();
    await loadConversations();
    announce(ui.status, "Conversation deleted.");
  } catch (error) {
    showMessage(ui.composerError, error instanceof ApiError ? error.message : "Not deleted: the connection failed.");
  }
}

ui.startForm.addEventListener("change", syncStartOptions);
ui.startForm.addEventListener("submit", startConversation);
ui.composer.addEventListener("submit", sendMessage);
ui.input.addEventListener("keydown", (event) => {
  if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
  event.preventDefault();
  ui.composer.requestSubmit();
});
ui.stop.addEventListener("click", () => turn?.controller.abort());
ui.cancelEdit.addEventListener("click", () => {
  endEdit();
  ui.input.value = "";
});
$("#rename-conversation").addEventListener("click", () => showRename(true));
$("#rename-cancel").addEventListener("click", () => showRename(false));
ui.renameForm.addEventListener("submit", renameConversation);
$("#delete-conversation").addEventListener("click", deleteConversation);
ui.openConversations.addEventListener("click", () => openDrawer(ui.conversations, ui.openConversations));
ui.openDetails.addEventListener("click", () => openDrawer(ui.side, ui.openDetails));
ui.backdrop.addEventListener("click", () => closeDrawers());
ui.conversations.querySelector("[data-close-drawer]").addEventListener("click", () => closeDrawers());
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && document.querySelector(".drawer.open")) closeDrawers();
});
$("#new-conversation").addEventListener("click", () => {
  showStart();
  ui.startForm.querySelector("input[name=mode]:checked").focus();
});

syncStartOptions();
await loadConversations();
const wanted = window.location.hash.slice(1);
if (wanted) {
  await openConversation(wanted, { focus: false }).catch(showStart);
} else {
  showStart();
}
