"""A visit belongs to the fiscal year of its session's date in Ikoma (Asia/Tokyo), never UTC's."""
from __future__ import annotations

import datetime as dt

from tests.stats.conftest import during
from webapp.stats.queries import fiscal_year_stats


def test_a_session_on_31_march_counts_in_the_year_before(make_session, make_user, visit):
    sato = make_user("sato", role="admin")
    visit(make_session(day=dt.date(2025, 3, 31), fmt="metaverse"), sato)

    assert fiscal_year_stats(2024)["by_format"]["metaverse"]["visits"] == 1
    assert fiscal_year_stats(2025)["by_format"]["metaverse"]["visits"] == 0
    assert fiscal_year_stats(2024)["by_month"][-1]["month"] == "2025-03"
    assert fiscal_year_stats(2024)["by_month"][-1]["visits"] == 1


def test_a_session_on_1_april_starts_the_new_year(make_session, make_user, visit):
    sato = make_user("sato", role="admin")
    visit(make_session(day=dt.date(2025, 4, 1), fmt="online"), sato)

    assert fiscal_year_stats(2025)["by_format"]["online"]["visits"] == 1
    assert fiscal_year_stats(2025)["by_month"][0]["visits"] == 1
    assert fiscal_year_stats(2024)["by_format"]["online"]["visits"] == 0


def test_half_past_midnight_on_1_april_in_tokyo_is_the_new_year_though_utc_still_says_31_march(
        make_session, make_user, visit):
    sato = make_user("sato", role="admin")
    session = make_session(day=dt.date(2025, 4, 1), start="00:30", end="02:00", fmt="in_person")
    assert session.starts_at.astimezone(dt.timezone.utc).date() == dt.date(2025, 3, 31)
    checkin = visit(session, sato, minutes=5)
    assert checkin.created_at.astimezone(dt.timezone.utc).date() == dt.date(2025, 3, 31)

    assert fiscal_year_stats(2025)["by_format"]["in_person"]["visits"] == 1
    assert fiscal_year_stats(2025)["previous"]["by_format"]["in_person"]["visits"] == 0
    assert fiscal_year_stats(2024)["by_format"]["in_person"]["visits"] == 0


def test_a_session_counts_as_held_once_it_is_over_never_while_it_runs_or_is_to_come(make_session, make_user, visit):
    from webapp.sessions.operations import cancel_session

    sato = make_user("sato", role="admin")
    make_session(day=dt.date(2024, 6, 18))
    make_session(day=dt.date(2024, 10, 15), fmt="online")
    running = make_session(day=dt.date(2024, 8, 20), start="10:00", end="16:00")
    cancel_session(make_session(day=dt.date(2024, 9, 17)))
    visit(running, sato)
    at = during(running, 30)  # October has not come yet, August is running

    figures = fiscal_year_stats(2024, now=at)

    assert figures["by_format"]["in_person"]["sessions"] == 1  # June (over); August runs (開催中)
    assert figures["by_format"]["in_person"]["visits"] == 1  # August's visitor counts at once
    assert figures["by_format"]["online"]["sessions"] == 0
    assert figures["by_format"]["in_person"]["cancelled"] == 1
    assert [m["sessions"] for m in figures["by_month"][2:7]] == [1, 0, 0, 0, 0]
    assert figures["by_month"][6]["format"] == "online"  # a planned month still shows its format
    assert figures["by_month"][5]["format"] is None  # September's only session was cancelled


def test_removed_check_ins_are_not_visits(make_session, make_user, visit):
    from webapp.checkins import operations

    sato = make_user("sato", role="admin")
    session = make_session(day=dt.date(2024, 11, 19), fmt="metaverse")
    visit(session, sato)
    prank = operations.check_in(session.id, "star", "いたずら", staff=sato, now=during(session))
    operations.remove(prank.id, sato)

    assert fiscal_year_stats(2024)["by_format"]["metaverse"]["visits"] == 1
