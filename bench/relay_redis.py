"""Two relay processes behind Redis on PostgreSQL, next to the bare `websockets` server in the same run.

The deployment docs/deploy.md describes: every relay serves any browser and the lines cross
between them through Redis. A scratch PostgreSQL database gets bench/relay.py's 10 sessions and
20 promoters, with only the PAIRS residents the round trip needs. Every promoter connects to relay
A and every resident to relay B, so each line is stored by one relay and delivered by the other.
The 1:1 round trip is bench/relay.py's (open-loop schedule, promoters answer at once), at
RATE messages a second for LATENCY_S seconds; the baseline is the bare server at the same rate.
At this rate a promoter answers ~100 lines a second on one connection, so the run sets
RELAY_MESSAGES_PER_S=400 and RELAY_BURST=800 (the bucket is still checked on every frame).

REDIS_URL (else TEST_REDIS_URL, else redis://127.0.0.1:6379/0) is used with a key prefix of its
own; without PostgreSQL or Redis these figures are left out with a line saying so.
"""
from __future__ import annotations

import asyncio
import json
import os
import tempfile
import uuid
from pathlib import Path

import redis

from bench import relay
from bench._databases import migrated_app, scratch_postgres
from bench._results import record

RATE = 2000
LATENCY_S = 10
SETTINGS = {**relay.RELAY_CONFIG, "RELAY_MESSAGES_PER_S": 400, "RELAY_BURST": 800}


class TwoRelays:
    """Relay A for staff, relay B for residents; CPU and RSS are both processes' together."""

    def __init__(self, staff: relay.Server, residents: relay.Server, staff_tokens: list[str]):
        self.staff, self.residents, self.staff_tokens = staff, residents, set(staff_tokens)

    def url(self, token: str) -> str:
        return (self.staff if token in self.staff_tokens else self.residents).url(token)

    def rss(self) -> int:
        return self.staff.rss() + self.residents.rss()

    def cpu_s(self) -> float:
        return self.staff.cpu_s() + self.residents.cpu_s()

    def stop(self) -> None:
        self.staff.stop()
        self.residents.stop()


async def _round_trips(server, tokens: dict, data: dict) -> dict:
    load = relay.Load(server, tokens, data)
    try:
        await load.open_all()
        pairs = await load.take_pairs()
        cpu = server.cpu_s()
        p50, p99, lost = await load.round_trips_at_rate(pairs, RATE, LATENCY_S)
        cpu_ms = (server.cpu_s() - cpu) * 1000 / max(RATE * LATENCY_S - lost, 1)
    finally:
        await load.close()
        server.stop()
    print(f"  {RATE}/s round trip p50 {p50:.1f} / p99 {p99:.1f} ms, {lost} not back "
          f"({cpu_ms:.2f} ms server CPU per round trip back)", flush=True)
    return {"p50": p50, "p99": p99, "lost": lost, "cpu_ms": cpu_ms}


def _redis_url() -> str | None:
    url = os.environ.get("REDIS_URL") or os.environ.get("TEST_REDIS_URL") or "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_timeout=2).ping()
    except redis.RedisError as err:
        print(f"Redis: skipped, {url} does not answer ({err.__class__.__name__})")
        return None
    return url


def main() -> None:
    redis_url = _redis_url()
    if redis_url is None:
        return
    with scratch_postgres() as url, tempfile.TemporaryDirectory() as scratch:
        if url is None:
            return
        folder = Path(scratch)
        app = migrated_app(url)
        data = relay._fill(app.extensions["engine"], relay.PAIRS)
        app.extensions["engine"].dispose()
        tokens = relay._relay_tokens(data)
        config = json.dumps({**SETTINGS, "DATABASE_URL": url, "REDIS_URL": redis_url,
                             "RELAY_CHANNEL_PREFIX": f"bench-{uuid.uuid4().hex[:8]}:"})
        two = TwoRelays(relay.Server(["-m", "bench._relay_server", config], folder / "relay-a.log"),
                        relay.Server(["-m", "bench._relay_server", config], folder / "relay-b.log"), tokens["staff"])
        print("  two relays through Redis on PostgreSQL:", flush=True)
        relays = asyncio.run(_round_trips(two, tokens, data))
        print("  bare websockets:", flush=True)
        bare = asyncio.run(_round_trips(relay.Server(["-m", "bench._bare_ws"], folder / "bare.log"),
                                        relay._bare_tokens(data), data))
        for name in ("relay-a.log", "relay-b.log"):
            log = (folder / name).read_text()
            if "Traceback" in log or "ERROR" in log:
                print(f"  {name}:\n{log[-3000:]}", flush=True)

    base = "bare websockets, one process"
    note = f"{LATENCY_S} s over {relay.PAIRS} pairs; promoters on one relay, residents on the other"
    record("relay", f"two relays via Redis, PostgreSQL: round trip p50 at {RATE:,} msg/s", relays["p50"], "ms",
           baseline=bare["p50"], baseline_name=base, note=note)
    record("relay", f"two relays via Redis, PostgreSQL: round trip p99 at {RATE:,} msg/s", relays["p99"], "ms",
           baseline=bare["p99"], baseline_name=base, note=note)
    record("relay", f"two relays via Redis, PostgreSQL: not back at {RATE:,} msg/s", relays["lost"], "round trips",
           baseline=bare["lost"], baseline_name=base, max_value=0, note=f"{RATE * LATENCY_S:,} sent; within 5 s")
    record("relay", f"two relays via Redis, PostgreSQL: CPU per round trip at {RATE:,} msg/s", relays["cpu_ms"],
           "ms", baseline=bare["cpu_ms"], baseline_name=base, note="both relay processes together")


if __name__ == "__main__":
    main()
