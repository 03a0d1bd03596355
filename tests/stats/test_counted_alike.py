"""The fiscal-year figures and the console's live counts count the same check-ins the same way."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from realtime import frames
from tests.realtime.conftest import open_today
from webapp.checkins import operations
from webapp.checkins.models import CheckIn
from webapp.db import db_session
from webapp.stats import presenter, queries
from webapp.timeutil import fiscal_year_of

CONSULTATION = dict(kind="consultation", topics=["family"], result="listened", referred_to=None)


@pytest.fixture
def staff(make_user):
    return make_user("sato", role="promoter")


@pytest.fixture
def running(staff, make_session):
    return open_today(make_session, fmt="online", promoters=("sato",))


def _figures(session):
    return queries.fiscal_year_stats(fiscal_year_of(session.date))["by_format"][session.format]


def _arrived(checkin, minutes_ago: int) -> None:
    """Move a check-in's arrival back, to whole seconds, so its wait is known."""
    arrived = checkin.created_at.replace(microsecond=0) - dt.timedelta(minutes=minutes_ago)
    db_session.execute(update(CheckIn).where(CheckIn.id == checkin.id).values(created_at=arrived))
    db_session.commit()


def _ended(checkin_id, column: str, minutes_after_arrival: int) -> CheckIn:
    checkin = operations.get(checkin_id)
    moment = checkin.created_at + dt.timedelta(minutes=minutes_after_arrival)
    db_session.execute(update(CheckIn).where(CheckIn.id == checkin_id).values({column: moment}))
    db_session.commit()
    return operations.get(checkin_id)


def test_visits_and_consultations_agree_between_the_console_and_the_year(client, staff, running):
    consulted, taken, left, removed = (operations.check_in(running.id, a) for a in ("cat", "dog", "bird", "fish"))
    operations.take(consulted.id, staff)
    operations.close(consulted.id, staff, **CONSULTATION)
    operations.take(taken.id, staff)
    operations.leave(left.id)
    operations.remove(removed.id, staff)
    operations.check_in(running.id, "star", staff=staff, outcome={"kind": "visit_only", "topics": []})
    walk_in = operations.check_in(running.id, "moon", staff=staff)
    operations.close(walk_in.id, staff, **CONSULTATION)

    live = client.get(f"/api/v1/sessions/{running.id}/counts").get_json()
    year = _figures(running)
    row = next(t for t in queries.session_rows(fiscal_year_of(running.date)) if t.id == running.id)
    assert (live["visits"], live["consultations"]) == (5, 2)
    assert (year["visits"], year["consultations"]) == (live["visits"], live["consultations"])
    assert (row.visits, row.consultations) == (live["visits"], live["consultations"])
    assert frames.staff_counts(running.id)["visits"] == live["visits"]


def test_the_wait_is_the_same_on_the_console_the_record_and_in_the_year(staff, running):
    taken = operations.check_in(running.id, "cat")
    _arrived(taken, minutes_ago=30)
    operations.take(taken.id, staff)
    taken = _ended(taken.id, "taken_at", minutes_after_arrival=12)
    gone = operations.check_in(running.id, "dog")
    _arrived(gone, minutes_ago=30)
    operations.leave(gone.id)
    gone = _ended(gone.id, "ended_at", minutes_after_arrival=7)

    console = {e["checkin_id"]: e["waited_s"] for e in frames.staff_queue(running.id)["entries"]}
    year = _figures(running)
    assert console[taken.id] == presenter.waited_s(taken) == year["median_wait_s"] == 12 * 60
    assert presenter.waited_s(gone) == year["median_left_wait_s"] == 7 * 60
