// 「入力中…」 both ways: this console tells the resident it has taken that the promoter is writing
// (at most once every few seconds, never any text), and shows when a resident is writing.
import { panels, rows, data, send, t } from "./state.js";

const SHOWN_MS = 5000;
const lastSent = new Map();
const timers = new Map();

/** Called on input in a panel's composer: a `typing` frame, throttled like the relay throttles it. */
export function typed(id) {
  const now = Date.now();
  if (now - (lastSent.get(id) || 0) < data.typing_interval_ms) return;
  lastSent.set(id, now);
  send({ type: "typing", checkin_id: id });
}

/** The resident is writing: shown in their row and open panel, cleared after a few seconds or on a message. */
export function showTyping(id) {
  setTyping(id, t.typing);
  clearTimeout(timers.get(id));
  timers.set(id, window.setTimeout(() => setTyping(id, ""), SHOWN_MS));
}

export function clearTyping(id) {
  clearTimeout(timers.get(id));
  setTyping(id, "");
}

function setTyping(id, text) {
  const row = rows.get(id);
  if (row && row.parts.typing.textContent !== text) row.parts.typing.textContent = text;
  const panel = panels.get(id);
  if (panel && panel.parts.typing.textContent !== text) panel.parts.typing.textContent = text;
}
