"""A resident connecting changes one field of the consoles' queue: the relay applies it to the queue it
last sent (realtime.hub `Hub.mark_connected`) and sends the delta, without reading the queue again;
when it cannot know (a check-in it has not seen, a read under way) it reads the queue again instead.

Unit tests of the hub's decision with real frames and a database stand-in that counts reads; the
end-to-end path (real relays, real consoles) is in test_session_day.py and test_presence_processes.py."""
from __future__ import annotations

import asyncio
import json

from realtime.broker_memory import MemoryBroker
from realtime.client import Client
from realtime.hub import Hub
from realtime.limits import TokenBucket


def entry(checkin_id: int, connected: bool) -> dict:
    return {"checkin_id": checkin_id, "number": checkin_id, "connected": connected, "waited_s": 5,
            "away_since": None if connected else "2026-12-02T02:00:00+00:00", "status": "waiting"}


QUEUE = {"type": "queue", "session_id": 7, "entries": [entry(1, True), entry(2, False), entry(3, False)]}


def console() -> Client:
    """A console still before its welcome: what it is sent stays in `backlog` to read."""
    return Client(ws=None, kind="staff", identity="s1", bucket=TokenBucket(10, 10), user_id=1)


async def hub_with_console(reads: list) -> tuple[Hub, Client]:
    async def db(fn, *args):
        reads.append(fn)
        return {**QUEUE, "entries": [entry(1, True), entry(2, True), entry(3, False), entry(4, True)]}, \
            {"type": "counts", "session_id": 7, "waiting": 4}

    hub = Hub(MemoryBroker(), db)
    await hub.broker.start(hub.on_message)
    client = console()
    await hub.join(client, "s7.staff")
    hub.sent_queue("s7.staff", QUEUE)
    return hub, client


def test_an_arrival_reaches_the_consoles_as_one_changed_entry_without_a_read():
    async def scenario():
        reads: list = []
        hub, client = await hub_with_console(reads)
        await hub.broker.publish("s7.staff", {"kind": "present", "session_id": 7, "checkin_ids": [2]})
        assert not hub._pending and not hub._tasks  # no refresh scheduled: nothing will read
        return reads, [json.loads(text) for text in client.backlog], hub

    reads, sent, hub = asyncio.run(scenario())
    assert reads == []
    assert sent == [{"type": "queue_delta", "session_id": 7, "added": [], "gone": [],
                     "changed": [{**entry(2, False), "connected": True, "away_since": None}]}]
    # The next delta starts from the changed queue: the same arrival again changes nothing.
    assert [e["connected"] for e in hub._queues["s7.staff"]["entries"]] == [True, True, False]


def test_an_arrival_the_last_queue_does_not_hold_reads_the_queue_again():
    async def scenario():
        reads: list = []
        hub, client = await hub_with_console(reads)
        await hub.broker.publish("s7.staff", {"kind": "present", "session_id": 7, "checkin_ids": [4]})
        await asyncio.gather(*hub._tasks)  # the refresh it scheduled
        return reads, [json.loads(text) for text in client.backlog]

    reads, sent = asyncio.run(scenario())
    assert len(reads) == 1
    assert sent[0]["type"] == "queue_delta"
    assert [e["checkin_id"] for e in sent[0]["added"]] == [4]
    assert [e["checkin_id"] for e in sent[0]["changed"]] == [2]


def test_an_arrival_during_a_read_is_marked_on_the_queue_the_read_returns():
    async def scenario():
        reads, reading, release = [], asyncio.Event(), asyncio.Event()

        async def db(fn, *args):  # a read that began before the arrival was written: it misses it
            reads.append(fn)
            reading.set()
            await release.wait()
            return QUEUE, {"type": "counts", "session_id": 7, "waiting": 3}

        hub = Hub(MemoryBroker(), db)
        await hub.broker.start(hub.on_message)
        client = console()
        await hub.join(client, "s7.staff")
        hub.schedule_refresh("s7.staff", 7)
        await reading.wait()
        await hub.broker.publish("s7.staff", {"kind": "present", "session_id": 7, "checkin_ids": [3]})
        release.set()
        await asyncio.gather(*hub._tasks)
        return reads, [json.loads(text) for text in client.backlog]

    reads, sent = asyncio.run(scenario())
    assert len(reads) == 1  # the arrival asked for no second read
    queue = next(frame for frame in sent if frame["type"] == "queue")
    assert [e["connected"] for e in queue["entries"]] == [True, False, True]
