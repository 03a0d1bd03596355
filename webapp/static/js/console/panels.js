// The conversation panes: one per person this console talks with (or is about to), with the chat
// log, the composer, transfer, and the outcome form (outcome-form.js).
import { attachCounter, clockOf, dataElement, fill, fillNodes, isComposing, node } from "../dom.js";
import { messageKey } from "../relay-client.js";
import { wireCloseForm } from "./outcome-form.js";
import { typed } from "./typing.js";
import {
  avatarOf, cloneTemplate, data, el, entries, isMine, logs, nameOf, notes, panels, pending, rows, say, send, shared, t,
} from "./state.js";

export function openPanel(id, focus) {
  const entry = entries.get(id);
  let panel = panels.get(id);
  if (!panel) {
    if (!entry) return;
    panel = makePanel(id, entry);
    // Messages may have come while this console was away: ask for the conversation so far.
    if (!logs.has(id) && entry.source !== "staff") shared.client.send({ type: "history", checkin_id: id });
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
    hide: q(".panel-hide"), note: q(".panel-note"), noteReceived: q(".panel-note-received"),
    noteFrom: q(".panel-note-from"), noteText: q(".panel-note-text"), typing: q(".panel-typing"),
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
  // 「入力中…」 for the resident: only once they are ours (the relay passes nothing on before).
  parts.text.addEventListener("input", () => {
    if (isMine(entries.get(id)) && parts.text.value.trim()) typed(id);
  });
  parts.transfer.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!parts.to.value) return;
    const note = parts.note.value.trim();
    if (note.length > data.transfer_note_max) {
      parts.error.textContent = t.too_long;
      parts.note.focus();
      return;
    }
    pending.set(id, "transfer");
    const frame = { type: "transfer", checkin_id: id, to_login: parts.to.value };
    if (note) frame.note = note;
    send(frame, section);
  });
  wireCloseForm(id, section, parts);
  parts.hide.addEventListener("click", () => closePanel(id, true));
  el("panels").append(section);
  const panel = { section, parts };
  panels.set(id, panel);
  return panel;
}

export function updatePanel(id) {
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
  const handed = notes.get(id);
  if (handed && parts.noteReceived.hidden) {
    parts.noteFrom.replaceChildren(fillNodes(t.note_from, { from: handed.from }));
    parts.noteText.textContent = handed.note;
    parts.noteReceived.hidden = false;
  }
  if (walkIn && !panel.kindPreset) {
    // Someone counted by staff has not talked here: "visit only" is the likely record.
    panel.kindPreset = true;
    section.querySelector(`input[name="kind-${id}"][value="visit_only"]`).checked = true;
  }
  parts.syncKind();
}

export function closePanel(id, returnFocus) {
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
export function setLog(id, messages) {
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

export function addMessage(message) {
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
