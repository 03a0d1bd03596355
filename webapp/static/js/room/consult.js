// Asking for a consultation from the room: 「相談する」 (or walking into a booth) sends `ask`; then the
// place in line and the wait as in the waiting room; on `handoff` the private chat opens in the booth.
import { attachCounter, clockOf, dataElement, fill, fillNodes, isComposing, node } from "../dom.js";
import { frameBytes, messageKey } from "../relay-client.js";

const MAX_FRAME_BYTES = 4096;
const el = (id) => document.getElementById(id);

export class Consult {
  constructor({ data, send, say, practice }) {
    Object.assign(this, { data, send, say, practice });
    this.t = data.strings;
    this.status = data.own ? data.own.status : "visiting";
    this.shown = new Set();
    el("ask-button").addEventListener("click", () => this.ask());
    el("message-form").addEventListener("submit", (event) => this.sendMessage(event));
    el("message-text").addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !isComposing(event)) this.sendMessage(event);
    });
    this.updateCounter = attachCounter(el("message-text"), el("message-counter"), this.t, data.message_max);
    this.showStatus();
  }

  /** Join the line (once); in practice, only say what would happen. */
  ask() {
    if (this.practice) {
      this.say(this.t.practice_ask);
      el("ask-status").textContent = this.t.practice_ask;
      return;
    }
    if (this.status !== "visiting") return;
    if (this.send({ type: "ask" })) {
      this.status = "waiting";
      this.showStatus();
      this.say(this.t.asked);
    } else {
      el("ask-status").textContent = this.t.offline_send;
    }
  }

  showStatus() {
    const waiting = this.status === "waiting";
    const talking = this.status === "in_consultation";
    el("ask-panel").hidden = this.status !== "visiting";
    el("queue-panel").hidden = !waiting;
    el("handoff").hidden = !talking;
    el("chat").hidden = !(waiting || talking);
  }

  welcome(frame) {
    if (frame.status) this.status = frame.status;
    if (frame.status === "waiting") this.queue(frame);
    for (const message of frame.messages || []) this.addMessage(message);
    if (frame.status === "in_consultation" && frame.handoff) this.handoff(frame.handoff);
    this.showStatus();
  }

  queue({ position, estimated_wait_s: waitS }) {
    if (this.status === "visiting") this.status = "waiting";
    this.showStatus();
    let place = this.t.checking;
    if (position) place = position === 1 ? this.t.position_next : fill(this.t.position_n, { n: position });
    el("queue-position").textContent = place;
    let wait = "";
    if (waitS !== undefined && waitS !== null) {
      wait = waitS < 60 ? this.t.wait_soon : fill(this.t.wait_minutes, { n: Math.ceil(waitS / 60) });
    }
    el("queue-wait").textContent = wait;
  }

  /** Taken: both of you are in the promoter's booth; the private chat is there. */
  handoff({ promoter }) {
    this.status = "in_consultation";
    this.showStatus();
    const body = el("handoff-body");
    const who = node("p", "handoff-promoter");
    who.append(fillNodes(this.t.handoff_promoter, { name: promoter.display_name }));
    body.replaceChildren(who, node("p", "", this.t.in_booth));
    this.say(`${el("handoff-heading").textContent} ${body.textContent}`);
  }

  addMessage(message) {
    const key = messageKey(message);
    if (this.shown.has(key)) return;
    this.shown.add(key);
    const mine = message.from === "resident";
    const item = node("li", `bubble bubble-${mine ? "resident" : "staff"}`);
    item.append(dataElement("span", "bubble-who", mine ? this.t.you : (message.display_name || this.t.staff)),
      dataElement("span", "bubble-text", message.text), node("span", "bubble-time", clockOf(message.at)));
    el("conversation").append(item);
    el("conversation-empty").hidden = true;
    el("conversation-scroll").scrollTop = el("conversation-scroll").scrollHeight;
  }

  message(frame) {
    this.addMessage(frame);
  }

  /** A crisis phrase: the contacts are on the notice board; say so at once. */
  crisis() {
    const box = el("crisis");
    if (box.childElementCount) return;
    const link = node("a", "", this.t.crisis_board);
    link.href = "#board";
    const notice = node("div", "crisis");
    notice.append(node("h2", "", this.t.crisis_title), node("p", "", this.t.crisis_body), link);
    box.append(notice);
  }

  sendMessage(event) {
    event.preventDefault();
    const textarea = el("message-text");
    const error = el("message-error");
    const text = textarea.value.trim();
    error.textContent = "";
    const frame = { type: "message", text };
    if (!text) error.textContent = this.t.empty;
    else if (text.length > this.data.message_max || frameBytes(frame) > MAX_FRAME_BYTES) error.textContent = this.t.too_long;
    else if (!this.send(frame)) error.textContent = this.t.offline_send;
    else {
      textarea.value = "";
      this.updateCounter();
    }
  }

  error(frame) {
    el("message-error").textContent = this.t[`error_${frame.code}`] || this.t.error_generic;
  }
}
