"""The metaverse room on the relay (CONTRACT §9): every room frame, clamping, coalescing, booths, stamps."""
from __future__ import annotations

import json

import pytest

from realtime.tokens import issue_practice_token
from tests.conftest import SECRET
from tests.realtime.conftest import World
from webapp.db import db_session

ROOM_FRAMES = ("room", "moves", "entered", "left", "emote")


@pytest.fixture
def room_world(app, make_user, make_session):
    return World(app, make_user, make_session, fmt="metaverse")


def visit(world: World, avatar="cat", nickname=None) -> tuple[int, str]:
    """A resident enters the room (intent "visit"); (checkin_id, token)."""
    from realtime.tokens import issue_resident_token
    from webapp.checkins import operations

    try:
        checkin = operations.check_in(world.session_id, avatar, nickname, intent="visit")
        return checkin.id, issue_resident_token(SECRET, checkin)
    finally:
        db_session.remove()


def enter(peers, relay, token):
    """Connect and read the welcome and the room frame: (peer, welcome, room)."""
    peer = peers(relay.url(token))
    welcome = peer.next("welcome")
    return peer, welcome, peer.next("room")


def position_of(peer, oid: str, where=None) -> dict:
    """The next `moves` item for `oid` (passing `where`)."""
    def has(frame):
        return any(i["oid"] == oid and (where is None or where(i)) for i in frame["items"])

    frame = peer.next("moves", where=has)
    return next(i for i in frame["items"] if i["oid"] == oid)


def zone(room_frame_map: dict, kind: str, zone_id: str | None = None) -> dict:
    return next(z for z in room_frame_map["zones"] if z["kind"] == kind and (zone_id is None or z["id"] == zone_id))


def inside(item: dict, z: dict) -> bool:
    return z["x"] <= item["x"] <= z["x"] + z["w"] and z["y"] <= item["y"] <= z["y"] + z["h"]


@pytest.fixture
def room_map(app):
    return app.config["ROOM_MAP"].public()


def test_visitors_see_each_other_enter_move_greet_and_leave(room_world, relay, peers):
    _, kuma_token = visit(room_world, "bear", "くま")
    _, neko_token = visit(room_world, "cat", "ねこ")
    kuma, welcome, room = enter(peers, relay, kuma_token)
    assert welcome["status"] == "visiting" and welcome["position"] is None
    assert [o["oid"] for o in room["occupants"]] == [room["you"]]
    me = room["occupants"][0]
    assert (me["avatar"], me["nickname"], me["staff"]) == ("bear", "くま", False)

    neko, _, neko_room = enter(peers, relay, neko_token)
    assert {o["nickname"] for o in neko_room["occupants"]} == {"くま", "ねこ"}
    entered = kuma.next("entered")["occupant"]
    assert entered["oid"] == neko_room["you"] and entered["nickname"] == "ねこ"

    neko.send(type="move", x=300, y=250)
    assert position_of(kuma, neko_room["you"]) == {"oid": neko_room["you"], "x": 300, "y": 250}
    neko.send(type="emote", emote="wave")
    assert kuma.next("emote") == {"type": "emote", "oid": neko_room["you"], "emote": "wave"}
    neko.send(type="emote", emote="not-a-stamp")
    assert neko.next("error")["code"] == "invalid_emote"

    neko.close()
    assert kuma.next("left") == {"type": "left", "oid": neko_room["you"]}
    assert room_world.counts()["visits"] == 2 and room_world.counts()["waiting"] == 0


def test_no_room_frame_carries_a_checkin_id_a_token_or_a_number(room_world, relay, peers):
    kuma_id, kuma_token = visit(room_world, "bear", "くま")
    neko_id, neko_token = visit(room_world, "cat", "ねこ")
    kuma, kuma_welcome, _ = enter(peers, relay, kuma_token)
    neko, _, neko_room = enter(peers, relay, neko_token)
    kuma.next("entered")
    for peer in (kuma, neko):
        peer.send(type="move", x=400, y=300)
        peer.send(type="emote", emote="bow")
    kuma.next("emote"), neko.next("emote")
    position_of(kuma, neko_room["you"])
    neko.close()
    kuma.next("left")
    frames = [f for f in kuma.seen + neko.seen if f["type"] in ROOM_FRAMES]
    assert {f["type"] for f in frames} == set(ROOM_FRAMES)
    for frame in frames:
        text = json.dumps(frame)
        assert kuma_token not in text and neko_token not in text
        assert not _keys(frame) & {"checkin_id", "token", "number", "user_id", "session_token"}
        assert kuma_id not in _values(frame) or frame["type"] == "room"  # a coordinate may equal an id by chance
    assert kuma_welcome["number"] == 1  # the resident's own welcome still names their 受付番号


def _keys(value) -> set:
    if isinstance(value, dict):
        return set(value) | set().union(*(_keys(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_keys(v) for v in value)) if value else set()
    return set()


def _values(value) -> list:
    if isinstance(value, dict):
        return [x for k, v in value.items() if k not in ("x", "y") for x in _values(v)]
    if isinstance(value, list):
        return [x for v in value for x in _values(v)]
    return [value]


def test_a_move_outside_the_map_is_clamped_into_it(room_world, relay, peers, room_map):
    _, token = visit(room_world)
    kuma, _, room = enter(peers, relay, token)
    kuma.send(type="move", x=-500, y=10 ** 9)
    assert position_of(kuma, room["you"]) == {"oid": room["you"], "x": 0, "y": room_map["height"]}


def test_a_flood_of_moves_is_coalesced_without_a_single_error(room_world, relay, peers):
    _, kuma_token = visit(room_world)
    _, neko_token = visit(room_world)
    kuma, _, _ = enter(peers, relay, kuma_token)
    neko, _, neko_room = enter(peers, relay, neko_token)
    for step in range(300):
        neko.send(type="move", x=100 + step, y=200)
    last = position_of(kuma, neko_room["you"], where=lambda i: i["x"] == 399)
    assert last["y"] == 200
    neko.send(type="ping")
    neko.next("pong")  # still connected
    seen_by_kuma = [f for f in kuma.seen if f["type"] == "moves"]
    assert len(seen_by_kuma) < 300  # gathered, not one frame per move
    assert [f for f in neko.seen + kuma.seen if f["type"] == "error"] == []


def test_a_malformed_move_gets_one_error_and_the_connection_stays(room_world, relay, peers):
    _, token = visit(room_world)
    kuma, _, room = enter(peers, relay, token)
    kuma.send(type="move", x=10.5, y="up")
    assert kuma.next("error")["code"] == "bad_frame"
    kuma.send(type="move", x=200, y=210)
    assert position_of(kuma, room["you"])["x"] == 200


def test_asking_puts_a_visitor_in_line_and_their_queue_frame_follows(room_world, relay, peers):
    checkin_id, token = visit(room_world)
    sato = peers(relay.url(room_world.staff_token("sato")))
    sato.next("welcome")
    kuma, _, _ = enter(peers, relay, token)
    kuma.send(type="ask")
    queue = kuma.next("queue")
    assert queue["position"] == 1 and queue["waiting"] == 1
    staff_queue = sato.next("queue", where=lambda f: any(e["checkin_id"] == checkin_id for e in f["entries"]))
    assert [e["status"] for e in staff_queue["entries"]] == ["waiting"]
    assert room_world.checkin(checkin_id).status == "waiting"


def test_a_take_seats_resident_and_promoter_in_the_booth_and_keeps_others_out(room_world, relay, peers, room_map):
    checkin_id, kuma_token = visit(room_world, "bear", "くま")
    _, neko_token = visit(room_world, "cat", "ねこ")
    sato = peers(relay.url(room_world.staff_token("sato")))
    sato.next("welcome")
    sato.send(type="enter", session_id=room_world.session_id)
    sato_room = sato.next("room")
    staff_me = next(o for o in sato_room["occupants"] if o["oid"] == sato_room["you"])
    assert staff_me["staff"] is True and staff_me["display_name"] == "主任推進員 sato"
    kuma, _, kuma_room = enter(peers, relay, kuma_token)
    neko, _, neko_room = enter(peers, relay, neko_token)
    assert any(o["staff"] and o["display_name"] == "主任推進員 sato" for o in neko_room["occupants"])

    kuma.send(type="ask")
    kuma.next("queue")
    sato.send(type="take", checkin_id=checkin_id)
    sato.next("taken")
    kuma.next("handoff")
    booth = zone(room_map, "booth", "booth-1")  # sato is the session's first promoter
    pair = {kuma_room["you"], sato_room["you"]}
    seated = neko.next("moves", where=lambda f: {i["oid"] for i in f["items"] if inside(i, booth)} >= pair)
    assert len({(i["x"], i["y"]) for i in seated["items"] if i["oid"] in pair}) == 2  # side by side

    assert neko.next("booths")["in_use"] == ["booth-1"]
    centre = booth["x"] + booth["w"] // 2, booth["y"] + booth["h"] // 2
    neko.send(type="move", x=centre[0], y=centre[1])
    kept_out = position_of(kuma, neko_room["you"])
    assert not inside(kept_out, booth)

    sato.send(type="close", checkin_id=checkin_id, outcome={"kind": "consultation", "topics": ["elderly"],
                                                             "result": "listened", "referred_to": None})
    assert neko.next("booths")["in_use"] == []
    assert neko.next("left")["oid"] == kuma_room["you"]
    neko.send(type="move", x=centre[0], y=centre[1])
    assert position_of(sato, neko_room["you"], where=lambda i: inside(i, booth)) == {  # free again: in she goes
        "oid": neko_room["you"], "x": centre[0], "y": centre[1]}


def test_staff_mute_a_residents_stamps(room_world, relay, peers):
    _, kuma_token = visit(room_world)
    _, neko_token = visit(room_world)
    sato = peers(relay.url(room_world.staff_token("sato")))
    sato.next("welcome")
    sato.send(type="enter", session_id=room_world.session_id)
    sato.next("room")
    kuma, _, _ = enter(peers, relay, kuma_token)
    neko, _, neko_room = enter(peers, relay, neko_token)
    sato.send(type="mute", session_id=room_world.session_id, oid=neko_room["you"])
    sato.next("muted", oid=neko_room["you"])
    assert neko.next("muted")["muted"] is True
    neko.send(type="emote", emote="wave")
    assert neko.next("error")["code"] == "muted"
    kuma.send(type="emote", emote="smile")
    assert sato.next("emote")["emote"] == "smile"
    assert [f for f in sato.seen if f["type"] == "emote" and f["oid"] == neko_room["you"]] == []


def test_a_resident_cannot_mute_or_enter_and_a_session_elsewhere_has_no_room(world, relay, peers):
    _, token = world.check_in()
    resident = peers(relay.url(token))
    resident.next("welcome")
    resident.send(type="move", x=1, y=1)
    assert resident.next("error")["code"] == "not_in_room"
    resident.send(type="mute", session_id=world.session_id, oid="x")
    assert resident.next("error")["code"] == "unknown_type"
    sato = peers(relay.url(world.staff_token("sato")))
    sato.next("welcome")
    sato.send(type="enter", session_id=world.session_id)
    assert sato.next("error")["code"] == "not_found"


def test_practice_is_a_room_of_one_without_staff_and_not_a_visit(app, make_session, relay, peers):
    from webapp.rooms.operations import begin_practice

    session = make_session(fmt="metaverse")
    try:
        token = issue_practice_token(SECRET, begin_practice(session.id))
        session_id = session.id
    finally:
        db_session.remove()
    alone = peers(relay.url(token))
    assert alone.next("welcome")["practice"] is True
    room = alone.next("room")
    assert [o["oid"] for o in room["occupants"]] == [room["you"]]
    alone.send(type="move", x=500, y=100)
    assert position_of(alone, room["you"])["x"] == 500
    alone.send(type="emote", emote="clap")
    assert alone.next("emote")["emote"] == "clap"
    alone.send(type="ask")
    assert alone.next("error")["code"] == "practice"
    from webapp.checkins import operations

    try:
        assert operations.counts(session_id)["visits"] == 0
    finally:
        db_session.remove()


def test_staff_remove_a_resident_they_see_in_the_room(room_world, relay, peers):
    checkin_id, kuma_token = visit(room_world)
    _, neko_token = visit(room_world)
    sato = peers(relay.url(room_world.staff_token("sato")))
    sato.next("welcome")
    sato.send(type="enter", session_id=room_world.session_id)
    sato.next("room")
    kuma, _, kuma_room = enter(peers, relay, kuma_token)
    neko, _, _ = enter(peers, relay, neko_token)
    sato.send(type="remove", session_id=room_world.session_id, oid="unknown-oid")
    assert sato.next("error")["code"] == "missing_field"
    sato.send(type="remove", session_id=room_world.session_id, oid=kuma_room["you"])
    sato.next("removed")
    assert kuma.next("closed")["reason"] == "removed"
    assert neko.next("left")["oid"] == kuma_room["you"]
    assert room_world.checkin(checkin_id).status == "removed"
