"""Median waits are worked out by the database: the middle value, or the mean of the two middle ones."""
from __future__ import annotations

import datetime as dt

from webapp.checkins.models import CheckIn
from webapp.db import db_session
from webapp.stats.queries import fiscal_year_stats


def _rows(session, waits_s, status="closed", source="resident"):
    """Check-ins that waited `waits_s` seconds before being taken (or before leaving)."""
    for i, wait in enumerate(waits_s):
        created = session.starts_at + dt.timedelta(minutes=i)
        end = created + dt.timedelta(seconds=wait)
        row = CheckIn(session_id=session.id, avatar="cat", created_at=created, status=status, ended_at=end,
                      source=source)
        if status != "left":
            row.taken_at = end
        db_session.add(row)
    db_session.commit()


def test_the_median_wait_of_an_odd_count_is_the_middle_wait(make_session):
    session = make_session(day=dt.date(2024, 5, 21), fmt="online")
    _rows(session, [600, 30, 1200, 90, 240])
    assert fiscal_year_stats(2024)["by_format"]["online"]["median_wait_s"] == 240


def test_the_median_wait_of_an_even_count_is_the_mean_of_the_two_middle_waits(make_session):
    session = make_session(day=dt.date(2024, 11, 19), fmt="metaverse")
    _rows(session, [60, 300, 120, 3600])
    figures = fiscal_year_stats(2024)
    assert figures["by_format"]["metaverse"]["median_wait_s"] == 210
    assert figures["by_format"]["online"]["median_wait_s"] is None


def test_walk_ins_recorded_by_staff_are_visits_but_not_waits(make_session):
    session = make_session(day=dt.date(2024, 6, 18))
    _rows(session, [600])
    _rows(session, [0, 0, 0], source="staff")
    entry = fiscal_year_stats(2024)["by_format"]["in_person"]
    assert entry["visits"] == 4 and entry["median_wait_s"] == 600


def test_those_who_left_are_reported_apart(make_session):
    session = make_session(day=dt.date(2024, 6, 18))
    _rows(session, [100, 200, 300])
    _rows(session, [900, 1500], status="left")
    entry = fiscal_year_stats(2024)["by_format"]["in_person"]
    assert entry["median_wait_s"] == 200
    assert entry["median_left_wait_s"] == 1200
    assert entry["left_without_consulting"] == 2 and entry["visits"] == 5 and entry["consultations"] == 0


def test_medians_are_kept_per_format_and_per_year(make_session):
    _rows(make_session(day=dt.date(2024, 6, 18)), [10, 20, 30])
    _rows(make_session(day=dt.date(2024, 7, 16), fmt="online"), [1000])
    _rows(make_session(day=dt.date(2024, 3, 19), fmt="online"), [5, 7])
    figures = fiscal_year_stats(2024)
    assert figures["previous"]["by_format"]["online"]["median_wait_s"] == 6
    assert figures["by_format"]["in_person"]["median_wait_s"] == 20
    assert figures["by_format"]["online"]["median_wait_s"] == 1000


def _statements(app, run) -> int:
    from sqlalchemy import event

    seen = []
    engine = app.extensions["engine"]
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(seen)


def test_the_figures_take_the_same_few_queries_however_many_people_came(app, make_session):
    session = make_session(day=dt.date(2024, 6, 18))
    _rows(session, [60, 120, 180], status="closed")
    few = _statements(app, lambda: fiscal_year_stats(2024))
    _rows(session, list(range(10, 3000, 10)), status="closed")
    _rows(session, list(range(5, 500, 5)), status="left")
    many = _statements(app, lambda: fiscal_year_stats(2024))
    assert many == few <= 8  # one of them the metaverse room's funnel (webapp/stats/room_funnel.py)
