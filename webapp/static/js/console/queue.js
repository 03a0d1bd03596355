// The queue table: one live row per check-in (take, open, remove), what changed said aloud, and
// the ticking wait. The server-rendered rows are replaced by these on the first queue.
import { clockOf, fill, fillNodes, setText } from "../dom.js";
import { openPanel, updatePanel } from "./panels.js";
import {
  avatarOf, cloneTemplate, el, entries, isMine, nameOf, panels, pending, rows, say, send, shared, t,
} from "./state.js";

const queueBody = el("queue-body");

function formatWaited(entry) {
  let seconds = entry.waited_s || 0;
  if (entry.status === "waiting") seconds += Math.floor((performance.now() - entry.receivedAt) / 1000);
  return fill(t.waited, { m: Math.floor(seconds / 60), s: String(seconds % 60).padStart(2, "0") });
}

function statusText(entry) {
  if (entry.not_seen) return t.not_seen;
  if (entry.status === "waiting") return t.waiting;
  if (isMine(entry)) return t.in_consultation_me;
  if (entry.taken_by) return fillNodes(t.in_consultation_other, { name: entry.taken_by.display_name });
  return t.in_consultation;
}

/** 接続中, or 離席中 since when (nothing for a visitor recorded by staff, or once the check-in is over). */
function presenceText(entry) {
  if (entry.source === "staff" || entry.not_seen) return "";
  if (entry.connected) return t.present;
  return entry.away_since ? fill(t.away, { time: clockOf(entry.away_since) }) : t.away_unknown;
}

/** Someone waiting who has gone (tab closed): they may be ended as a visit, which counts. */
function isAway(entry) {
  return entry.status === "waiting" && entry.source !== "staff" && !entry.connected && !entry.not_seen;
}

function makeRow(id) {
  const tr = cloneTemplate("row-template", id);
  const q = (selector) => tr.querySelector(selector);
  const parts = {
    avatar: q(".row-avatar"), avatarLabel: q(".row-avatar-label"), urgent: q(".row-urgent"),
    unread: q(".row-unread"), nickname: q(".row-nickname"), waited: q(".row-waited"),
    reserved: q(".row-reserved"), status: q(".row-status"), take: q(".row-take"), mode: q(".row-mode"),
    takeButton: q(".row-take-button"), open: q(".row-open"), remove: q(".row-remove"),
    confirm: q(".row-remove-confirm"), yes: q(".row-remove-yes"), no: q(".row-remove-no"),
    closeVisit: q(".row-close-visit"), closeVisitLabel: q(".row-close-visit-label"), number: q(".row-number"),
    presence: q(".row-presence"), typing: q(".row-typing"),
  };
  parts.openLabel = tr.querySelector(".row-open-label");
  parts.messageLabel = parts.openLabel.textContent;
  parts.takeButton.addEventListener("click", () => {
    pending.set(id, "take");
    send({ type: "take", checkin_id: id, mode: parts.mode.value });
  });
  parts.open.addEventListener("click", () => openPanel(id, true));
  // Not seen before the session ended, or gone from the waiting room: recorded as a visit (it counts), and
  // the row goes. Removing (below) is the other way, for a prank: not counted.
  parts.closeVisit.addEventListener("click", () => {
    pending.set(id, "closed");
    send({ type: "close", checkin_id: id, outcome: { kind: "visit_only", topics: [], result: null, referred_to: null } });
  });
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
  parts.number.textContent = entry.number ? String(entry.number) : "";
  const presence = presenceText(entry);
  if (parts.presence.textContent !== presence) parts.presence.textContent = presence;
  parts.presence.classList.toggle("is-connected", Boolean(entry.connected));
  parts.presence.classList.toggle("is-away", Boolean(presence) && !entry.connected);
  // Taken by someone: the 新着 badge is theirs to clear, no longer anyone else's.
  if (!waiting && !mine) parts.unread.hidden = true;
  parts.waited.textContent = formatWaited(entry);
  parts.reserved.textContent = entry.source === "staff" ? t.walkin : (entry.reserved ? t.reserved_yes : t.reserved_no);
  parts.status.replaceChildren(statusText(entry));
  parts.take.hidden = !waiting;
  parts.open.hidden = !(waiting || mine);
  parts.openLabel.textContent = mine ? t.open_chat : parts.messageLabel;
  // Buttons repeat on every row: their accessible name says whom they act on.
  for (const hidden of tr.querySelectorAll(".row-name")) hidden.replaceChildren(" ", nameOf(entry));
  // Removing is for abuse: offered while waiting or to the promoter who has the person.
  parts.closeVisit.hidden = !(entry.not_seen || isAway(entry));
  parts.closeVisitLabel.textContent = entry.not_seen ? t.close_visit : t.end_visit;
  tr.classList.toggle("is-not-seen", Boolean(entry.not_seen));
  const removable = waiting || (mine && entry.source !== "staff");
  if (!removable) parts.confirm.hidden = true;
  parts.remove.hidden = !removable || !parts.confirm.hidden;
}

export function renderQueue(list) {
  const seen = new Set();
  // The relay sends urgent first already; keep that even if an older relay did not.
  const ordered = [...list].sort((a, b) => Number(Boolean(b.urgent)) - Number(Boolean(a.urgent)));
  ordered.forEach((entry, index) => {
    const id = entry.checkin_id;
    seen.add(id);
    const before = entries.get(id);
    // An entry a delta left as it was keeps counting its wait from when it came.
    if (entry !== before) entry.receivedAt = performance.now();
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

/** A `queue_delta`: the shown queue with the entries added, changed and gone, in the relay's order. */
export function applyQueueDelta(frame) {
  const next = new Map(entries);
  for (const entry of [...(frame.added || []), ...(frame.changed || [])]) next.set(entry.checkin_id, entry);
  for (const id of frame.gone || []) next.delete(id);
  const added = new Set((frame.added || []).map((entry) => entry.checkin_id));
  const order = frame.order || [...[...next.keys()].filter((id) => !added.has(id)), ...added];
  renderQueue(order.filter((id) => next.has(id)).map((id) => next.get(id)));
}

/** Tell the person at the console what changed, and open what is now theirs. */
function noticeChange(before, entry) {
  const id = entry.checkin_id;
  if (!before) {
    if (shared.initialised && entry.source !== "staff") {
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

export function tick() {
  for (const [id, row] of rows) {
    const entry = entries.get(id);
    if (entry && entry.status === "waiting") row.parts.waited.textContent = formatWaited(entry);
  }
}
