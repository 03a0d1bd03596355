"""Every relay message type, sent by every role, against a real relay: the expected acknowledgement or
error is asserted for each cell, a refused frame changes nothing in the database, and nothing leaks
to a bystanding resident or to a promoter of another session.

Roles: anonymous (no token), resident (own check-in, and frames naming another resident's
check-in), promoter (sato, assigned to the running session S), other_promoter (kimura, not
assigned), admin (boss).
"""
from __future__ import annotations

import itertools

import pytest
from websockets.exceptions import InvalidStatus

from tests.security.conftest import changed_tables, snapshot
from webapp.checkins import operations
from webapp.db import db_session
from webapp.staff.models import User

RESIDENT_TYPES = ("message", "leave", "erase", "ping")
STAFF_TYPES = ("announce", "take", "message", "close", "walkin", "transfer", "remove", "history", "ping")
ALL_TYPES = tuple(dict.fromkeys(RESIDENT_TYPES + STAFF_TYPES))
VISIT_ONLY = {"kind": "visit_only", "topics": [], "result": None, "referred_to": None}
UNKNOWN = ("error", "unknown_type")

#: role -> type -> (the frame type answered, the error code or None). Staff acts on a fresh waiting check-in X.
STAFF_OK = {"announce": ("announcement", None), "take": ("taken", None), "message": ("message", None),
            "close": ("closed", None), "walkin": ("walkin", None), "transfer": ("transferred", None),
            "remove": ("removed", None), "history": ("history", None), "ping": ("pong", None),
            "leave": UNKNOWN, "erase": UNKNOWN}
EXPECT = {
    "resident": {"message": ("message", None), "leave": ("closed", None), "erase": ("closed", None),
                 "ping": ("pong", None), **{t: UNKNOWN for t in STAFF_TYPES if t not in RESIDENT_TYPES}},
    "promoter": STAFF_OK,
    "admin": STAFF_OK,
    "other_promoter": {**{t: ("error", "forbidden") for t in STAFF_TYPES}, "history": ("error", "not_found"),
                       "ping": ("pong", None), "leave": UNKNOWN, "erase": UNKNOWN},
}
LOGINS = {"promoter": "sato", "other_promoter": "kimura", "admin": "boss"}
TRANSFER_TO = {"promoter": "tanaka", "other_promoter": "tanaka", "admin": "sato"}
_texts = (f"秘密のことば{n}" for n in itertools.count())


def _staff_frame(type_: str, role: str, session_id: int, target: int, text: str) -> dict:
    frames = {
        "announce": {"session_id": session_id, "text": text}, "take": {"checkin_id": target},
        "message": {"checkin_id": target, "text": text}, "close": {"checkin_id": target, "outcome": VISIT_ONLY},
        "walkin": {"session_id": session_id, "avatar": "cat", "nickname": text[:20]},
        "transfer": {"checkin_id": target, "to_login": TRANSFER_TO[role]}, "remove": {"checkin_id": target},
        "history": {"checkin_id": target}, "ping": {}, "leave": {"checkin_id": target},
        "erase": {"checkin_id": target},
    }
    return {"type": type_, **frames[type_]}


def _take_for_transfer(world, role: str, checkin_id: int) -> None:
    """A transfer needs a resident already taken: by the sender, or (for an outsider) by sato."""
    login = "sato" if role == "other_promoter" else LOGINS[role]
    try:
        operations.take(checkin_id, db_session.get(User, world.user_ids[login]))
    finally:
        db_session.remove()


@pytest.fixture
def watchers(world, relay, peers):
    """A waiting resident who sends nothing, and a promoter of no session today: they must learn nothing."""
    _, token = world.check_in(avatar="moon", nickname="見ているだけ")
    bystander = peers(relay.url(token))
    bystander.next("welcome")
    outsider = peers(relay.url(world.staff_token("kimura")))
    outsider.next("welcome")
    return bystander, outsider


def _answer(peer, expected: tuple[str, str | None], **match) -> dict:
    type_, code = expected
    if type_ == "error":
        return peer.next("error", code=code, **match)
    return peer.next(type_, **match)


def test_without_a_token_nobody_gets_in(world, relay, peers):
    for url in (f"ws://127.0.0.1:{relay.port}/ws", relay.url(""), relay.url("forged.token.value")):
        with pytest.raises(InvalidStatus) as refused:
            peers(url)
        assert refused.value.response.status_code == 401


def _try(sender, frame: dict, expected, type_: str, wrong: list) -> None:
    """Send one frame; note in `wrong` an answer other than `expected`, or a refusal that wrote anything."""
    before = snapshot() if expected[0] == "error" else None
    sender.send(**frame)
    try:
        _answer(sender, expected)
    except AssertionError as err:
        wrong.append(f"{type_}: expected {expected}; {err}")
        return
    if before is not None and (changed := changed_tables(before, snapshot())):
        wrong.append(f"{type_}: refused but wrote to {changed}")


@pytest.mark.parametrize("role", ["promoter", "other_promoter", "admin"])
def test_each_staff_role_gets_exactly_what_it_may_and_refusals_change_nothing(world, relay, peers, watchers, role):
    sender = peers(relay.url(world.staff_token(LOGINS[role])))
    sender.next("welcome")
    wrong, secrets = [], []
    for type_ in ALL_TYPES:
        target, _ = world.check_in(avatar="dog")
        if type_ == "transfer":
            _take_for_transfer(world, role, target)
        text = next(_texts)
        if type_ != "announce" or role == "other_promoter":  # an announcement is for every resident
            secrets.append(text)
        _try(sender, _staff_frame(type_, role, world.session_id, target, text), EXPECT[role][type_], type_, wrong)
    assert not wrong, "\n".join(wrong)
    _assert_nothing_leaked(world, watchers, secrets, announcements_allowed=role != "other_promoter")


def test_a_resident_gets_exactly_what_a_resident_may_and_refusals_change_nothing(world, relay, peers, watchers):
    wrong, secrets = [], []
    for type_ in ALL_TYPES:
        checkin_id, token = world.check_in(avatar="cat")
        resident = peers(relay.url(token))
        resident.next("welcome")
        text = next(_texts)
        secrets.append(text)
        frame = _staff_frame(type_, "promoter", world.session_id, checkin_id, text)
        _try(resident, frame, EXPECT["resident"][type_], type_, wrong)
    assert not wrong, "\n".join(wrong)
    _assert_nothing_leaked(world, watchers, secrets, announcements_allowed=False)


def test_frames_naming_another_residents_checkin_act_only_on_the_senders_own(world, relay, peers, watchers):
    other_id, other_token = world.check_in(avatar="bird", nickname="ほかの人")
    other = peers(relay.url(other_token))
    other.next("welcome")
    operations.post_message(other_id, "ほかの人の言葉")
    db_session.remove()
    secrets = []
    for type_ in ALL_TYPES:
        own_id, token = world.check_in(avatar="cat")
        resident = peers(relay.url(token))
        resident.next("welcome")
        text = next(_texts)
        secrets.append(text)
        frame = {**_staff_frame(type_, "promoter", world.session_id, other_id, text), "checkin_id": other_id}
        resident.send(**frame)
        _answer(resident, EXPECT["resident"][type_])
        if type_ == "message":
            assert [m.text for m in operations.recent_messages(own_id)] == [text]
    other_checkin = world.checkin(other_id)
    assert other_checkin.status == "waiting" and other_checkin.nickname == "ほかの人"
    assert [m.text for m in operations.recent_messages(other_id)] == ["ほかの人の言葉"]
    db_session.remove()
    assert not [f for f in other.drain() if f["type"] in ("message", "closed", "handoff")]
    _assert_nothing_leaked(world, watchers, secrets, announcements_allowed=False)


def test_a_promoter_of_the_session_who_did_not_take_the_resident_cannot_reach_into_the_conversation(
        world, relay, peers):
    sato = peers(relay.url(world.staff_token("sato")))
    sato.next("welcome")
    checkin_id, token = world.check_in()
    resident = peers(relay.url(token))
    resident.next("welcome")
    tanaka = peers(relay.url(world.staff_token("tanaka")))
    tanaka.next("welcome")
    tanaka.send(type="take", checkin_id=checkin_id)
    tanaka.next("taken", checkin_id=checkin_id)
    resident.send(type="message", text="田中さんにだけ")
    tanaka.next("message", checkin_id=checkin_id)
    before = snapshot()
    for frame, code in (({"type": "take"}, "already_taken"),
                        ({"type": "message", "text": "横から"}, "not_your_checkin"),
                        ({"type": "close", "outcome": VISIT_ONLY}, "not_your_checkin"),
                        ({"type": "history"}, "not_your_checkin"),
                        ({"type": "transfer", "to_login": "sato"}, "not_your_checkin")):
        sato.send(**frame, checkin_id=checkin_id)
        assert sato.next("error", checkin_id=checkin_id)["code"] == code, frame
    assert changed_tables(before, snapshot()) == []
    assert "田中さんにだけ" not in [f.get("text") for f in sato.drain() + sato.seen]


def _assert_nothing_leaked(world, watchers, secrets: list[str], announcements_allowed: bool) -> None:
    """The bystanding resident saw no one's chat; the outsider saw nothing of session S."""
    bystander, outsider = watchers
    seen = bystander.drain(0.5) + bystander.seen
    leaked = [f for f in seen if f.get("type") not in ("welcome", "queue", "announcement", "pong")]
    assert leaked == [], "a resident saw frames meant for others"
    if not announcements_allowed:
        assert [f for f in seen if f.get("type") == "announcement"] == []
    assert all(set(f) <= {"type", "position", "waiting", "estimated_wait_s"} for f in seen if f["type"] == "queue")
    outside = [f for f in outsider.drain(0.5) + outsider.seen
               if f.get("session_id") == world.session_id and f.get("type") not in ("error", "pong")]
    assert outside == [], "a promoter of no session today saw session frames"
    texts = {f.get("text") for f in outsider.seen + bystander.seen} | {
        m.get("text") for f in outsider.seen + bystander.seen for m in f.get("messages", [])}
    assert texts.isdisjoint(secrets)
