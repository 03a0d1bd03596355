// Closing time: the time left (a countdown), the warning 10 minutes before the end (said once per
// end time, whether the relay's `closing` frame or this clock gets there first), and +15 / +30.
import { clockOf, fill } from "../dom.js";
import { data, el, send, sessionId, t } from "./state.js";

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
  box.classList.add("is-closing");
  warning.textContent = t.closing_warning;  // its own live region: said once, not drowned by arrivals
}

/** After the end: no more extending (the relay refuses it); who was not seen is said once. */
function showOver(over) {
  if (box.classList.contains("is-over") === over) return;
  box.classList.toggle("is-over", over);
  for (const button of box.querySelectorAll("[data-extend]")) button.hidden = over;
  if (over) {
    status.textContent = "";
    box.classList.remove("is-closing");
    warning.textContent = t.closing_ended_note;
  }
}

/** Every second: the countdown (not a live region: it would speak every second). */
export function tickClosing() {
  const seconds = secondsLeft();
  if (seconds === null) return;
  left.textContent = leftText(seconds);
  showOver(seconds <= 0);
  if (seconds > 0 && seconds <= WARN_S) warn();
  if (seconds > WARN_S && warning.textContent) {
    warning.textContent = "";
    box.classList.remove("is-closing");
  }
}

export function onClosing(frame) {
  endsAt = new Date(frame.ends_at);
  tickClosing();
  if (secondsLeft() > 0) warn();
}

/** The end moved (an extension by anyone): the countdown follows; a new end earns a new warning. */
export function onSession(frame) {
  const before = endsAt;
  endsAt = new Date(frame.ends_at);
  const time = clockOf(frame.ends_at);
  el("closing-end").textContent = fill(t.closing_end, { time });
  status.textContent = before && endsAt > before ? fill(t.extended_to, { time }) : "";
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
