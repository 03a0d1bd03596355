// What the console does with each relay frame, by type (docs/realtime.md). Frames about another
// session (a promoter may have two consoles open) are ignored.
import { fillNodes } from "../dom.js";
import { addAnnouncement } from "./announcements.js";
import { onClosing, onSession } from "./closing.js";
import { showCounts } from "./counts.js";
import { addMessage, closePanel, openPanel, setLog, updatePanel } from "./panels.js";
import { applyQueueDelta, renderQueue } from "./queue.js";
import {
  el, entries, logs, nameOf, notes, panels, pending, report, rows, say, sessionId, shared, t,
} from "./state.js";
import { clearTyping, showTyping } from "./typing.js";

const forThisSession = (frame) => frame.session_id === undefined || frame.session_id === sessionId;

export const handlers = {
  welcome() {
    // Back after a break: fill the open conversations again (the queue and counts follow by themselves).
    for (const id of panels.keys()) {
      if (entries.get(id) && entries.get(id).source !== "staff") shared.client.send({ type: "history", checkin_id: id });
    }
  },
  queue(frame) {
    if (forThisSession(frame)) renderQueue(frame.entries || []);
  },
  // After the full queue on connect, changes come as deltas (the full one again on request).
  queue_delta(frame) {
    if (forThisSession(frame)) applyQueueDelta(frame);
  },
  counts(frame) {
    if (forThisSession(frame)) showCounts(frame);
  },
  message(frame) {
    if (!forThisSession(frame) || !entries.has(frame.checkin_id)) return;
    if (frame.from === "resident") clearTyping(frame.checkin_id);
    addMessage(frame);
  },
  // A resident is writing (no text comes with it).
  typing(frame) {
    if (forThisSession(frame) && entries.has(frame.checkin_id)) showTyping(frame.checkin_id);
  },
  // Someone took a resident: the 新着 badge goes on every console, not only the taker's.
  claimed(frame) {
    if (!forThisSession(frame)) return;
    const row = rows.get(frame.checkin_id);
    if (row) row.parts.unread.hidden = true;
  },
  announcement(frame) {
    if (forThisSession(frame)) addAnnouncement(frame);
  },
  // The resident is ours (after take, or handed over by a colleague): the conversation so far comes along.
  taken(frame) {
    if (!forThisSession(frame)) return;
    const id = frame.checkin_id;
    setLog(id, frame.messages);
    // The note shows in the panel, now or when the queue says the resident is ours (whichever is later).
    if (frame.note) notes.set(id, { from: frame.transferred_from.display_name, note: frame.note });
    const asked = pending.get(id) === "take";
    pending.delete(id);
    openPanel(id, asked);
    const name = nameOf(entries.get(id));
    if (frame.transferred_from) {
      say(fillNodes(t.received, { name, from: frame.transferred_from.display_name }));
    } else {
      say(fillNodes(t.taken, { name }));
    }
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
  closing(frame) {
    if (forThisSession(frame)) onClosing(frame);
  },
  session(frame) {
    if (forThisSession(frame)) onSession(frame);
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
    // An outcome that does not add up: said next to the field it is about (outcome-form.js).
    if (frame.code === "invalid_outcome" && panels.has(id) && panels.get(id).parts.showProblem(frame)) return;
    const actor = id !== undefined && panels.has(id) ? panels.get(id).section : shared.lastActor;
    report(text, actor);
  },
};
