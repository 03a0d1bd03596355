// The resident's waiting room: place in line, announcements, a private line to the staff,
// the hand-off and the end. The page is server-rendered first; this keeps it live.
import { attachCounter, clockOf, dataElement, fill, fillNodes, isComposing, node, readJson } from "./dom.js";
import { RelayClient, frameBytes, messageKey } from "./relay-client.js";

const root = document.getElementById("waiting-room");
const data = readJson("waiting-room-data");
const t = data.strings;
const MAX_FRAME_BYTES = 4096;
const CLOSING_NOTICE_MS = 10 * 60 * 1000;

const el = (id) => document.getElementById(id);
const queuePanel = el("queue-panel");
const queuePosition = el("queue-position");
const queueWait = el("queue-wait");
const connection = el("connection-status");
const handoff = el("handoff");
const handoffBody = el("handoff-body");
const announcer = el("announcer");
const crisis = el("crisis");
const announcements = el("announcements");
const conversation = el("conversation");
const form = el("message-form");
const textarea = el("message-text");
const counter = el("message-counter");
const messageError = el("message-error");
const ended = el("ended");
const leaveStart = el("leave-start");
const leaveConfirm = el("leave-confirm");
const leaveCancel = el("leave-cancel");

let finished = false;
let leaving = false;
let typingSentAt = 0;
let typingTimer = null;
const TYPING_SHOWN_MS = 5000;
// Lines already on screen (the server rendered some): a resumed connection adds only what is new,
// so screen readers do not hear the whole conversation again.
const shown = new Set([...conversation.querySelectorAll("[data-key]")].map((item) => item.dataset.key));
const shownNotices = new Set();

function showQueue({ position, estimated_wait_s: waitS }) {
  if (!position) {
    queuePosition.textContent = t.checking;
  } else {
    queuePosition.textContent = position === 1 ? t.position_next : fill(t.position_n, { n: position });
  }
  queueWait.textContent = waitText(waitS);
}

function waitText(seconds) {
  if (seconds === undefined || seconds === null) return "";
  if (seconds < 60) return t.wait_soon;
  return fill(t.wait_minutes, { n: Math.ceil(seconds / 60) });
}

function addMessage(message) {
  const { from, display_name: name, text, at } = message;
  const key = messageKey(message);
  if (shown.has(key)) return;
  shown.add(key);
  const item = node("li", `bubble bubble-${from === "resident" ? "resident" : "staff"}`);
  item.append(
    dataElement("span", "bubble-who", from === "resident" ? t.you : (name || t.staff)),
    dataElement("span", "bubble-text", text),
    node("span", "bubble-time", clockOf(at)),
  );
  conversation.append(item);
  el("conversation-empty").hidden = true;
  el("conversation-scroll").scrollTop = el("conversation-scroll").scrollHeight;
}

/** 「入力中…」 while the promoter writes: cleared after a few seconds or when their line arrives. */
function showTyping(on) {
  clearTimeout(typingTimer);
  const text = on ? t.typing : "";
  if (el("typing").textContent !== text) el("typing").textContent = text;
  if (on) typingTimer = window.setTimeout(() => showTyping(false), TYPING_SHOWN_MS);
}

/** Tell the staff the resident is writing: no text, at most once every few seconds. */
function typed() {
  const now = Date.now();
  if (!textarea.value.trim() || now - typingSentAt < data.typing_interval_ms) return;
  typingSentAt = now;
  client.send({ type: "typing" });
}

/** After a transfer: a line in the conversation saying who takes over (担当がかわりました). */
function sayHandoffChanged(promoter) {
  const item = node("li", "bubble bubble-system");
  item.append(fillNodes(t.handoff_changed, { name: promoter.display_name }));
  conversation.append(item);
  el("conversation-empty").hidden = true;
  el("conversation-scroll").scrollTop = el("conversation-scroll").scrollHeight;
}

function showHandoff({ promoter, mode, join_url: joinUrl, transferred }) {
  queuePanel.hidden = true;
  el("closing-notice").hidden = true;
  handoffBody.replaceChildren();
  if (transferred) {
    sayHandoffChanged(promoter);
    const changed = node("p", "handoff-changed");
    changed.append(fillNodes(t.handoff_changed, { name: promoter.display_name }));
    handoffBody.append(changed);
  }
  const who = node("p", "handoff-promoter");
  who.append(fillNodes(t.handoff_promoter, { name: promoter.display_name }));
  handoffBody.append(who);
  if ((mode === "online" || mode === "metaverse") && joinUrl) {
    handoffBody.append(node("p", "", t.handoff_room));
    const link = node("a", "button button-large join-link", t.join);
    link.href = joinUrl;
    link.target = "_blank";
    link.rel = "noopener";
    const row = node("p");
    row.append(link);
    handoffBody.append(row, node("p", "hint", t.join_hint));
  } else if (mode === "in_person") {
    const go = node("p", "", t.handoff_in_person);
    if (data.location) go.append(" ", fillNodes(t.place, { place: data.location }));
    handoffBody.append(go, node("p", "hint", t.in_person_hint));
  } else {
    handoffBody.append(node("p", "", t.handoff_text));
  }
  handoff.hidden = false;
  // Said through the always-present status line (#handoff was hidden until now, so it cannot speak);
  // unchanged text is not set again, so a reconnect does not repeat it.
  // Copies of the parts' nodes, so a Japanese name or place keeps its lang="ja" there too.
  const said = document.createDocumentFragment();
  for (const part of [el("handoff-heading"), ...handoffBody.querySelectorAll("p:not(.hint)")]) {
    if (!part.textContent.trim()) continue;
    if (said.childNodes.length) said.append(" ");
    said.append(...[...part.childNodes].map((child) => child.cloneNode(true)));
  }
  if (announcer.textContent !== said.textContent) announcer.replaceChildren(said);
}

function showCrisis(contacts) {
  // Sent again on every reconnect: an alert already on screen is not read out again.
  if (crisis.childElementCount) return;
  const box = node("div", "crisis");
  box.append(node("h2", "", t.crisis_title), node("p", "", t.crisis_body));
  const list = node("ul", "contact-list");
  for (const contact of contacts || []) {
    const item = node("li");
    const link = dataElement("a", "", data.lang === "en" ? contact.name_en : contact.name_ja);
    link.href = contact.url;
    if (/^https?:/.test(contact.url)) link.rel = "noopener";
    item.append(link, dataElement("span", "hint", data.lang === "en" ? contact.detail_en : contact.detail_ja));
    list.append(item);
  }
  box.append(list, node("p", "", t.crisis_stay));
  crisis.replaceChildren(box);
}

function addAnnouncement({ text, at }) {
  const key = `${at}|${text}`;
  if (shownNotices.has(key)) return;
  shownNotices.add(key);
  const item = node("li");
  item.append(node("span", "bubble-time", clockOf(at)), document.createTextNode(" "), dataElement("span", "", text));
  announcements.prepend(item);
  el("announcements-empty").hidden = true;
}

/** A gentle notice near the end, and when the end moves; said once through the status line. */
function showClosing(template, endsAt) {
  const notice = el("closing-notice");
  const text = fill(template, { time: clockOf(endsAt) });
  if (notice.textContent === text) return;
  notice.textContent = text;
  notice.hidden = false;
  announcer.textContent = text;
}

/** The end: why, in the words the done page uses too (presenter.end_texts); thanks for talking only
 * after a consultation (`consulted`), never to someone who did not talk. */
function finish(reason, consulted) {
  if (finished) return;
  finished = true;
  client.stop();
  connection.textContent = "";
  if (leaving) {
    window.location.assign(root.dataset.doneUrl);
    return;
  }
  queuePanel.hidden = true;
  handoff.hidden = true;
  form.hidden = true;
  el("leave-panel").hidden = true;
  el("closing-notice").hidden = true;
  const key = reason === "closed" && !consulted ? "closed_visit" : (reason || "");
  el("ended-reason").textContent = t[`ended_${key}`] || t.ended_;
  ended.hidden = false;
  ended.focus();
}

/** 受付番号: rendered by the server; filled in here when the page came without it. */
function showNumber(number) {
  const line = el("checkin-number");
  if (number && line && !line.textContent.trim()) line.textContent = fill(t.number, { n: number });
}

const handlers = {
  welcome(frame) {
    if (frame.status === "closed") {
      finish(frame.reason, frame.consulted);
      return;
    }
    showQueue(frame);
    showNumber(frame.number);
    // Back within the last 10 minutes: the notice the relay sent once is shown again from the end time.
    const left = frame.ends_at ? new Date(frame.ends_at).getTime() - Date.now() : Infinity;
    if (frame.status === "waiting" && left > 0 && left <= CLOSING_NOTICE_MS) showClosing(t.closing_soon, frame.ends_at);
    for (const message of frame.messages || []) addMessage(message);
    for (const notice of frame.announcements || []) addAnnouncement(notice);
    if (frame.status === "in_consultation" && frame.handoff) showHandoff(frame.handoff);
  },
  queue: showQueue,
  message(frame) {
    if (frame.from === "staff") showTyping(false);
    addMessage(frame);
  },
  typing: () => showTyping(true),
  announcement: addAnnouncement,
  handoff: showHandoff,
  crisis: (frame) => showCrisis(frame.contacts),
  closing: (frame) => showClosing(t.closing_soon, frame.ends_at),
  // An extension matters to those still in line; someone with a promoter already is not kept waiting.
  session: (frame) => { if (!queuePanel.hidden) showClosing(t.extended, frame.ends_at); },
  closed: (frame) => finish(frame.reason, frame.consulted),
  error(frame) {
    messageError.textContent = t[`error_${frame.code}`] || t.error_generic;
  },
};

const client = new RelayClient({
  url: root.dataset.wsUrl,
  token: root.dataset.token,
  onFrame: (frame) => handlers[frame.type] && handlers[frame.type](frame),
  onStatus(status) {
    connection.textContent = status === "reconnecting" ? t.reconnecting : "";
    connection.classList.toggle("is-visible", status === "reconnecting");
  },
  // After failures, ask the web app: it knows whether the check-in is still open and signs a new token.
  async refresh() {
    const answer = await fetch(root.dataset.stateUrl, { headers: { Accept: "application/json" } });
    const state = await answer.json();
    if (state.status !== "waiting" && state.status !== "in_consultation") {
      finish(state.status === "none" ? "" : (state.reason || state.status), state.consulted);
      return { stop: true };
    }
    return { token: state.token };
  },
});

function send(event) {
  event.preventDefault();
  const text = textarea.value.trim();
  messageError.textContent = "";
  if (!text) {
    messageError.textContent = t.empty;
    return;
  }
  const frame = { type: "message", text };
  if (text.length > data.message_max || frameBytes(frame) > MAX_FRAME_BYTES) {
    messageError.textContent = t.too_long;
    return;
  }
  if (!client.send(frame)) {
    messageError.textContent = t.offline_send;
    return;
  }
  // The relay echoes the stored message back; it appears in the log then.
  textarea.value = "";
  updateCounter();
}

form.addEventListener("submit", send);
textarea.addEventListener("input", typed);
textarea.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !isComposing(event)) send(event);
});
const updateCounter = attachCounter(textarea, counter, t, data.message_max);

leaveStart.addEventListener("click", (event) => {
  event.preventDefault();
  el("leave-start-row").hidden = true;
  leaveConfirm.hidden = false;
  leaveConfirm.querySelector("button[type=submit]").focus();
});
leaveCancel.addEventListener("click", () => {
  leaveConfirm.hidden = true;
  el("leave-start-row").hidden = false;
  leaveStart.focus();
});
leaveConfirm.addEventListener("submit", (event) => {
  // Through the relay when connected, so staff see it at once; the plain form otherwise.
  leaving = true;
  if (client.send({ type: "leave" })) {
    event.preventDefault();
    setTimeout(() => window.location.assign(root.dataset.doneUrl), 1500);
  }
});

if (root.dataset.status === "waiting" || root.dataset.status === "in_consultation") client.start();
