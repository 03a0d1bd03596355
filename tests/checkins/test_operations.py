"""The rules of check-in, the queue, hand-off and outcomes (webapp/checkins/operations/)."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import update

from tests.realtime.conftest import open_today
from webapp.checkins import operations
from webapp.checkins.models import CheckIn, Term
from webapp.clock import now_tokyo
from webapp.db import db_session, utcnow
from webapp.exceptions import DomainError
from webapp.timeutil import TOKYO

OUTCOME = dict(kind="consultation", topics=["elderly", "family"], result="referred", referred_to="chiiki_houkatsu")


@pytest.fixture
def staff(make_user):
    return {login: make_user(login, role=role) for login, role in
            (("sato", "promoter"), ("tanaka", "promoter"), ("kimura", "promoter"), ("boss", "admin"))}


@pytest.fixture
def running(staff, make_session):
    return open_today(make_session, fmt="metaverse", promoters=("sato", "tanaka"))


def error_code(call, *args, **kwargs) -> str:
    with pytest.raises(DomainError) as err:
        call(*args, **kwargs)
    return err.value.code


def test_a_resident_checks_in_while_the_session_runs_and_waits(running):
    checkin = operations.check_in(running.id, "cat", " はなこ ")
    assert checkin.status == "waiting" and checkin.source == "resident"
    assert checkin.nickname == "はなこ"
    assert operations.position(checkin) == 1


def test_nobody_checks_in_outside_the_sessions_hours_or_to_a_cancelled_session(staff, make_session, running):
    later = make_session(promoters=["sato"])
    assert error_code(operations.check_in, later.id, "cat") == "session_not_open"
    assert error_code(operations.check_in, running.id, "cat", now=running.ends_at) == "session_not_open"
    from webapp.sessions.operations import cancel_session

    cancel_session(running)
    assert error_code(operations.check_in, running.id, "cat") == "session_not_open"


def test_check_in_refuses_unknown_avatars_long_nicknames_and_foreign_reservations(running, make_session):
    assert error_code(operations.check_in, running.id, "dragon") == "invalid_avatar"
    assert error_code(operations.check_in, running.id, "cat", "あ" * 31) == "too_long"
    assert error_code(operations.check_in, running.id, "cat", None, "AAAAA-BBBBB-CCCCC") == "invalid_reservation"
    from webapp.reservations.operations import reserve

    other = make_session(promoters=["sato"])
    code = reserve(other.slots[0].id).code
    assert error_code(operations.check_in, running.id, "cat", None, code) == "invalid_reservation"
    assert error_code(operations.check_in, 99999, "cat") == "not_found"


def test_a_reservation_code_for_this_session_marks_the_checkin_reserved(running):
    from webapp.reservations.operations import reserve

    slot = running.slots[-1]
    reservation = reserve(slot.id)
    checkin = operations.check_in(running.id, "cat", reservation_code=reservation.code.lower().replace("-", " "))
    assert checkin.reservation_id == reservation.id


def test_promoters_staff_only_their_sessions_and_admins_every_session(staff, running):
    assert operations.can_staff(staff["sato"], running)
    assert operations.can_staff(staff["boss"], running)
    assert not operations.can_staff(staff["kimura"], running)
    assert not operations.can_staff(None, running)


def test_the_queue_puts_urgent_first_then_order_of_arrival(running):
    first = operations.check_in(running.id, "cat")
    second = operations.check_in(running.id, "dog")
    third = operations.check_in(running.id, "bird")
    operations.post_message(third.id, "もう消えたい")
    assert [c.id for c in operations.queue(running.id)] == [third.id, first.id, second.id]
    assert [operations.position(operations.get(c.id)) for c in (third, first, second)] == [1, 2, 3]
    assert operations.get(third.id).urgent


def test_crisis_words_are_found_whatever_the_script_or_spacing(running):
    assert operations.contains_crisis_word("シニタイ")
    assert operations.contains_crisis_word("し に た い です")
    assert operations.contains_crisis_word("自　殺")
    assert not operations.contains_crisis_word("今日は寒いですね")


def test_the_estimated_wait_is_place_times_average_over_promoters(running):
    checkins = [operations.check_in(running.id, "cat") for _ in range(3)]
    # 20 minutes average, two promoters assigned
    assert [operations.estimated_wait_s(c) for c in checkins] == [600, 1200, 1800]


def test_take_is_won_by_exactly_one_of_several_simultaneous_promoters(app, staff, running):
    checkin_id = operations.check_in(running.id, "cat").id
    user_ids = [staff["sato"].id, staff["tanaka"].id, staff["boss"].id]
    db_session.remove()
    results, go = [], threading.Barrier(len(user_ids))

    def attempt(user_id):
        from webapp.staff.models import User

        try:
            user = db_session.get(User, user_id)
            db_session.commit()  # SQLite: no one holds the write lock at the start line
            go.wait()
            operations.take(checkin_id, user)
            results.append("won")
        except DomainError as err:
            results.append(err.code)
        finally:
            db_session.remove()

    threads = [threading.Thread(target=attempt, args=(uid,)) for uid in user_ids]
    [t.start() for t in threads]
    [t.join(30) for t in threads]
    assert sorted(results) == ["already_taken", "already_taken", "won"]


def test_take_uses_the_sessions_format_or_text(staff, running):
    checkin = operations.check_in(running.id, "cat")
    assert error_code(operations.take, checkin.id, staff["sato"], "in_person") == "invalid_mode"
    assert operations.take(checkin.id, staff["sato"]).handoff_mode == "metaverse"
    other = operations.check_in(running.id, "dog")
    assert operations.take(other.id, staff["tanaka"], "text").handoff_mode == "text"
    assert error_code(operations.take, other.id, staff["kimura"]) == "forbidden"


def test_after_handoff_only_the_taker_writes_to_the_resident(staff, running):
    checkin = operations.check_in(running.id, "cat")
    operations.post_message(checkin.id, "先に一言", staff=staff["tanaka"])
    operations.take(checkin.id, staff["sato"])
    assert error_code(operations.post_message, checkin.id, "横から", staff=staff["tanaka"]) == "not_your_checkin"
    operations.post_message(checkin.id, "さとうです", staff=staff["sato"])
    assert [m.text for m in operations.recent_messages(checkin.id)] == ["先に一言", "さとうです"]


def test_only_the_taker_or_an_admin_closes_and_the_outcome_is_checked(staff, running):
    checkin = operations.check_in(running.id, "cat")
    operations.take(checkin.id, staff["sato"])
    assert error_code(operations.close, checkin.id, staff["tanaka"], **OUTCOME) == "not_your_checkin"
    for wrong in ({"topics": ["weather"]}, {"result": None}, {"referred_to": "elderly"}):
        assert error_code(operations.close, checkin.id, staff["sato"], **{**OUTCOME, **wrong}) == "invalid_outcome"
    outcome = operations.close(checkin.id, staff["sato"], **OUTCOME)
    assert [t.key for t in outcome.topics] == ["elderly", "family"]
    assert operations.get(checkin.id).status == "closed"
    assert error_code(operations.close, checkin.id, staff["sato"], **OUTCOME) == "checkin_closed"
    other = operations.check_in(running.id, "dog")
    operations.take(other.id, staff["tanaka"])
    assert operations.close(other.id, staff["boss"], "visit_only", [], None, None).kind == "visit_only"


def test_retired_terms_can_no_longer_be_chosen(staff, running):
    db_session.execute(update(Term).where(Term.kind == "topic", Term.key == "work").values(retired=True))
    db_session.commit()
    checkin = operations.check_in(running.id, "cat")
    operations.take(checkin.id, staff["sato"])
    retired = error_code(operations.close, checkin.id, staff["sato"], "consultation", ["work"], "listened", None)
    assert retired == "invalid_outcome"


def test_a_waiting_checkin_may_be_closed_directly_only_as_visit_only(staff, running):
    checkin = operations.check_in(running.id, "cat")
    assert error_code(operations.close, checkin.id, staff["sato"], **OUTCOME) == "not_taken"
    operations.close(checkin.id, staff["tanaka"], "visit_only", [], None, None)
    assert operations.counts(running.id) == {"visits": 1, "consultations": 0, "waiting": 0, "in_consultation": 0}


def test_counts_follow_what_happened_and_removed_checkins_are_not_visits(staff, running):
    a, b, c, d = (operations.check_in(running.id, avatar) for avatar in ("cat", "dog", "bird", "fish"))
    operations.take(a.id, staff["sato"])
    operations.close(a.id, staff["sato"], **OUTCOME)
    operations.take(b.id, staff["tanaka"])
    operations.leave(c.id)
    operations.remove(d.id, staff["sato"])
    assert operations.counts(running.id) == {"visits": 3, "consultations": 1, "waiting": 0, "in_consultation": 1}


def test_five_metaverse_visitors_with_one_consultation_count_as_the_city_reported(staff, running):
    """令和6年度 metaverse figure: 5 visits, 1 consultation, recorded by staff for people seen in the space."""
    for avatar in ("cat", "dog", "bird", "star"):
        operations.check_in(running.id, avatar, staff=staff["sato"], outcome={"kind": "visit_only", "topics": []})
    walk_in = operations.check_in(running.id, "moon", staff=staff["tanaka"])
    assert (walk_in.source, walk_in.status, walk_in.taken_by_id) == ("staff", "in_consultation", staff["tanaka"].id)
    operations.close(walk_in.id, staff["tanaka"], "consultation", ["hikikomori"], "listened", None)
    assert operations.counts(running.id) == {"visits": 5, "consultations": 1, "waiting": 0, "in_consultation": 0}


def test_staff_record_visitors_only_on_the_sessions_day(staff, make_session, running):
    later = make_session(promoters=["sato"])
    assert error_code(operations.check_in, later.id, "cat", staff=staff["sato"]) == "session_not_open"
    assert error_code(operations.check_in, running.id, "cat", staff=staff["kimura"]) == "forbidden"
    outside = running.ends_at + dt.timedelta(minutes=1)
    if outside.astimezone(TOKYO).date() != running.date:  # a session ending at midnight
        outside = running.starts_at - dt.timedelta(minutes=1)
    assert operations.check_in(running.id, "cat", staff=staff["sato"], now=outside).source == "staff"


def test_leaving_keeps_the_time_waited_and_a_taken_resident_stays_in_consultation(staff, running):
    checkin = operations.check_in(running.id, "cat")
    left = operations.leave(checkin.id)
    assert left.status == "left" and left.ended_at >= left.created_at
    taken = operations.check_in(running.id, "dog")
    operations.take(taken.id, staff["sato"])
    assert operations.leave(taken.id).status == "in_consultation"


def test_transfer_hands_a_resident_to_another_promoter_of_the_session(staff, running):
    checkin = operations.check_in(running.id, "cat")
    operations.take(checkin.id, staff["sato"])
    assert error_code(operations.transfer, checkin.id, staff["tanaka"], "sato") == "not_your_checkin"
    assert error_code(operations.transfer, checkin.id, staff["sato"], "kimura") == "invalid_transfer"
    assert operations.transfer(checkin.id, staff["sato"], "tanaka").taken_by_id == staff["tanaka"].id
    assert error_code(operations.post_message, checkin.id, "まだいます", staff=staff["sato"]) == "not_your_checkin"


def test_removal_voids_every_token_of_the_checkin(staff, running):
    checkin = operations.check_in(running.id, "cat")
    version = checkin.token_version
    removed = operations.remove(checkin.id, staff["sato"])
    assert removed.status == "removed" and removed.token_version == version + 1
    assert error_code(operations.post_message, checkin.id, "まだ？") == "checkin_closed"


def test_residents_gone_too_long_or_still_waiting_at_the_end_are_marked_left(staff, running):
    gone = operations.check_in(running.id, "cat")
    here = operations.check_in(running.id, "dog")
    last_seen = utcnow() - dt.timedelta(minutes=16)
    db_session.execute(update(CheckIn).where(CheckIn.id == gone.id).values(
        created_at=last_seen - dt.timedelta(minutes=5), last_seen_at=last_seen))
    db_session.commit()
    assert [c.id for c in operations.expire_stale()] == [gone.id]
    gone = operations.get(gone.id)
    assert gone.status == "left" and abs((gone.ended_at - last_seen).total_seconds()) < 1
    taken = operations.check_in(running.id, "bird")
    operations.take(taken.id, staff["sato"])
    after = running.ends_at + dt.timedelta(minutes=5)
    operations.touch([here.id], now=after)
    assert [c.id for c in operations.expire_stale(now=after)] == [here.id]
    assert operations.get(here.id).ended_at == running.ends_at
    assert operations.get(taken.id).status == "in_consultation"


def test_the_relays_upkeep_notes_every_connected_resident_as_seen_a_chunk_at_a_time(running, monkeypatch):
    """However many residents a relay holds, each is noted as seen (so none times out while connected),
    in chunks that leave the database thread to chat lines in between."""
    import asyncio

    from realtime import presence

    ids = [operations.check_in(running.id, "cat").id for _ in range(5)]
    long_ago = utcnow() - dt.timedelta(minutes=14)
    db_session.execute(update(CheckIn).where(CheckIn.id.in_(ids)).values(created_at=long_ago, last_seen_at=long_ago))
    db_session.commit()
    units = []

    async def db(fn, *args):
        units.append(len(args[0]))
        return fn(*args)

    monkeypatch.setattr(presence, "TOUCH_CHUNK", 2)
    relay_presence = presence.Presence(hub=None, db=db, publish=None)
    relay_presence.open.update(ids)
    asyncio.run(relay_presence.touch_connected())
    assert units == [2, 2, 1]
    later = utcnow() + dt.timedelta(minutes=2)  # past the 15 minutes for someone not seen since long_ago
    assert operations.expire_stale(now=later) == []
    db_session.expire_all()
    assert all(db_session.get(CheckIn, i).last_seen_at > long_ago for i in ids)

def test_followed_sessions_are_todays_sessions_one_may_staff(staff, running, make_session):
    make_session(promoters=["sato"])  # a month ahead
    assert [s.id for s in operations.followed_sessions(staff["sato"])] == [running.id]
    assert operations.followed_sessions(staff["kimura"]) == []
    assert [s.id for s in operations.followed_sessions(staff["boss"])] == [running.id]
    tomorrow = now_tokyo() + dt.timedelta(days=1)
    assert operations.followed_sessions(staff["boss"], now=tomorrow) == []
