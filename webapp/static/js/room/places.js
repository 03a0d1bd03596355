// For a screen reader and the keyboard: every place with who is there and a 「ここへ行く」 button, and
// a live region that says when someone enters a place (「くまさんがラウンジに入りました」).
import { dataNode, fill, fillNodes, node } from "../dom.js";

export class Places {
  constructor({ list, live, state, go }) {
    Object.assign(this, { list, live, state });
    this.t = state.t;
    this.items = new Map();
    for (const zone of state.zones) {
      const item = node("li", "room-place");
      item.dataset.zone = zone.id;
      const name = node("span", "room-place-name", state.zoneName(zone));
      const people = node("span", "room-place-people");
      const button = node("button", "button-secondary room-go", this.t.go_here);
      button.type = "button";
      button.append(node("span", "visually-hidden", fill(this.t.about, { name: state.zoneName(zone) })));
      button.addEventListener("click", () => go(zone));
      item.append(name, people, button);
      list.append(item);
      this.items.set(zone.id, { item, people });
    }
  }

  /** Who is where, rewritten in place so a focused button keeps its focus. */
  refresh() {
    for (const zone of this.state.zones) {
      const { item, people } = this.items.get(zone.id);
      const here = this.state.inZone(zone);
      item.classList.toggle("is-here", here.some((o) => o.oid === this.state.you));
      item.querySelector(".room-place-name").textContent = this.state.zoneName(zone)
        + (this.state.boothInUse(zone) ? this.t.in_use : "");
      if (!here.length) {
        people.textContent = this.t.nobody;
        continue;
      }
      const names = document.createDocumentFragment();
      names.append(fill(this.t.people_n, { n: here.length }));
      here.forEach((occupant, i) => {
        if (i) names.append(this.t.list_sep);
        names.append(dataNode(this.state.nameOf(occupant)));
      });
      people.replaceChildren(names);
    }
  }

  /** Say that someone came into a place (yourself: where you are now). */
  entered(occupant) {
    if (!occupant.zone) return;
    const place = this.state.zoneName(occupant.zone);
    if (occupant.oid === this.state.you) this.say(fill(this.t.you_in_place, { place }));
    else this.say(fillNodes(this.t.entered_place, { name: this.state.nameOf(occupant), place }));
  }

  /** One polite sentence at a time; an unchanged sentence is not repeated. */
  say(content) {
    const text = typeof content === "string" ? content : content.textContent;
    if (this.live.textContent === text) return;
    if (typeof content === "string") this.live.textContent = content;
    else this.live.replaceChildren(content);
  }
}
