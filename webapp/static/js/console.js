// The staff console of one session: live counts and queue, take / write / remove, private chat
// after hand-off, transfer, the outcome record, announcements and walk-ins. Every action goes
// through the relay (docs/realtime.md); the server-rendered table is replaced by a live one.
import {
  RelayClient, attachCounter, clockOf, dataElement, fill, fillNodes, frameBytes, isComposing, messageKey, readJson, setText,
} from "./relay-client.js";

const root = document.getElementById("console");
const data = readJson("console-data");
const t = data.strings;
const sessionId = data.session_id;
const me = data.me.login;
const MAX_FRAME_BYTES = 4096;

const el = (id) => document.getElementById(id);
const queueBody = el("queue-body");
const live = el("console-live");
const connection = el("connection-status");

/** checkin_id -> the latest queue entry (with `receivedAt`, for the ticking wait). */
const entries = new Map();
/** checkin_id -> {tr, parts} */
const rows = new Map();
/** checkin_id -> {section, parts} */
const panels = new Map();
/** checkin_id -> the conversation so far, oldest first. */
const logs = new Map();
/** checkin_id -> the action this console asked for and still awaits ("take", "transfer", ...). */
const pending = new Map();
/** Where to show a relay error that names no check-in (the announce or walk-in form). */
let lastActor = null;
let initialised = false;

// --- helpers --------------------------------------------------------------------------------

function node(tag, className, text) {
  const n = document.createElement(tag);
  if (className) n.className = className;
  if (text !== undefined) n.textContent = text;
  return n;
}

/** Put a sentence (text, or nodes from `fillNodes`) in the visible polite live region (heard once). */
function say(content) {
  live.textContent = "";
  window.setTimeout(() => { live.replaceChildren(content); }, 50);
}

function avatarOf(entry) {
  return data.avatars[entry.avatar] || { label: entry.avatar, image_url: "" };
}

/** How the console names a person: nodes, so a Japanese nickname keeps lang="ja" on English pages. */
function nameOf(entry) {
  if (!entry) return "";
  const label = avatarOf(entry).label;
  return entry.nickname ? fillNodes(t.with_nickname, { avatar: label, nickname: entry.nickname }) : label;
}

function isMine(entry) {
  return Boolean(entry && entry.status === "in_consultation" && entry.taken_by && entry.taken_by.login === me);
}

/** Clone a <template>; "CID" in ids and names becomes the check-in id, so labels stay tied to inputs. */
function cloneTemplate(id, checkinId) {
  const fragment = el(id).content.cloneNode(true);
  const attrs = ["id", "for", "name", "aria-labelledby", "aria-describedby"];
  for (const item of fragment.querySelectorAll(attrs.map((a) => `[${a}]`).join(","))) {
    for (const attr of attrs) {
      const value = item.getAttribute(attr);
      if (value && value.includes("CID")) item.setAttribute(attr, value.replaceAll("CID", checkinId));
    }
  }
  return fragment.firstElementChild;
}

function send(frame, actor) {
  lastActor = actor || null;
  if (frameBytes(frame) > MAX_FRAME_BYTES) {
    report(t.too_long, actor);
    return false;
  }
  if (!client.send(frame)) {
    report(t.offline, actor);
    return false;
  }
  return true;
}

function report(text, actor) {
  const slot = actor && actor.querySelector(".panel-error, .form-status");
  if (slot) slot.textContent = text;
  say(text);
}

function formatWaited(entry) {
  let seconds = entry.waited_s || 0;
  if (entry.status === "waiting") seconds += Math.floor((performance.now() - entry.receivedAt) / 1000);
  return fill(t.waited, { m: Math.floor(seconds / 60), s: String(seconds % 60).padStart(2, "0") });
}

function statusText(entry) {
  if (entry.status === "waiting") return t.waiting;
  if (isMine(entry)) return t.in_consultation_me;
  if (entry.taken_by) return fillNodes(t.in_consultation_other, { name: entry.taken_by.display_name });
  return t.in_consultation;
}

// --- the queue table ------------------------------------------------------------------------

function makeRow(id) {
  const tr = cloneTemplate("row-template", id);
  const q = (selector) => tr.querySelector(selector);
  const parts = {
    avatar: q(".row-avatar"), avatarLabel: q(".row-avatar-label"), urgent: q(".row-urgent"),
    unread: q(".row-unread"), nickname: q(".row-nickname"), waited: q(".row-waited"),
    reserved: q(".row-reserved"), status: q(".row-status"), take: q(".row-take"), mode: q(".row-mode"),
    takeButton: q(".row-take-button"), open: q(".row-open"), remove: q(".row-remove"),
    confirm: q(".row-remove-confirm"), yes: q(".row-remove-yes"), no: q(".row-remove-no"),
  };
  parts.openLabel = tr.querySelector(".row-open-label");
  parts.messageLabel = parts.openLabel.textContent;
  parts.takeButton.addEventListener("click", () => {
    pending.set(id, "take");
    send({ type: "take", checkin_id: id, mode: parts.mode.value });
  });
  parts.open.addEventListener("click", () => openPanel(id, true));
  parts.remove.addEventListener("click", () => {
    parts.remove.hidden = true;
    parts.confirm.hidden = false;
    parts.no.focus();
  });
  parts.no.addEventListener("click", () => {
    parts.confirm.hidden = true;
    parts.remove.hidden = false;
    parts.remove.focus();
  });
  parts.yes.addEventListener("click", () => {
    pending.set(id, "remove");
    send({ type: "remove", checkin_id: id });
  });
  const row = { tr, parts };
  rows.set(id, row);
  return row;
}

function fillRow(row, entry) {
  const { parts, tr } = row;
  const avatar = avatarOf(entry);
  const mine = isMine(entry);
  const waiting = entry.status === "waiting";
  if (parts.avatar.getAttribute("src") !== avatar.image_url) parts.avatar.src = avatar.image_url;
  parts.avatarLabel.textContent = avatar.label;
  parts.urgent.hidden = !entry.urgent;
  tr.classList.toggle("is-urgent", Boolean(entry.urgent));
  tr.classList.toggle("is-mine", mine);
  setText(parts.nickname, entry.nickname);
  parts.waited.textContent = formatWaited(entry);
  parts.reserved.textContent = entry.source === "staff" ? t.walkin : (entry.reserved ? t.reserved_yes : t.reserved_no);
  parts.status.replaceChildren(statusText(entry));
  parts.take.hidden = !waiting;
  parts.open.hidden = !(waiting || mine);
  parts.openLabel.textContent = mine ? t.open_chat : parts.messageLabel;
  // Buttons repeat on every row: their accessible name says whom they act on.
  for (const hidden of tr.querySelectorAll(".row-name")) hidden.replaceChildren(" ", nameOf(entry));
  // Removing is for abuse: offered while waiting or to the promoter who has the person.
  const removable = waiting || (mine && entry.source !== "staff");
  if (!removable) parts.confirm.hidden = true;
  parts.remove.hidden = !removable || !parts.confirm.hidden;
}

function renderQueue(list) {
  const seen = new Set();
  // The relay sends urgent first already; keep that even if an older relay did not.
  const ordered = [...list].sort((a, b) => Number(Boolean(b.urgent)) - Number(Boolean(a.urgent)));
  ordered.forEach((entry, index) => {
    const id = entry.checkin_id;
    seen.add(id);
    const before = entries.get(id);
    entry.receivedAt = performance.now();
    entries.set(id, entry);
    const row = rows.get(id) || makeRow(id);
    fillRow(row, entry);
    // Move a row only when its place changed, so focus inside other rows stays where it is.
    if (queueBody.children[index] !== row.tr) queueBody.insertBefore(row.tr, queueBody.children[index] || null);
    noticeChange(before, entry);
  });
  for (const [id, row] of [...rows]) {
    if (seen.has(id)) continue;
    const focused = row.tr.contains(document.activeElement);
    row.tr.remove();
    rows.delete(id);
    entryGone(id, entries.get(id));
    entries.delete(id);
    if (focused) el("queue-heading").focus();
  }
  // The server-rendered rows (before JS) are not ours: drop them.
  const ours = new Set([...rows.values()].map((row) => row.tr));
  for (const stray of [...queueBody.children]) if (!ours.has(stray)) stray.remove();
  el("queue-empty").hidden = rows.size > 0;
}

/** Tell the person at the console what changed, and open what is now theirs. */
function noticeChange(before, entry) {
  const id = entry.checkin_id;
  if (!before) {
    if (initialised && entry.source !== "staff") {
      say(fillNodes(entry.urgent ? t.urgent_arrival : t.new_arrival, { name: nameOf(entry) }));
    }
  } else if (entry.urgent && !before.urgent) {
    say(fillNodes(t.urgent_arrival, { name: nameOf(entry) }));
  }
  if (isMine(entry) && !isMine(before)) openPanel(id, false);
  else if (panels.has(id)) updatePanel(id);
}

/** A check-in left the live queue: closed, removed, left or timed out. */
function entryGone(id, entry) {
  const asked = pending.get(id);
  pending.delete(id);
  if (!asked && entry && entry.status === "waiting") say(fillNodes(t.left, { name: nameOf(entry) }));
  const panel = panels.get(id);
  if (!panel) return;
  panel.parts.state.textContent = t.panel_ended;
  panel.parts.composer.hidden = true;
  panel.parts.mine.hidden = true;
}

function tick() {
  for (const [id, row] of rows) {
    const entry = entries.get(id);
    if (entry && entry.status === "waiting") row.parts.waited.textContent = formatWaited(entry);
  }
}

// --- conversation panels --------------------------------------------------------------------

function openPanel(id, focus) {
  const entry = entries.get(id);
  let panel = panels.get(id);
  if (!panel) {
    if (!entry) return;
    panel = makePanel(id, entry);
    // Messages may have come while this console was away: ask for the conversation so far.
    if (!logs.has(id) && entry.source !== "staff") client.send({ type: "history", checkin_id: id });
  }
  updatePanel(id);
  const row = rows.get(id);
  if (row) row.parts.unread.hidden = true;
  el("panels-empty").hidden = true;
  if (focus) {
    const target = panel.parts.composer.hidden ? panel.parts.heading : panel.parts.text;
    target.focus();
    panel.section.scrollIntoView({ block: "nearest" });
  }
}

function makePanel(id, entry) {
  const section = cloneTemplate("panel-template", id);
  const q = (selector) => section.querySelector(selector);
  const parts = {
    heading: q("h3"), avatar: q(".panel-avatar"), title: q(".panel-title"), urgent: q(".panel-urgent"),
    scroll: q(".panel-scroll"), logEmpty: q(".panel-log-empty"),
    state: q(".panel-state"), log: q(".panel-log"), composer: q(".panel-composer"), text: q(".panel-text"),
    counter: q(".panel-counter"), error: q(".panel-error"), mine: q(".panel-mine"), transfer: q(".panel-transfer"),
    to: q(".panel-to"), close: q(".panel-close"), closeError: q(".panel-close-error"), agency: q(".panel-agency"),
    hide: q(".panel-hide"),
  };
  parts.heading.tabIndex = -1;
  parts.avatar.src = avatarOf(entry).image_url;
  parts.title.replaceChildren(nameOf(entry));
  for (const message of logs.get(id) || []) parts.log.append(messageItem(message));
  const updateCounter = attachCounter(parts.text, parts.counter, t, data.message_max);

  const submitMessage = (event) => {
    event.preventDefault();
    const text = parts.text.value.trim();
    parts.error.textContent = "";
    if (!text) {
      parts.error.textContent = t.empty;
      return;
    }
    if (text.length > data.message_max) {
      parts.error.textContent = t.too_long;
      return;
    }
    // The relay echoes the stored message back; it joins the log then.
    if (send({ type: "message", checkin_id: id, text }, section)) {
      parts.text.value = "";
      updateCounter();
    }
  };
  parts.composer.addEventListener("submit", submitMessage);
  parts.text.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !isComposing(event)) submitMessage(event);
  });
  parts.transfer.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!parts.to.value) return;
    pending.set(id, "transfer");
    send({ type: "transfer", checkin_id: id, to_login: parts.to.value }, section);
  });
  wireCloseForm(id, section, parts);
  parts.hide.addEventListener("click", () => closePanel(id, true));
  el("panels").append(section);
  const panel = { section, parts };
  panels.set(id, panel);
  return panel;
}

function wireCloseForm(id, section, parts) {
  const form = parts.close;
  const [, topicsSet, resultSet] = form.querySelectorAll("fieldset");
  const kind = () => form.querySelector(`input[name="kind-${id}"]:checked`).value;
  parts.syncKind = () => {
    // Topics and a result describe a consultation; a visit without one records neither.
    const visitOnly = kind() === "visit_only";
    topicsSet.disabled = visitOnly;
    resultSet.disabled = visitOnly;
  };
  form.querySelectorAll(`input[name="kind-${id}"]`).forEach((input) => input.addEventListener("change", parts.syncKind));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    parts.closeError.textContent = "";
    const chosenKind = kind();
    const result = form.querySelector(`input[name="result-${id}"]:checked`);
    if (chosenKind === "consultation" && !result) {
      parts.closeError.textContent = t.need_result;
      return;
    }
    const consultation = chosenKind === "consultation";
    const outcome = {
      kind: chosenKind,
      topics: consultation ? [...form.querySelectorAll(`input[name="topics-${id}"]:checked`)].map((box) => box.value) : [],
      result: consultation ? result.value : null,
      referred_to: parts.agency.value || null,
    };
    pending.set(id, "close");
    lastActor = section;
    if (!send({ type: "close", checkin_id: id, outcome }, section)) parts.closeError.textContent = t.offline;
  });
}

function updatePanel(id) {
  const panel = panels.get(id);
  const entry = entries.get(id);
  if (!panel || !entry) return;
  const { parts, section } = panel;
  const mine = isMine(entry);
  const walkIn = entry.source === "staff";
  if (!mine && entry.status !== "waiting") {
    // A colleague took this person: their conversation is private to the two of them now.
    closePanel(id);
    return;
  }
  parts.urgent.hidden = !entry.urgent;
  section.classList.toggle("is-urgent", Boolean(entry.urgent));
  if (panel.leftEarly) parts.state.textContent = t.panel_left;
  else if (entry.status === "waiting") parts.state.textContent = t.panel_waiting;
  else if (walkIn) parts.state.textContent = t.panel_walkin;
  else parts.state.textContent = fill(t.panel_mine, { mode: t.modes[entry.mode] || entry.mode || "" });
  parts.composer.hidden = walkIn || Boolean(panel.leftEarly);
  parts.scroll.hidden = walkIn;
  parts.logEmpty.hidden = walkIn || parts.log.children.length > 0;
  parts.mine.hidden = !mine;
  parts.transfer.hidden = walkIn;
  if (walkIn && !panel.kindPreset) {
    // Someone counted by staff has not talked here: "visit only" is the likely record.
    panel.kindPreset = true;
    section.querySelector(`input[name="kind-${id}"][value="visit_only"]`).checked = true;
  }
  parts.syncKind();
}

function closePanel(id, returnFocus) {
  const panel = panels.get(id);
  if (!panel) return;
  const hadFocus = panel.section.contains(document.activeElement);
  panel.section.remove();
  panels.delete(id);
  el("panels-empty").hidden = panels.size > 0;
  if (!returnFocus && !hadFocus) return;
  const row = rows.get(id);
  if (row && !row.parts.open.hidden) row.parts.open.focus();
  else el("panels-heading").focus();
}

function messageItem(message) {
  const fromResident = message.from === "resident";
  const item = node("li", `bubble ${fromResident ? "bubble-resident" : "bubble-staff"}`);
  item.append(dataElement("span", "bubble-who", fromResident ? t.resident : (message.display_name || t.you)),
    dataElement("span", "bubble-text", message.text), node("span", "bubble-time", clockOf(message.at)));
  return item;
}

/** Take the conversation so far (from `taken` or `history`); only lines not yet shown are added. */
function setLog(id, messages) {
  const known = new Set((logs.get(id) || []).map(messageKey));
  const log = logs.get(id) || [];
  logs.set(id, log);
  for (const message of messages || []) {
    if (known.has(messageKey(message))) continue;
    known.add(messageKey(message));
    log.push({ ...message, checkin_id: id });
    appendToPanel(id, log[log.length - 1]);
  }
}

function appendToPanel(id, message) {
  const panel = panels.get(id);
  if (!panel) return;
  panel.parts.log.append(messageItem(message));
  panel.parts.logEmpty.hidden = true;
  panel.parts.scroll.scrollTop = panel.parts.scroll.scrollHeight;
}

function addMessage(message) {
  const id = message.checkin_id;
  const before = (logs.get(id) || []).length;
  setLog(id, [message]);
  if (logs.get(id).length === before) return;
  const panel = panels.get(id);
  const entry = entries.get(id);
  if (message.from !== "resident" || !entry) return;
  if (!(panel && panel.section.contains(document.activeElement))) say(fillNodes(t.new_message, { name: nameOf(entry) }));
  const row = rows.get(id);
  if (row && !panel) row.parts.unread.hidden = false;
  if (isMine(entry) && !panel) openPanel(id, false);
}

// --- counts, announcements, walk-ins --------------------------------------------------------

function showCounts(counts) {
  for (const key of ["visits", "consultations", "waiting", "in_consultation"]) {
    if (key in counts) el(`count-${key}`).textContent = counts[key];
  }
}

function wireAnnounce() {
  const form = el("announce-form");
  const text = el("announce-text");
  const status = el("announce-status");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    status.textContent = "";
    const value = text.value.trim();
    if (!value) {
      status.textContent = t.empty;
      return;
    }
    pending.set("announce", true);
    if (send({ type: "announce", session_id: sessionId, text: value }, form)) text.value = "";
  });
}

function addAnnouncement(frame) {
  const item = node("li");
  item.append(node("span", "bubble-time", clockOf(frame.at)), document.createTextNode(" "), dataElement("span", "", frame.text));
  el("announce-log").prepend(item);
  if (pending.delete("announce")) el("announce-status").textContent = t.announced;
}

function wireWalkIn() {
  const form = el("walkin-form");
  const status = el("walkin-status");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    status.textContent = "";
    const chosen = form.querySelector('input[name="walkin-avatar"]:checked');
    if (!chosen) {
      status.textContent = t.choose_avatar;
      form.querySelector('input[name="walkin-avatar"]').focus();
      return;
    }
    const nickname = el("walkin-nickname").value.trim();
    const frame = { type: "walkin", session_id: sessionId, avatar: chosen.value };
    if (nickname) frame.nickname = nickname;
    if (send(frame, form)) {
      chosen.checked = false;
      el("walkin-nickname").value = "";
    }
  });
}

// --- the relay ------------------------------------------------------------------------------

const forThisSession = (frame) => frame.session_id === undefined || frame.session_id === sessionId;

const handlers = {
  welcome() {
    // Back after a break: fill the open conversations again (the queue and counts follow by themselves).
    for (const id of panels.keys()) {
      if (entries.get(id) && entries.get(id).source !== "staff") client.send({ type: "history", checkin_id: id });
    }
  },
  queue(frame) {
    if (forThisSession(frame)) renderQueue(frame.entries || []);
  },
  counts(frame) {
    if (forThisSession(frame)) showCounts(frame);
  },
  message(frame) {
    if (forThisSession(frame) && entries.has(frame.checkin_id)) addMessage(frame);
  },
  announcement(frame) {
    if (forThisSession(frame)) addAnnouncement(frame);
  },
  // The resident is ours (after take, or handed over by a colleague): the conversation so far comes along.
  taken(frame) {
    if (!forThisSession(frame)) return;
    const id = frame.checkin_id;
    setLog(id, frame.messages);
    const asked = pending.get(id) === "take";
    pending.delete(id);
    openPanel(id, asked);
    const name = nameOf(entries.get(id));
    if (frame.transferred_from) say(fillNodes(t.received, { name, from: frame.transferred_from.display_name }));
    else say(fillNodes(t.taken, { name }));
  },
  history(frame) {
    if (forThisSession(frame)) setLog(frame.checkin_id, frame.messages);
  },
  transferred(frame) {
    if (!forThisSession(frame)) return;
    pending.set(frame.checkin_id, "transferred");
    say(fillNodes(t.transferred, { name: nameOf(entries.get(frame.checkin_id)), to: frame.to.display_name }));
    closePanel(frame.checkin_id, true);
  },
  closed(frame) {
    if (!forThisSession(frame)) return;
    pending.set(frame.checkin_id, "closed");
    say(fillNodes(t.closed, { name: nameOf(entries.get(frame.checkin_id)) }));
    closePanel(frame.checkin_id, true);
  },
  removed(frame) {
    if (!forThisSession(frame)) return;
    pending.set(frame.checkin_id, "removed");
    say(fillNodes(t.removed, { name: nameOf(entries.get(frame.checkin_id)) }));
    closePanel(frame.checkin_id);
  },
  // The resident erased what they wrote: drop the texts from this screen too, keep the row.
  erased(frame) {
    if (!forThisSession(frame)) return;
    const id = frame.checkin_id;
    logs.set(id, []);
    const panel = panels.get(id);
    if (panel) {
      panel.parts.log.replaceChildren();
      panel.parts.logEmpty.hidden = false;
    }
    say(fillNodes(t.erased, { name: nameOf(entries.get(id)) }));
  },
  walkin(frame) {
    if (forThisSession(frame)) el("walkin-status").textContent = t.walkin_recorded;
  },
  resident_left(frame) {
    say(fillNodes(t.left_in_consultation, { name: nameOf(entries.get(frame.checkin_id)) }));
    const panel = panels.get(frame.checkin_id);
    if (!panel) return;
    panel.leftEarly = true;
    updatePanel(frame.checkin_id);
  },
  error(frame) {
    const text = t.errors[frame.code] || t.errors.generic;
    const id = frame.checkin_id;
    if (id !== undefined) pending.delete(id);
    const actor = id !== undefined && panels.has(id) ? panels.get(id).section : lastActor;
    report(text, actor);
  },
};

const client = new RelayClient({
  url: root.dataset.wsUrl,
  token: root.dataset.token,
  onFrame: (frame) => handlers[frame.type] && handlers[frame.type](frame),
  onStatus(status) {
    connection.textContent = { open: t.connected, connecting: t.connecting, reconnecting: t.reconnecting }[status] || "";
    connection.classList.toggle("is-visible", status !== "open");
  },
  // After failures, fetch a fresh staff token; a logged-out console stops instead of retrying forever.
  async refresh() {
    const answer = await fetch(root.dataset.tokenUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (answer.status === 401 || answer.status === 403) {
      window.setTimeout(() => { connection.textContent = t.login_again; }, 0);
      return { stop: true };
    }
    const body = await answer.json();
    return { token: body.token, url: body.ws_url };
  },
});

for (const [id, messages] of Object.entries(data.messages || {})) setLog(Number(id), messages);
renderQueue(data.queue || []);
showCounts(data.counts || {});
initialised = true;
wireAnnounce();
wireWalkIn();
window.setInterval(tick, 1000);
client.start();
