"""Handshakes and welcomes that arrive together are answered by one unit of work (realtime/gathering.py),
and each resident still gets their own answer."""
from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

from realtime.gathering import Gathering, each
from tests.realtime.conftest import Peer, refused_handshake


def _gathering(unit, release: threading.Event | None = None) -> tuple[Gathering, list[list]]:
    """A Gathering whose units run in a thread (as the relay's do); the items of every unit are kept."""
    units: list[list] = []

    async def run(fn, items):
        units.append(list(items))
        if release is not None and len(units) == 1:
            await asyncio.to_thread(release.wait, 10)  # hold the first unit while the others arrive
        return await asyncio.to_thread(fn, items)

    return Gathering(run, unit), units


def test_what_arrives_during_a_unit_is_answered_by_the_next_one_each_with_its_own_answer():
    async def scenario():
        release = threading.Event()
        gathering, units = _gathering(lambda items: [n * n for n in items], release)
        first = asyncio.ensure_future(gathering.ask(1))
        await asyncio.sleep(0.05)
        rest = [asyncio.ensure_future(gathering.ask(n)) for n in range(2, 41)]
        await asyncio.sleep(0.05)
        release.set()
        return await first, await asyncio.gather(*rest), units

    first, rest, units = asyncio.run(scenario())
    assert first == 1 and rest == [n * n for n in range(2, 41)]
    assert units == [[1], list(range(2, 41))]  # two units for forty requests


def test_an_item_that_fails_fails_alone_and_a_unit_that_fails_fails_its_callers_only():
    def unit(items):
        if "boom" in items:
            raise RuntimeError("the unit failed")
        return each(lambda item: 1 // int(item), items)

    async def scenario():
        gathering, _ = _gathering(unit)
        answers = await asyncio.gather(gathering.ask("1"), gathering.ask("0"), return_exceptions=True)
        failed = await asyncio.gather(gathering.ask("boom"), return_exceptions=True)
        later = await gathering.ask("1")
        return answers, failed, later

    answers, failed, later = asyncio.run(scenario())
    assert answers[0] == 1 and isinstance(answers[1], ZeroDivisionError)
    assert isinstance(failed[0], RuntimeError)
    assert later == 1  # the next unit runs as usual


def test_residents_connecting_at_once_each_get_their_own_welcome_and_a_removed_one_is_refused(world, relay):
    from webapp.checkins import operations
    from webapp.db import db_session

    together = 24
    residents = [world.check_in(avatar="cat", nickname=f"n{k}") for k in range(together)]
    for k, (checkin_id, _) in enumerate(residents):  # each their own conversation, read for all at once
        for line in range(k % 3):
            operations.post_message(checkin_id, f"n{k}の{line}行目")
    sato = db_session.get(type(world.users["sato"]), world.user_ids["sato"])
    operations.announce(world.session_id, sato, "まもなく始まります")
    removed_id, removed_token = world.check_in(avatar="dog")
    operations.remove(removed_id, db_session.get(type(world.users["sato"]), world.user_ids["sato"]))
    db_session.remove()

    def welcome(token):
        peer = Peer(relay.url(token))
        try:
            return peer.next("welcome")
        finally:
            peer.close()

    with ThreadPoolExecutor(together + 1) as pool:
        refused = pool.submit(refused_handshake, relay.url(removed_token))
        welcomes = list(pool.map(welcome, [token for _, token in residents]))
    assert refused.result() == 403
    assert [(w["checkin_id"], w["nickname"]) for w in welcomes] == [(cid, f"n{k}") for k, (cid, _) in
                                                                     enumerate(residents)]
    assert {w["status"] for w in welcomes} == {"waiting"}
    assert [[m["text"] for m in w["messages"]] for w in welcomes] == [
        [f"n{k}の{line}行目" for line in range(k % 3)] for k in range(together)]
    assert {tuple(a["text"] for a in w["announcements"]) for w in welcomes} == {("まもなく始まります",)}
