// Who is in the room and where: occupants by their per-room oid, the zones they stand in, and how
// each is called in sentences (nickname, else the avatar's name; staff by their display name).
import { fill } from "../dom.js";

export class RoomState {
  constructor(map, data) {
    this.map = map;
    this.data = data;
    this.t = data.strings;
    this.occupants = new Map();
    this.you = null;
    // Booths the relay says are in use (taken for a consultation); null until it has said.
    this.booths = null;
    // Booths numbered in map order, so 相談ブース 1, 2… match what staff see.
    let booth = 0;
    this.zones = map.zones.map((zone) => ({ ...zone, n: zone.kind === "booth" ? ++booth : 0 }));
  }

  /** The zone at a point, or null (corridors between zones). */
  zoneAt(x, y) {
    return this.zones.find((z) => x >= z.x && x <= z.x + z.w && y >= z.y && y <= z.y + z.h) || null;
  }

  zoneName(zone) {
    if (!zone) return "";
    const own = this.data.lang === "en" ? zone.label_en : zone.label_ja;
    return own || fill(this.data.zones[zone.kind] || zone.id, { n: zone.n });
  }

  /** How a person is named: 「くまさん」, 「たろうさん」, a staff member's display name, or あなた. */
  nameOf(occupant, forSentence = true) {
    if (occupant.oid === this.you && forSentence) return this.t.you;
    if (occupant.staff) return occupant.display_name || occupant.nickname || this.t.staff;
    const base = occupant.nickname || this.data.avatars[occupant.avatar] || "";
    if (!base) return occupant.oid === this.you ? this.t.you : "";
    return this.data.lang === "en" ? base : fill(this.t.resident_name, { name: base });
  }

  put(occupant) {
    const known = this.occupants.get(occupant.oid) || {};
    const merged = { ...known, ...occupant };
    merged.zone = this.zoneAt(merged.x, merged.y);
    this.occupants.set(occupant.oid, merged);
    return { occupant: merged, from: known.zone || null };
  }

  remove(oid) {
    const gone = this.occupants.get(oid);
    this.occupants.delete(oid);
    return gone;
  }

  get self() {
    return this.occupants.get(this.you);
  }

  /** A booth in use, as the relay says, or else one that someone other than `oid` stands in. */
  boothTakenBy(zone, oid) {
    if (!zone || zone.kind !== "booth") return false;
    if (this.booths) return this.booths.has(zone.id);
    for (const other of this.occupants.values()) {
      if (other.oid !== oid && other.zone && other.zone.id === zone.id) return true;
    }
    return false;
  }

  boothInUse(zone) {
    return zone.kind === "booth" && (this.booths ? this.booths.has(zone.id) : this.inZone(zone).length > 0);
  }

  inZone(zone) {
    return [...this.occupants.values()].filter((o) => o.zone && o.zone.id === zone.id);
  }
}
