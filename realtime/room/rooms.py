"""The rooms this relay has people in: entering and leaving, moves coalesced per tick, fan-out by broker.

A room's changes travel as `{"kind": "room", "op": ...}` envelopes on its channel (`r<session_id>`),
so every relay with someone in it keeps the same RoomState and tells its own clients:
  enter {occupant}   someone came in (relays with someone in the room send `entered`)
  here {occupants}   a relay's own occupants, answering `sync` from a relay new to the room and every
                     HERE_S (a roll call: those of a relay silent for 3 x HERE_S have `left`)
  leave {oid}        someone left (`left`)
  moves {items}      positions moved on one relay during one tick (gathered into one `moves` frame)
  emote {oid, emote} a stamp (`emote`)
  booth {zone, oids} a promoter took a resident: both seated in that booth; nobody else may enter it
  free {oid}         the booth holding this resident is free again
  mute {oid, muted}  a resident's stamps muted (or no longer)
A practice room (`p<practice_id>`) is a room of one and never touches the broker.
"""
from __future__ import annotations

import asyncio
import logging
import time

from realtime.client import Client, dump, send_all
from realtime.room.state import Occupant, RoomState, make_oid
from webapp.rooms.map import DEFAULT_MAP, load_map

log = logging.getLogger("realtime")

#: How often the positions moved since the last tick go out, as one `moves` frame per room (about 10 Hz).
TICK_S = 0.1
#: How often each relay says who of a room is with it (`here`); silent for three times this: gone.
HERE_S = 5.0


def room_key(session_id: int) -> str:
    return f"r{session_id}"


def practice_key(practice_id: int) -> str:
    return f"p{practice_id}"


def booth_slot(session, user_id: int | None) -> int:
    """The booth a promoter talks in: their place among the session's promoters (others: the next one)."""
    ids = [p.id for p in session.promoters]
    return ids.index(user_id) if user_id in ids else len(ids)


class Rooms:
    """This relay's rooms (key -> RoomState) and the clients in each."""

    def __init__(self, relay):
        #: The relay (realtime.relay.Relay, which makes this): its secret, config, hub and broker.
        self.relay = relay
        self.map = relay.config.get("ROOM_MAP") or load_map(DEFAULT_MAP)
        self.rooms: dict[str, RoomState] = {}
        self.practice: dict[str, set[Client]] = {}

    def oid(self, key: str, who: str) -> str:
        return make_oid(self.relay.secret, key, who)

    def resident_oid(self, session_id: int, checkin_id: int) -> str:
        return self.oid(room_key(session_id), f"c{checkin_id}")

    def staff_oid(self, session_id: int, user_id: int) -> str:
        return self.oid(room_key(session_id), f"u{user_id}")

    def local(self, key: str) -> list[Client]:
        if key.startswith("p"):
            return list(self.practice.get(key, ()))
        return [c for c in self.relay.hub.local.get(key, ()) if c.room == key]

    async def publish(self, key: str, op: str, **data) -> None:
        envelope = {"kind": "room", "op": op, **data}
        if key.startswith("p"):
            self.on_envelope(key, envelope)
        else:
            await self.relay.publish(key, envelope)

    # --- this relay's clients ------------------------------------------------------------------

    async def enter(self, client: Client, key: str, occupant: Occupant, booth: tuple[str, list[str]] | None = None,
                    session_id: int | None = None) -> None:
        """Put `client` in the room: it gets `room`, everyone else `entered` (or, in a booth, its seat)."""
        if client.room is not None:
            await self.part(client)
        fresh = key not in self.rooms
        room = self.rooms.get(key) or RoomState(key, self.map)
        if key.startswith("p"):
            self.practice.setdefault(key, set()).add(client)
        else:
            await self.relay.hub.join(client, key)
        # In the room from now (not while subscribing): nothing about it reaches the client before `room`.
        client.room, client.oid = key, occupant.oid
        room = self.rooms.setdefault(key, room)  # the last one to leave meanwhile may have dropped it
        known = room.occupants.get(occupant.oid)
        if known is not None:  # another tab of the same person: where they already are
            occupant.x, occupant.y = known.x, known.y
        else:
            occupant.x, occupant.y = room.spawn_point(occupant.oid)
        others = [o.public() for o in room.occupants.values() if o.oid != occupant.oid]
        client.send_frame({"type": "room", "session_id": session_id, "you": occupant.oid,
                           "occupants": [*others, occupant.public()], "booths_in_use": sorted(room.booths)})
        await self.publish(key, "enter", occupant=occupant.envelope())
        if fresh and not key.startswith("p"):
            await self.publish(key, "sync")
        if booth is not None:
            await self.publish(key, "booth", zone=booth[0], oids=booth[1])

    async def part(self, client: Client) -> None:
        """`client` leaves its room; the others see `left` once this person has no tab left in it."""
        key, oid = client.room, client.oid
        if key is None:
            return
        client.room = None
        others = [c for c in self.local(key) if c is not client and c.oid == oid]
        if key.startswith("p"):
            self.practice.get(key, set()).discard(client)
        if not others:
            await self.publish(key, "leave", oid=oid)
        if not key.startswith("p"):
            await self.relay.hub.part(client, key)
        if not self.local(key):
            self.rooms.pop(key, None)
            self.practice.pop(key, None)

    def move(self, client: Client, x: int, y: int) -> None:
        """Note where `client` wants to be (clamped); it goes out with the next tick, the latest one only."""
        room = self.rooms.get(client.room or "")
        occupant = room.occupants.get(client.oid) if room else None
        if occupant is None:
            return
        occupant.x, occupant.y = room.clamp(occupant.oid, x, y)
        room.outgoing[occupant.oid] = (occupant.x, occupant.y)

    def room_of(self, client: Client) -> RoomState | None:
        return self.rooms.get(client.room or "")

    def booth_for(self, session_id: int, checkin_id: int, user_id: int, slot: int) -> tuple[str, list[str]]:
        """The booth a resident and their promoter sit in: the one they have, else the promoter's, else a free one."""
        room = self.rooms.get(room_key(session_id))
        resident = self.resident_oid(session_id, checkin_id)
        zone = room.booth_of(resident) if room else None
        if zone is None:
            zone = (room.free_booth(slot) if room else None) or self.map.booths[slot % len(self.map.booths)]
        return zone.id, [resident, self.staff_oid(session_id, user_id)]

    def checkin_of(self, session_id: int | None, oid: str | None) -> int | None:
        """The check-in behind a resident's oid in a room with someone on this relay (staff who see them)."""
        room = self.rooms.get(room_key(session_id)) if session_id and oid else None
        occupant = room.occupants.get(oid) if room else None
        return occupant.checkin_id if occupant else None

    async def taken(self, session_id: int, checkin_id: int, user_id: int, slot: int) -> None:
        """After a take in a metaverse session: the resident and the promoter sit in the promoter's booth."""
        zone, oids = self.booth_for(session_id, checkin_id, user_id, slot)
        await self.publish(room_key(session_id), "booth", zone=zone, oids=oids)

    async def checked_out(self, session_id: int, checkin_id: int) -> None:
        """The check-in ended (closed, left, removed): its booth is free and the resident leaves the room."""
        oid = self.resident_oid(session_id, checkin_id)
        await self.publish(room_key(session_id), "free", oid=oid)
        await self.publish(room_key(session_id), "leave", oid=oid)

    # --- from any relay --------------------------------------------------------------------------

    def on_envelope(self, key: str, envelope: dict) -> None:
        """The broker's room envelope for `key`: update this relay's picture and tell its clients."""
        room = self.rooms.get(key)
        handler = _OPS.get(envelope.get("op"))
        if room is None or handler is None:
            return
        try:
            handler(self, room, envelope)
        except (KeyError, TypeError, ValueError):
            log.warning("ignored a malformed room envelope (%s) on %s", envelope.get("op"), key)

    def _send(self, key: str, frame: dict, skip: str | None = None) -> None:
        """One frame to this relay's clients in the room: encoded once, written by one broadcast()."""
        send_all(self.local(key) if skip is None else [c for c in self.local(key) if c.oid != skip], dump(frame))

    def _enter(self, room: RoomState, envelope: dict) -> None:
        occupant = Occupant.from_envelope(envelope["occupant"])
        if room.add(occupant):  # not for a second tab of someone already here
            self._send(room.key, {"type": "entered", "occupant": occupant.public()}, skip=occupant.oid)

    def _here(self, room: RoomState, envelope: dict) -> None:
        for zone_id, oids in (envelope.get("booths") or {}).items():  # booths in use, for a relay new to the room
            if room.map.zone(zone_id) is not None and zone_id not in room.booths:
                room.booths[zone_id] = {oid for oid in oids if isinstance(oid, str)}
        for data in envelope["occupants"]:
            if data["oid"] in room.occupants:
                room.heard[data["oid"]] = time.monotonic()
            else:
                self._enter(room, {"occupant": data})

    def _sync(self, room: RoomState, envelope: dict) -> None:
        mine = {c.oid for c in self.local(room.key)}
        if mine:
            here = [o.envelope() for o in room.occupants.values() if o.oid in mine]
            self.relay.hub.spawn(self.publish(room.key, "here", occupants=here, booths=_booths(room)))

    def _leave(self, room: RoomState, envelope: dict) -> None:
        if room.remove(envelope["oid"]) is not None:
            self._send(room.key, {"type": "left", "oid": envelope["oid"]})

    def _moves(self, room: RoomState, envelope: dict) -> None:
        for item in envelope["items"]:
            room.place(item["oid"], int(item["x"]), int(item["y"]))

    def _emote(self, room: RoomState, envelope: dict) -> None:
        if envelope["oid"] in room.occupants:
            self._send(room.key, {"type": "emote", "oid": envelope["oid"], "emote": envelope["emote"]})

    def _booth(self, room: RoomState, envelope: dict) -> None:
        zone = room.map.zone(envelope["zone"])
        if zone is None:
            return
        oids = [oid for oid in envelope["oids"] if isinstance(oid, str)]
        for oid in oids:
            room.remove_from_booths(oid)
        room.booths[zone.id] = set(oids)
        for seat, oid in enumerate(oids):
            room.place(oid, *room.booth_spot(zone, seat))
        self._send(room.key, {"type": "booths", "in_use": sorted(room.booths)})

    def _free(self, room: RoomState, envelope: dict) -> None:
        zone = room.booth_of(envelope["oid"])
        if zone is not None:
            room.booths.pop(zone.id, None)
            self._send(room.key, {"type": "booths", "in_use": sorted(room.booths)})

    def _mute(self, room: RoomState, envelope: dict) -> None:
        oid, muted = envelope["oid"], bool(envelope["muted"])
        (room.muted.add if muted else room.muted.discard)(oid)
        for client in self.local(room.key):
            if client.oid == oid:
                client.send_frame({"type": "muted", "muted": muted})

    # --- the tick ----------------------------------------------------------------------------------

    async def tick(self) -> None:
        """Publish what moved here, then send each room's clients one `moves` frame with what moved anywhere."""
        for key, room in list(self.rooms.items()):
            if room.outgoing:
                items, room.outgoing = room.outgoing, {}
                await self.publish(key, "moves", items=_items(items))
        for key, room in list(self.rooms.items()):
            if room.pending:
                items, room.pending = room.pending, {}
                self._send(key, {"type": "moves", "items": _items(items)})

    async def roll_call(self, here_s: float = HERE_S) -> None:
        """Say who is here in each shared room; let go those whose relay has been silent (it died)."""
        for key, room in list(self.rooms.items()):
            if key.startswith("p"):
                continue
            mine = {c.oid for c in self.local(key)}
            await self.publish(key, "here", occupants=[o.envelope() for o in room.occupants.values() if o.oid in mine],
                               booths=_booths(room))
            for oid in room.silent(mine, 3 * here_s):
                self._leave(room, {"oid": oid})

    async def run(self, tick_s: float = TICK_S, here_s: float = HERE_S) -> None:
        """Tick until cancelled (a roll call every `here_s`); a failed tick is logged and the next one goes on.

        Ticks keep a fixed cadence (each due `tick_s` after the one before, not after the work of the
        one before), so the time a move waits for its tick stays under `tick_s`; after a stall longer
        than a tick the cadence starts again from now rather than sending a burst of ticks.
        """
        last_call = due = time.monotonic()
        while True:
            due += tick_s
            now = time.monotonic()
            if due < now:
                due = now
            await asyncio.sleep(due - now)
            try:
                await self.tick()
                if time.monotonic() - last_call >= here_s:
                    last_call = time.monotonic()
                    await self.roll_call(here_s)
            except Exception:  # noqa: BLE001  (one bad tick must not stop the room)
                log.exception("room tick failed")


def _items(positions: dict[str, tuple[int, int]]) -> list[dict]:
    return [{"oid": oid, "x": x, "y": y} for oid, (x, y) in positions.items()]


def _booths(room: RoomState) -> dict[str, list[str]]:
    return {zone_id: sorted(oids) for zone_id, oids in room.booths.items()}


_OPS = {"enter": Rooms._enter, "here": Rooms._here, "sync": Rooms._sync, "leave": Rooms._leave,
        "moves": Rooms._moves, "emote": Rooms._emote, "booth": Rooms._booth, "free": Rooms._free,
        "mute": Rooms._mute}
