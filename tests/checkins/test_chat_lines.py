"""Chat lines that arrive together, stored in one transaction (webapp/checkins/operations/chat_lines.py)."""
from __future__ import annotations

import pytest
from sqlalchemy import update

from tests.realtime.conftest import open_today
from webapp.checkins import operations
from webapp.checkins.models import CheckIn, Message
from webapp.checkins.operations.chat_lines import Line, store_lines
from webapp.db import db_session
from webapp.exceptions import DomainError


@pytest.fixture
def staff(make_user):
    return {login: make_user(login, role=role) for login, role in
            (("sato", "promoter"), ("tanaka", "promoter"), ("kimura", "promoter"))}


@pytest.fixture
def running(staff, make_session):
    return open_today(make_session, promoters=("sato", "tanaka"))


def test_a_refused_line_among_others_is_refused_alone_and_the_rest_are_stored(staff, running):
    waiting = operations.check_in(running.id, "cat")
    taken = operations.check_in(running.id, "dog")
    operations.take(taken.id, staff["sato"])
    gone = operations.check_in(running.id, "moon")
    operations.leave(gone.id)
    results = store_lines([
        Line(waiting.id, "こんにちは"),
        Line(gone.id, "まだいますか"),                                  # the conversation has ended
        Line(taken.id, "横から", staff_id=staff["tanaka"].id),          # another promoter has them
        Line(waiting.id, "担当外です", staff_id=staff["kimura"].id),     # not assigned to the session
        Line(taken.id, "さとうです", staff_id=staff["sato"].id),
        Line(waiting.id, "   "),
    ])
    codes = [r.code if isinstance(r, DomainError) else "stored" for r in results]
    assert codes == ["stored", "checkin_closed", "not_your_checkin", "forbidden", "stored", "empty_text"]
    assert [m.text for m in operations.recent_messages(waiting.id)] == ["こんにちは"]
    assert [m.text for m in operations.recent_messages(taken.id)] == ["さとうです"]
    assert results[4].checkin.taken_by_id == staff["sato"].id  # routed to the taker only


def test_a_crisis_word_in_a_batch_puts_that_resident_first(running):
    first = operations.check_in(running.id, "cat")
    second = operations.check_in(running.id, "dog")
    [plain, crisis] = store_lines([Line(first.id, "よろしくお願いします"), Line(second.id, "もう消えたい")])
    assert not plain.checkin.urgent and crisis.checkin.urgent
    db_session.remove()
    assert db_session.get(CheckIn, second.id).urgent
    assert [c.id for c in operations.queue(running.id)][0] == second.id


def test_a_batch_reads_back_in_order_with_its_time_and_a_deactivated_writer_is_refused(staff, running):
    """Plain statements write the batch: what the ORM reads back is what was stored, in order, at its time."""
    taken = operations.check_in(running.id, "dog")
    operations.take(taken.id, staff["sato"])
    staff["tanaka"].active = False
    db_session.commit()
    texts = [f"{n}行目" for n in range(5)]
    results = store_lines([Line(taken.id, text) for text in texts]
                          + [Line(taken.id, "お待たせしました", staff_id=staff["sato"].id, auth_version=0),
                             Line(taken.id, "代わります", staff_id=staff["tanaka"].id, auth_version=0)])
    assert isinstance(results[-1], DomainError) and results[-1].code == "forbidden"
    db_session.remove()
    stored = operations.recent_messages(taken.id)
    assert [m.text for m in stored] == [*texts, "お待たせしました"]
    assert [m.id for m in stored] == [r.id for r in results[:-1]]
    assert {m.created_at for m in stored} == {results[0].created_at}  # the batch's time, aware UTC, as written
    assert results[5].staff_user.display_name == staff["sato"].display_name



def test_a_line_posted_inside_the_callers_transaction_is_stored_with_it(running):
    """A web form's view has read the check-in (on SQLite it holds the write lock): the batch joins that
    transaction instead of waiting for a lock it would never get, and commits what the view changed too."""
    checkin = operations.check_in(running.id, "cat")
    db_session.get(CheckIn, checkin.id).nickname = "ねこ"
    assert db_session().in_transaction()
    [stored] = store_lines([Line(checkin.id, "はじめまして")])
    db_session.remove()
    assert [m.text for m in operations.recent_messages(checkin.id)] == ["はじめまして"]
    assert db_session.get(CheckIn, checkin.id).nickname == "ねこ"
    assert stored.checkin.id == checkin.id


def test_the_recent_lines_of_several_conversations_are_each_their_own_last_ones_in_order(running):
    """One query for the residents welcomed together: each conversation's last lines still holding text."""
    first = operations.check_in(running.id, "cat")
    second = operations.check_in(running.id, "dog")
    quiet = operations.check_in(running.id, "moon")
    for n in range(5):
        operations.post_message(first.id, f"一の{n}")
        operations.post_message(second.id, f"二の{n}")
    db_session.execute(update(Message).where(Message.text == "一の4").values(text=None))  # purged
    db_session.commit()
    recent = operations.recent_messages_of([first.id, second.id, quiet.id], limit=3)
    assert {cid: [m.text for m in lines] for cid, lines in recent.items()} == {
        first.id: ["一の1", "一の2", "一の3"], second.id: ["二の2", "二の3", "二の4"]}
    assert operations.recent_messages(second.id, limit=2)[-1].text == "二の4"
