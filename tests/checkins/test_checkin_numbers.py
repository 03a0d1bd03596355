"""受付番号: 1, 2, 3... in order of arrival within a session, never twice, however many arrive at once."""
from __future__ import annotations

import threading

from sqlalchemy import select

from tests.realtime.conftest import open_today
from webapp.checkins import operations
from webapp.checkins.models import CheckIn
from webapp.db import db_session


def test_numbers_count_from_one_in_each_session(make_user, make_session):
    sato = make_user("sato")
    first = open_today(make_session, promoters=("sato",))
    second = open_today(make_session, promoters=("sato",))
    assert [operations.check_in(first.id, "bear").number for _ in range(3)] == [1, 2, 3]
    assert operations.check_in(second.id, "bear").number == 1
    assert operations.check_in(first.id, "cat", staff=sato).number == 4  # a visitor staff counted has one too


def test_twenty_residents_checking_in_at_once_get_twenty_different_numbers(app, make_user, make_session):
    make_user("sato")
    session_id = open_today(make_session, promoters=("sato",)).id
    db_session.remove()
    numbers, problems, go = [], [], threading.Barrier(20)

    def arrive():
        try:
            go.wait()
            numbers.append(operations.check_in(session_id, "bear").number)
        except Exception as err:  # noqa: BLE001  (reported below, with the numbers)
            problems.append(repr(err))
        finally:
            db_session.remove()

    threads = [threading.Thread(target=arrive) for _ in range(20)]
    [t.start() for t in threads]
    [t.join(60) for t in threads]
    assert problems == []
    assert sorted(numbers) == list(range(1, 21))
    stored = db_session.scalars(select(CheckIn.number).where(CheckIn.session_id == session_id)
                                .order_by(CheckIn.created_at, CheckIn.id)).all()
    assert sorted(stored) == list(range(1, 21))
