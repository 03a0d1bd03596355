// What staff do in the room: greet everyone (an announcement, shown as a speech bubble), walk up to
// anyone, stop a resident's stamps (`mute`) or remove them after a second press (`remove`), both by
// the room's oid (room frames never carry a check-in id).
import { dataNode, fill, fillNodes, node } from "../dom.js";

const NEAR = 50;

export class StaffTools {
  constructor({ state, data, send, walker, say }) {
    Object.assign(this, { state, data, send, walker, say });
    this.t = data.strings;
    this.list = document.getElementById("people");
    this.muted = new Set();
    const form = document.getElementById("greet-form");
    form.addEventListener("submit", (event) => this.greet(event));
  }

  greet(event) {
    event.preventDefault();
    const input = document.getElementById("greet-text");
    const status = document.getElementById("greet-status");
    const text = input.value.trim();
    status.textContent = "";
    if (!text) {
      status.textContent = this.t.empty;
      input.focus();
      return;
    }
    if (this.send({ type: "announce", session_id: this.data.session_id, text })) input.value = "";
    else status.textContent = this.t.offline_send;
  }

  /** Everyone in the room with staff buttons; redrawn only when someone comes or goes. */
  refresh() {
    const keys = [...this.state.occupants.keys()].filter((oid) => oid !== this.state.you).join(",")
      + [...this.muted].join(",");
    if (keys === this.shownKeys) return;
    this.shownKeys = keys;
    const items = [];
    for (const occupant of this.state.occupants.values()) {
      if (occupant.oid === this.state.you) continue;
      const item = node("li", "room-person-row");
      const name = node("span", "room-person-row-name");
      name.append(dataNode(this.state.nameOf(occupant)));
      item.append(name, this.button(this.t.go_near, occupant, () => this.walkUp(occupant.oid)));
      if (!occupant.staff) {
        const muted = this.muted.has(occupant.oid);
        item.append(this.button(muted ? this.t.unmute : this.t.mute, occupant, () => this.mute(occupant, !muted)),
          this.removeControls(occupant));
      }
      items.push(item);
    }
    this.list.replaceChildren(...items);
  }

  button(label, occupant, action) {
    const button = node("button", "button-secondary button-small", label);
    button.type = "button";
    button.append(node("span", "visually-hidden", fill(this.t.about, { name: this.state.nameOf(occupant) })));
    button.addEventListener("click", action);
    return button;
  }

  /** Stand beside someone, in the same place as them (left, right, above or below; else on their spot). */
  walkUp(oid) {
    const other = this.state.occupants.get(oid);
    if (!other) return;
    const sides = [[-NEAR, 0], [NEAR, 0], [0, -NEAR], [0, NEAR]].map(([dx, dy]) => ({ x: other.x + dx, y: other.y + dy }));
    const same = (point) => this.state.zoneAt(point.x, point.y) === other.zone;
    this.walker.walkTo(sides.find(same) || { x: other.x, y: other.y });
  }

  /** 「退出させる」, then 「本当に退出させますか？」 with 「退出させる」 and 「やめる」 (as on the console). */
  removeControls(occupant) {
    const box = node("span", "room-remove");
    const start = this.button(this.t.remove, occupant, () => {
      start.hidden = true;
      check.hidden = false;
      yes.focus();
    });
    const check = node("span", "room-remove-confirm", this.t.remove_really);
    const yes = this.button(this.t.remove, occupant, () => {
      this.send({ type: "remove", session_id: this.data.session_id, oid: occupant.oid });
    });
    yes.className = "button-danger button-small";
    const no = this.button(this.t.cancel, occupant, () => {
      check.hidden = true;
      start.hidden = false;
      start.focus();
    });
    check.append(" ", yes, " ", no);
    check.hidden = true;
    box.append(start, check);
    return box;
  }

  mute(occupant, muted) {
    this.send({ type: "mute", session_id: this.data.session_id, oid: occupant.oid, muted });
  }

  /** The relay's answer to a mute: the button turns round, and it is said. */
  mutedChanged(frame) {
    if (frame.muted) this.muted.add(frame.oid);
    else this.muted.delete(frame.oid);
    const occupant = this.state.occupants.get(frame.oid);
    const done = frame.muted ? this.t.muted : this.t.unmuted;
    if (occupant) this.say(fillNodes(this.t.stamp_said, { name: this.state.nameOf(occupant), stamp: done }));
    this.refresh();
  }
}
