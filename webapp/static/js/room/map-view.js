// The map drawn in plain SVG: zones as labelled rectangles, people as their avatar and name, stamps
// and announcements as speech bubbles. The SVG is a picture for sighted people (aria-hidden); the
// places list (places.js) says the same to a screen reader.
const SVG = "http://www.w3.org/2000/svg";
const BUBBLE_MS = 4000;

function svg(tag, attrs = {}, text) {
  const element = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) element.setAttribute(key, value);
  if (text !== undefined) element.textContent = text;
  return element;
}

/** On the map a name stops before its explanation in brackets (the places list has it whole). */
function shortName(name) {
  return name.split(/[（(]/)[0].trim();
}

export class MapView {
  constructor(container, state, data) {
    this.state = state;
    this.data = data;
    this.figures = new Map();
    const { width, height } = state.map;
    this.svg = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "room-svg", "aria-hidden": "true",
                            focusable: "false" });
    this.zoneLayer = svg("g", { class: "room-zones" });
    this.peopleLayer = svg("g", { class: "room-people" });
    this.svg.append(svg("rect", { x: 0, y: 0, width, height, class: "room-floor" }), this.zoneLayer, this.peopleLayer);
    for (const zone of state.zones) this.drawZone(zone);
    container.replaceChildren(this.svg);
    this.fitLabels();
  }

  /** A name wider than its zone is squeezed to fit (a long English name in a narrow booth). */
  fitLabels() {
    for (const zone of this.state.zones) {
      const label = this.zoneLayer.querySelector(`[data-zone="${zone.id}"] text`);
      const room = zone.w - 24;
      if (label.getComputedTextLength() > room) {
        label.setAttribute("textLength", room);
        label.setAttribute("lengthAdjust", "spacingAndGlyphs");
      }
    }
  }

  drawZone(zone) {
    const group = svg("g", { class: `room-zone room-zone-${zone.kind}`, "data-zone": zone.id });
    group.append(svg("rect", { x: zone.x, y: zone.y, width: zone.w, height: zone.h, rx: 12 }),
      svg("text", { x: zone.x + 12, y: zone.y + 34, class: "room-zone-label" }, shortName(this.state.zoneName(zone))));
    this.zoneLayer.append(group);
  }

  /** Where on the map a click or tap landed, in map points. */
  pointAt(event) {
    const box = this.svg.getBoundingClientRect();
    const { width, height } = this.state.map;
    return { x: Math.round(((event.clientX - box.left) / box.width) * width),
             y: Math.round(((event.clientY - box.top) / box.height) * height) };
  }

  /** Draw or move one person. */
  show(occupant) {
    let figure = this.figures.get(occupant.oid);
    if (!figure) {
      figure = this.drawPerson(occupant);
      this.figures.set(occupant.oid, figure);
      this.peopleLayer.append(figure);
    }
    figure.style.transform = `translate(${occupant.x}px, ${occupant.y}px)`;
    if (occupant.oid === this.state.you) this.follow(occupant);
  }

  /** Where the map is wider than its frame (a phone), keep your own figure in view. */
  follow(occupant) {
    const frame = this.svg.parentElement;
    if (!frame || frame.scrollWidth <= frame.clientWidth) return;
    const scale = frame.scrollWidth / this.state.map.width;
    const left = occupant.x * scale - frame.clientWidth / 2;
    const reduce = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    frame.scrollTo({ left: Math.max(0, left), behavior: reduce ? "auto" : "smooth" });
  }

  drawPerson(occupant) {
    const mine = occupant.oid === this.state.you;
    const group = svg("g", { class: `room-person${occupant.staff ? " is-staff" : ""}${mine ? " is-you" : ""}`,
                             "data-oid": occupant.oid });
    group.append(svg("circle", { r: 22, class: "room-person-ring" }));
    if (this.data.avatars[occupant.avatar]) {
      group.append(svg("image", { href: `${this.data.avatar_url}${occupant.avatar}.svg`, x: -18, y: -18,
                                  width: 36, height: 36 }));
    } else {
      group.append(svg("text", { class: "room-person-initial", y: 9 }, "◎"));
    }
    // Staff wear their name and badge above them, residents below: in a booth the promoter and the
    // resident stand side by side, and their names would otherwise run into each other.
    if (occupant.staff) {
      group.append(svg("text", { y: -50, class: "room-person-name" }, this.state.nameOf(occupant, false)),
        svg("text", { y: -30, class: "room-person-badge" }, this.data.strings.staff_badge));
    } else {
      group.append(svg("text", { y: 40, class: "room-person-name" }, this.state.nameOf(occupant, false)));
    }
    return group;
  }

  hide(oid) {
    const figure = this.figures.get(oid);
    if (figure) figure.remove();
    this.figures.delete(oid);
  }

  /** A speech bubble over someone (a stamp, a staff greeting) for a few seconds. */
  bubble(oid, text) {
    const figure = this.figures.get(oid);
    if (!figure) return;
    for (const old of figure.querySelectorAll(".room-bubble")) old.remove();
    const width = Math.min(420, 24 + text.length * 30);
    // Kept inside the map: shifted from an edge, and below the person when there is no room above.
    const { x, y, staff } = this.state.occupants.get(oid);
    const left = Math.min(Math.max(-width / 2, 4 - x), this.state.map.width - x - width - 4);
    const above = staff ? 72 : 0;  // clear of a promoter's name and badge
    const top = y < 100 + above ? 64 : -76 - above;
    const bubble = svg("g", { class: "room-bubble" });
    bubble.append(svg("rect", { x: left, y: top, width, height: 44, rx: 10 }),
      svg("text", { x: left + width / 2, y: top + 32 }, text));
    figure.append(bubble);
    window.setTimeout(() => bubble.remove(), BUBBLE_MS);
  }

  /** Booths shaded while someone is in them. */
  markBooths() {
    for (const zone of this.state.zones.filter((z) => z.kind === "booth")) {
      const taken = this.state.boothInUse(zone);
      this.zoneLayer.querySelector(`[data-zone="${zone.id}"]`).classList.toggle("is-taken", taken);
    }
  }
}
