"""One metaverse room across two relay processes through Redis (CONTRACT §9 "through the broker")."""
from __future__ import annotations

import os
import time

import pytest

from tests.realtime.test_room import inside, position_of, visit, zone


@pytest.fixture
def room_world(app, make_user, make_session):
    from tests.realtime.conftest import World

    return World(app, make_user, make_session, fmt="metaverse")


def test_one_room_spans_two_relays(room_world, relay_processes, peers, redis_url, app):
    prefix = f"test:{os.getpid()}:{time.monotonic_ns()}:"
    one = relay_processes(redis_url=redis_url, prefix=prefix)
    two = relay_processes(redis_url=redis_url, prefix=prefix)
    kuma_id, kuma_token = visit(room_world, "bear", "くま")
    _, neko_token = visit(room_world, "cat", "ねこ")
    kuma = peers(one.url(kuma_token))
    kuma.next("welcome")
    kuma_room = kuma.next("room")
    neko = peers(two.url(neko_token))
    neko.next("welcome")
    neko_room = neko.next("room")
    kuma_oid, neko_oid = kuma_room["you"], neko_room["you"]

    seen = {o["oid"] for o in neko_room["occupants"]}
    if kuma_oid not in seen:  # the other relay's occupants may come just after `room`
        assert neko.next("entered")["occupant"]["oid"] == kuma_oid
    assert kuma.next("entered")["occupant"]["oid"] == neko_oid

    neko.send(type="move", x=321, y=234)
    assert position_of(kuma, neko_oid, where=lambda i: i["x"] == 321)["y"] == 234
    kuma.send(type="emote", emote="thanks")
    assert neko.next("emote") == {"type": "emote", "oid": kuma_oid, "emote": "thanks"}

    sato = peers(two.url(room_world.staff_token("sato")))
    sato.next("welcome")
    kuma.send(type="ask")
    assert kuma.next("queue")["position"] == 1
    sato.send(type="take", checkin_id=kuma_id)
    sato.next("taken")
    booth = zone(app.config["ROOM_MAP"].public(), "booth", "booth-1")
    position_of(neko, kuma_oid, where=lambda i: inside(i, booth))
    centre = booth["x"] + booth["w"] // 2, booth["y"] + booth["h"] // 2
    neko.send(type="move", x=centre[0], y=centre[1])
    assert not inside(position_of(kuma, neko_oid, where=lambda i: i["x"] != 321), booth)

    neko.close()
    assert kuma.next("left") == {"type": "left", "oid": neko_oid}


def test_the_occupants_of_a_relay_that_died_leave_the_room(room_world, relay_processes, peers, redis_url):
    prefix = f"test:{os.getpid()}:{time.monotonic_ns()}:"
    one = relay_processes(redis_url=redis_url, prefix=prefix, extra_env={"ROOM_HERE_S": "1"})
    two = relay_processes(redis_url=redis_url, prefix=prefix, extra_env={"ROOM_HERE_S": "1"})
    _, kuma_token = visit(room_world, "bear", "くま")
    _, neko_token = visit(room_world, "cat", "ねこ")
    kuma = peers(one.url(kuma_token))
    kuma.next("welcome"), kuma.next("room")
    neko = peers(two.url(neko_token))
    neko.next("welcome")
    neko_oid = neko.next("room")["you"]
    kuma.next("entered")
    two.kill()  # no goodbye: its occupants must still leave the others' room
    assert kuma.next("left", timeout=30) == {"type": "left", "oid": neko_oid}
