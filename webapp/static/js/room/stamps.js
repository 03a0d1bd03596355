// Fixed stamps (no free text between residents): a button each; a stamp shows as a bubble over the
// sender and is said in the live region.
import { fillNodes, node } from "../dom.js";

export function stampLabel(data, id) {
  return data.emotes[id] || id;
}

export function buildStamps(container, data, emotes, send) {
  container.replaceChildren();
  for (const id of emotes) {
    const button = node("button", "button-secondary room-stamp", stampLabel(data, id));
    button.type = "button";
    button.dataset.emote = id;
    button.addEventListener("click", () => send(id));
    container.append(button);
  }
}

/** Show someone's stamp: a bubble on the map and one sentence for screen readers. */
export function showStamp({ view, places, state, data }, oid, id) {
  const occupant = state.occupants.get(oid);
  if (!occupant) return;
  const label = stampLabel(data, id);
  view.bubble(oid, label);
  places.say(fillNodes(data.strings.stamp_said, { name: state.nameOf(occupant), stamp: label }));
}
