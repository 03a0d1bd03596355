"""Chat lines that arrive together, stored in one transaction (webapp/checkins/operations/chat_lines.py)."""
from __future__ import annotations

import pytest

from tests.realtime.conftest import open_today
from webapp.checkins import operations
from webapp.checkins.models import CheckIn
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
