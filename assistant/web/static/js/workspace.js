// The participant workspace: conversations, a chat in one of four modes, and the mode's side panel.
import { ApiError, getJson, sendJson } from "./api.js";
import { $, announce, el, showMessage } from "./dom.js";
import { renderGoalPanel } from "./goal-panel.js";
import { messageNode, StreamingReply } from "./messages.js";
import { renderPlanPanel } from "./plan-panel.js";
import { renderRehearsePanel } from "./rehearse-panel.js";
import { streamMessage } from "./sse.js";

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
  composerError: $("#composer-error"),
  side: $("#side-panel"),
};

const CUT_OFF = "The connection closed before the answer was complete. Your message is saved: open the conversation again to see the answer.";
let current = null;

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

function renderSidePanel() {
  ui.side.hidden = current.mode === "ask";
  ui.chatPanel.classList.toggle("wide", current.mode === "ask");
  if (current.mode === "goal") renderGoalPanel(ui.side, lastReplyWith("goal_check"));
  else if (current.mode === "plan") renderPlanPanel(ui.side, lastReplyWith("agenda"), current);
  else if (current.mode === "rehearse") renderRehearsePanel(ui.side, current.messages, current);
}

function scrollToEnd() {
  ui.composer.scrollIntoView({ block: "nearest" });
}

function showStart() {
  current = null;
  ui.startPanel.hidden = false;
  ui.chatPanel.hidden = true;
  ui.side.hidden = true;
  window.history.replaceState(null, "", "/app");
  markCurrentInList();
}

async function openConversation(id, { focus = true } = {}) {
  const detail = await getJson(`/conversations/${encodeURIComponent(id)}`);
  current = detail;
  const mode = MODES[detail.mode];
  ui.startPanel.hidden = true;
  ui.chatPanel.hidden = false;
  ui.title.textContent = detail.title || "New conversation";
  ui.mode.textContent = `${mode.label} mode`;
  ui.label.textContent = mode.prompt;
  ui.hint.textContent = `${mode.hint} Ctrl+Enter sends.`;
  ui.messages.replaceChildren(...detail.messages.map(messageNode));
  showMessage(ui.composerError, "");
  renderSidePanel();
  window.history.replaceState(null, "", `/app#${detail.id}`);
  markCurrentInList();
  scrollToEnd();
  if (focus) ui.input.focus();
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
    body.persona = { attitude: form.get("attitude"), role: form.get("role").trim(), tenure_years: Number(form.get("tenure_years")) };
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

async function sendMessage(event) {
  event.preventDefault();
  const content = ui.input.value.trim();
  if (!content || !current) return;
  const conversation = current;
  const question = { role: "user", content };
  const questionNode = messageNode(question);
  const reply = new StreamingReply();
  ui.messages.append(questionNode, reply.node);
  showMessage(ui.composerError, "");
  ui.send.disabled = true;
  announce(ui.status, "Tandem is answering…");
  scrollToEnd();
  let ended = false;
  try {
    await streamMessage(conversation.id, content, {
      accepted: ({ message_id }) => {
        question.id = message_id;
        ui.input.value = "";
      },
      token: ({ text }) => {
        reply.append(text);
        scrollToEnd();
      },
      reset: () => reply.reset(),
      done: (stored) => {
        ended = true;
        reply.finish(stored);
        conversation.messages.push(question, stored);
        announce(ui.status, `Tandem answered: ${stored.content.slice(0, 300)}`);
        if (current === conversation) renderSidePanel();
      },
      error: ({ detail }) => {
        ended = true;
        reply.fail(detail);
        announce(ui.status, detail);
      },
    });
    if (!ended) reply.fail(CUT_OFF);
  } catch (error) {
    if (question.id !== undefined) {
      reply.fail(CUT_OFF);
    } else {
      questionNode.remove();
      reply.node.remove();
      showMessage(ui.composerError, error instanceof ApiError ? error.message : "Not sent: the connection failed.");
    }
  } finally {
    ui.send.disabled = false;
    scrollToEnd();
  }
  const listed = (await loadConversations()).find((c) => c.id === conversation.id);
  if (listed && current === conversation && !conversation.title) {
    conversation.title = listed.title;
    ui.title.textContent = listed.title;
  }
}

ui.startForm.addEventListener("change", syncStartOptions);
ui.startForm.addEventListener("submit", startConversation);
ui.composer.addEventListener("submit", sendMessage);
ui.input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) ui.composer.requestSubmit();
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
