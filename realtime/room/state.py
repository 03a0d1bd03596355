"""One room as this relay knows it: its occupants (here and on other relays), booths and stamps muted.

Every relay with someone in the room keeps the same picture, built from the room's broker
envelopes (realtime/room/rooms.py), so a move is clamped the same way wherever it arrives.
"""
from __future__ import annotations

import dataclasses
import hashlib
import hmac
import time

from webapp.rooms.map import RoomMap, Zone

#: Staff occupants carry this avatar id (they have no check-in, so no avatar of their own).
STAFF_AVATAR = "staff"


def make_oid(secret: str, room_key: str, who: str) -> str:
    """An id for one occupant in one room: the same on every relay, meaningless anywhere else."""
    return hmac.new(secret.encode(), f"room:{room_key}:{who}".encode(), hashlib.sha256).hexdigest()[:16]


@dataclasses.dataclass(eq=False)
class Occupant:
    """Someone in the room. `checkin_id` and `user_id` stay inside the relays: no frame carries them."""

    oid: str
    avatar: str
    nickname: str
    x: int
    y: int
    staff: bool = False
    display_name: str | None = None
    checkin_id: int | None = None
    user_id: int | None = None

    def public(self) -> dict:
        """The occupant as room frames show it (CONTRACT §9)."""
        shown = {"oid": self.oid, "avatar": self.avatar, "nickname": self.nickname, "x": self.x, "y": self.y,
                 "staff": self.staff}
        if self.staff:
            shown["display_name"] = self.display_name or ""
        return shown

    def envelope(self) -> dict:
        """The occupant between relays (with the ids the relays need to act on them)."""
        return {**self.public(), "checkin_id": self.checkin_id, "user_id": self.user_id}

    @classmethod
    def from_envelope(cls, data: dict) -> Occupant:
        return cls(oid=data["oid"], avatar=data["avatar"], nickname=data.get("nickname") or "", x=int(data["x"]),
                   y=int(data["y"]), staff=bool(data.get("staff")), display_name=data.get("display_name"),
                   checkin_id=data.get("checkin_id"), user_id=data.get("user_id"))


class RoomState:
    """Occupants by oid, the booths in use (zone id -> the oids it holds), the oids whose stamps are muted."""

    def __init__(self, key: str, room_map: RoomMap):
        self.key = key
        self.map = room_map
        self.occupants: dict[str, Occupant] = {}
        self.booths: dict[str, set[str]] = {}
        self.muted: set[str] = set()
        #: Positions moved here since the last tick, to publish (oid -> (x, y)).
        self.outgoing: dict[str, tuple[int, int]] = {}
        #: Positions heard since the last tick, to send to this relay's clients in one `moves` frame.
        self.pending: dict[str, tuple[int, int]] = {}
        #: When each occupant's relay last spoke of them (time.monotonic): a relay that died goes silent.
        self.heard: dict[str, float] = {}

    def add(self, occupant: Occupant) -> bool:
        """Someone is here (again); True when they are new to this room."""
        new = occupant.oid not in self.occupants
        self.occupants[occupant.oid] = occupant
        self.heard[occupant.oid] = time.monotonic()
        return new

    def silent(self, mine: set[str], for_s: float) -> list[str]:
        """Occupants of other relays not spoken of for `for_s` seconds (their relay has gone)."""
        cutoff = time.monotonic() - for_s
        return [oid for oid in self.occupants if oid not in mine and self.heard.get(oid, 0) < cutoff]

    def listing(self) -> list[dict]:
        return [o.public() for o in self.occupants.values()]

    def spawn_point(self, oid: str) -> tuple[int, int]:
        """Where someone appears: inside the entrance, spread a little so two arrivals do not overlap."""
        zone = self.map.entrance
        spread = int(oid[:4], 16)
        return zone.x + 10 + spread % max(zone.w - 20, 1), zone.y + 10 + (spread // 7) % max(zone.h - 20, 1)

    def booth_spot(self, zone: Zone, index: int) -> tuple[int, int]:
        """Seat `index` of a booth: the resident left of centre, the promoter right of it."""
        cx, cy = zone.centre()
        return cx + (-zone.w // 6 if index == 0 else zone.w // 6), cy

    def booth_of(self, oid: str) -> Zone | None:
        for zone_id, oids in self.booths.items():
            if oid in oids:
                return self.map.zone(zone_id)
        return None

    def free_booth(self, preferred: int) -> Zone | None:
        """The booth for the promoter in slot `preferred` (0-based), or the first free one; None when all are taken."""
        booths = self.map.booths
        if not booths:
            return None
        first = booths[preferred % len(booths)]
        if not self.booths.get(first.id):
            return first
        return next((b for b in booths if not self.booths.get(b.id)), None)

    def clamp(self, oid: str, x: int, y: int) -> tuple[int, int]:
        """The nearest allowed point: inside the map, and outside every booth in use by others."""
        x, y = self.map.clamp(x, y)
        for zone_id, holders in self.booths.items():
            zone = self.map.zone(zone_id)
            if zone is not None and holders and oid not in holders and zone.contains(x, y):
                x, y = _outside(zone, x, y, self.map)
        return x, y

    def place(self, oid: str, x: int, y: int) -> None:
        occupant = self.occupants.get(oid)
        if occupant is not None:
            occupant.x, occupant.y = x, y
            self.pending[oid] = (x, y)
            self.heard[oid] = time.monotonic()

    def remove_from_booths(self, oid: str) -> None:
        for zone_id in [z for z, oids in self.booths.items() if oid in oids]:
            self.booths[zone_id].discard(oid)
            if not self.booths[zone_id]:
                del self.booths[zone_id]

    def remove(self, oid: str) -> Occupant | None:
        """Someone left: their seat in a booth goes with them (the booth is free once both have gone)."""
        self.outgoing.pop(oid, None)
        self.pending.pop(oid, None)
        self.remove_from_booths(oid)
        self.heard.pop(oid, None)
        return self.occupants.pop(oid, None)


def _outside(zone: Zone, x: int, y: int, room_map: RoomMap) -> tuple[int, int]:
    """Just beyond the booth's nearest edge from (x, y) that still lies inside the map."""
    exits = [(x - zone.x, (zone.x - 1, y)), (zone.x + zone.w - x, (zone.x + zone.w + 1, y)),
             (y - zone.y, (x, zone.y - 1)), (zone.y + zone.h - y, (x, zone.y + zone.h + 1))]
    inside = [e for e in exits if room_map.clamp(*e[1]) == e[1]] or exits
    return room_map.clamp(*min(inside, key=lambda e: e[0])[1])
