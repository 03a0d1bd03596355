"""hypothesis-generated frames against a real relay: no crash, no internal error, the relay keeps serving a
control client, and nothing a fuzzing resident sends ever reaches another resident."""
from __future__ import annotations

import json
import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.exceptions import ConnectionClosed

from tests.security.conftest import changed_tables, snapshot

#: Each frame type the relay knows with the fields it reads, plus types it must refuse.
SHAPES = {
    "message": ("text", "checkin_id"), "leave": (), "erase": (), "ping": (), "announce": ("session_id", "text"),
    "take": ("checkin_id", "mode"), "close": ("checkin_id", "outcome"), "walkin": ("session_id", "avatar", "nickname",
                                                                                  "outcome"),
    "transfer": ("checkin_id", "to_login"), "remove": ("checkin_id",), "history": ("checkin_id",),
    "welcome": ("checkin_id",), "queue": ("session_id",), "error": ("code",), "": (), "MESSAGE": ("text",),
}
EXTRA = ("ref", "source", "status", "kind", "topics", "result", "referred_to", "token")

leaf = (st.none() | st.booleans() | st.integers(min_value=-(2**80), max_value=2**80)
        | st.floats(allow_nan=False) | st.text(max_size=40) | st.sampled_from(["cat", "sato", "consultation",
                                                                              "visit_only", "money", "text"]))
value = st.recursive(leaf, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                       max_size=4), max_leaves=10)
outcomes = st.fixed_dictionaries({}, optional={
    "kind": st.sampled_from(["consultation", "visit_only"]) | value,
    "topics": st.lists(st.sampled_from(["money", "health", "family"]) | value, max_size=3) | value,
    "result": st.sampled_from(["listened", "information", "referred"]) | value,
    "referred_to": st.none() | value}) | value


def typed_frames(ids: st.SearchStrategy) -> st.SearchStrategy:
    """Frames of each type with the fields it reads (real ids, near-misses or junk) and maybe extra fields."""
    def field(name):
        if name in ("checkin_id", "session_id"):
            return st.one_of(ids, ids, value)
        if name == "outcome":
            return outcomes
        if name == "avatar":
            return st.sampled_from(["cat", "dog"]) | value
        return st.one_of(st.text(max_size=60), value)

    def frame(type_):
        fields = {name: field(name) for name in SHAPES[type_]}
        optional = {name: value for name in EXTRA if name not in fields}
        return st.fixed_dictionaries({"type": st.just(type_), **fields}, optional=optional)

    return st.sampled_from(sorted(SHAPES)).flatmap(frame).map(json.dumps)


def raw_frames(ids: st.SearchStrategy) -> st.SearchStrategy:
    typed = typed_frames(ids)
    return st.one_of(typed, typed, typed, typed,
                     value.map(json.dumps),                           # any JSON: arrays, numbers, strings, null
                     st.text(max_size=60),                            # not JSON at all
                     st.binary(max_size=40),                          # binary frames
                     st.integers(4000, 5000).map(lambda n: "x" * n))  # near and over the 4 KiB limit


class Resident:
    """A resident connection that checks in again whenever the relay closes it (leave, erase, oversize)."""

    def __init__(self, world, relay, peers):
        self.world, self.relay, self.peers = world, relay, peers
        self.checkin_ids = []
        self.open()

    def open(self):
        checkin_id, token = self.world.check_in(avatar="cat")
        self.checkin_ids.append(checkin_id)
        self.peer = self.peers(self.relay.url(token))
        self.peer.next("welcome")

    def send(self, raw) -> None:
        try:
            self.peer.ws.send(raw)
        except ConnectionClosed:
            self.open()

    def settle(self) -> list[dict]:
        try:
            return self.peer.drain(0.05)
        except ConnectionClosed:
            frames = self.peer._unread
            self.open()
            return frames


def _alive(control) -> None:
    control.send(type="ping")
    control.next("pong", timeout=10)


@pytest.fixture
def fuzz_world(world, relay, peers):
    """Bystanding resident B and a control resident; both must be served whatever the fuzzer sends."""
    _, token = world.check_in(avatar="moon")
    bystander = peers(relay.url(token))
    bystander.next("welcome")
    _, token = world.check_in(avatar="bird")
    control = peers(relay.url(token))
    control.next("welcome")
    return bystander, control


SETTINGS = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))


def test_a_resident_sending_anything_breaks_nothing_and_reaches_no_other_resident(world, relay, peers, fuzz_world,
                                                                                   caplog):
    caplog.set_level(logging.ERROR, logger="realtime")
    bystander, control = fuzz_world
    fuzzer = Resident(world, relay, peers)
    ids = st.sampled_from([world.session_id, 1, 2, 3, 2**31, 10**20, -1, 0, True])
    received = []

    @SETTINGS
    @given(batch=st.lists(raw_frames(ids), min_size=1, max_size=4))
    def run(batch):
        for raw in batch:
            fuzzer.send(raw)
        received.extend(fuzzer.settle())
        _alive(control)

    run()
    errors = [f for f in received if f.get("type") == "error"]
    assert errors, "the fuzzer never got an error frame: did the frames arrive?"
    assert [f for f in errors if f["code"] == "internal_error"] == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    seen = bystander.drain(0.5) + bystander.seen
    assert {f["type"] for f in seen} <= {"welcome", "queue"}, "a frame from another resident reached a bystander"
    assert not any(set(f) - {"type", "position", "waiting", "estimated_wait_s"} for f in seen if f["type"] == "queue")


@pytest.mark.parametrize("login", ["kimura", "sato"])
def test_staff_sending_anything_breaks_nothing_and_an_outsider_changes_nothing(world, relay, peers, fuzz_world,
                                                                               caplog, login):
    caplog.set_level(logging.ERROR, logger="realtime")
    _, control = fuzz_world
    staff = peers(relay.url(world.staff_token(login)))
    staff.next("welcome")
    checkins = [world.check_in(avatar="dog")[0] for _ in range(3)]
    ids = st.sampled_from([world.session_id, *checkins, 2**31, -1, 0, 10**20, True])
    before = snapshot() if login == "kimura" else None
    received = []

    @SETTINGS
    @given(batch=st.lists(raw_frames(ids), min_size=1, max_size=4))
    def run(batch):
        nonlocal staff
        for raw in batch:
            try:
                staff.ws.send(raw)
            except ConnectionClosed:
                staff = peers(relay.url(world.staff_token(login)))
        try:
            received.extend(staff.drain(0.05))
        except ConnectionClosed:
            staff = peers(relay.url(world.staff_token(login)))
        _alive(control)

    run()
    assert [f for f in received if f.get("type") == "error" and f["code"] == "internal_error"] == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    if before is not None:
        assert changed_tables(before, snapshot()) == [], "a promoter of no session changed something"
