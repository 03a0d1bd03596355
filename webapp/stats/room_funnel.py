"""The metaverse room's funnel (issue 17): entered → asked → consultation, and practice visits.

Counted per metaverse session and per fiscal year, over residents' own check-ins (visitors
recorded by staff never were in the room):
- entered: a visit (counting.py `is_visit`) of a metaverse session;
- asked: of those, the ones who joined the line (checked in to wait, or asked from the room);
- consultations: of those, the ones closed as a consultation (counting.py `is_consultation`);
- practice: 見学 visits outside the session's hours (webapp/rooms/models.py), never visits.
Staff see exact numbers; the public summary masks small ones like every other cell.
"""
from __future__ import annotations

from sqlalchemy import case, func, select

from webapp.checkins.models import CheckIn, Outcome
from webapp.checkins.operations.counting import is_consultation, is_visit, was_in_line
from webapp.db import db_session
from webapp.rooms.models import RoomPractice
from webapp.sessions.models import Session
from webapp.timeutil import fiscal_year_bounds

STEPS = ("entered", "asked", "consultations", "practice")


def funnel(year: int) -> dict:
    """{entered, asked, consultations, practice, sessions: [{session_id, date, ...the same}]} for the year.

    One statement, however many sessions and people (tests/stats/test_medians.py counts them)."""
    first, last = fiscal_year_bounds(year)
    people = (select(CheckIn.session_id.label("session_id"), func.count(CheckIn.id).label("entered"),
                     func.sum(case((was_in_line(), 1), else_=0)).label("asked"),
                     func.sum(case((is_consultation(), 1), else_=0)).label("consultations"))
              .select_from(CheckIn).outerjoin(Outcome, Outcome.checkin_id == CheckIn.id)
              .where(CheckIn.source == "resident", is_visit()).group_by(CheckIn.session_id).subquery())
    practice = (select(RoomPractice.session_id.label("session_id"), func.count(RoomPractice.id).label("n"))
                .group_by(RoomPractice.session_id).subquery())
    rows = db_session.execute(
        select(Session.id, Session.date, people.c.entered, people.c.asked, people.c.consultations, practice.c.n)
        .outerjoin(people, people.c.session_id == Session.id).outerjoin(practice, practice.c.session_id == Session.id)
        .where(Session.format == "metaverse", Session.date.between(first, last)).order_by(Session.starts_at)).all()
    per_session = [{"session_id": sid, "date": day.isoformat(), "entered": int(entered or 0), "asked": int(asked or 0),
                    "consultations": int(consulted or 0), "practice": int(tried or 0)}
                   for sid, day, entered, asked, consulted, tried in rows]
    totals = {step: sum(row[step] for row in per_session) for step in STEPS}
    return {**totals, "sessions": per_session}
