// Closing time: the time left (a countdown), the warning 10 minutes before the end (said once per
// end time, whether the relay's `closing` frame or this clock gets there first), and +15 / +30.
import { clockOf, fill } from "../dom.js";
import { data, el, say, send, sessionId, t } from "./state.js";

const WARN_S = 10 * 60;
const box = el("closing");
const left = el("closing-left");
const warning = el("closing-warning");
const status = el("closing-status");
let endsAt = data.ends_at ? new Date(data.ends_at) : null;
let warnedFor = null;

function secondsLeft() {
  return endsAt ? Math.ceil((endsAt.getTime() - Date.now()) / 1000) : null;
}

function leftText(seconds) {
  if (seconds <= 0) return t.closing_over;
  const minutes = Math.floor(seconds / 60);
  return fill(t.closing_left, { m: minutes, s: String(seconds % 60).padStart(2, "0") });
}

function warn() {
  const key = endsAt.toISOString();
  if (warnedFor === key) return;
  warnedFor = key;
  warning.hidden = false;
  box.classList.add("is-closing");
  say(t.closing_warning);
}

/** Every second: the countdown (not a live region: it would speak every second). */
export function tickClosing() {
  const seconds = secondsLeft();
  if (seconds === null) return;
  left.textContent = leftText(seconds);
  if (seconds > 0 && seconds <= WARN_S) warn();
  if (seconds > WARN_S) {
    warning.hidden = true;
    box.classList.remove("is-closing");
  }
}

export function onClosing(frame) {
  endsAt = new Date(frame.ends_at);
  tickClosing();
  warn();
}

/** The end moved (an extension by anyone): the countdown follows; a new end earns a new warning. */
export function onSession(frame) {
  const before = endsAt;
  endsAt = new Date(frame.ends_at);
  const time = clockOf(frame.ends_at);
  el("closing-end").textContent = fill(t.closing_end, { time });
  if (before && endsAt > before) status.textContent = fill(t.extended_to, { time });
  tickClosing();
}

export function wireClosing() {
  for (const button of box.querySelectorAll("[data-extend]")) {
    button.addEventListener("click", () => {
      status.textContent = "";
      send({ type: "extend", session_id: sessionId, minutes: Number(button.dataset.extend) }, box);
    });
  }
  tickClosing();
}
