// Announcements to everyone waiting: the form, and the log of what was announced (newest first).
import { clockOf, dataElement, node } from "../dom.js";
import { el, pending, send, sessionId, t } from "./state.js";

export function wireAnnounce() {
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

export function addAnnouncement(frame) {
  const item = node("li");
  item.append(node("span", "bubble-time", clockOf(frame.at)), document.createTextNode(" "), dataElement("span", "", frame.text));
  el("announce-log").prepend(item);
  if (pending.delete("announce")) el("announce-status").textContent = t.announced;
}
