"""Fiscal-year figures, counted by the database (aggregate queries, never row by row in Python).

How things are counted (the city's 実績 and CONTRACT.md):
- A fiscal year (年度) is decided by `Session.date`, the session's date in Asia/Tokyo:
  fiscal year 2024 = sessions dated 2024-04-01 .. 2025-03-31.
- 開催回数 (sessions held): sessions in the state 終了 (ended, not cancelled: webapp/sessions/queries.py
  `state`). A session running today is 開催中 and counts once it ends; its visits count at once.
- 訪問 (visit) and 相談 (consultation): as defined in webapp/checkins/operations/counting.py, the
  same definitions the live counts use. Check-ins of a session cancelled afterwards still count:
  those people did come.
- 相談せず退出 (left without consulting): a check-in that ended with status "left".
- 待ち時間 (wait): the wait as counting.py defines it, for residents' own check-ins a promoter took
  (walk-ins recorded by staff waited in no queue); the median is reported. Residents who left
  before being taken are reported apart (their wait ends when they left), median.
- 相談内容・相談結果・つなぎ先 are counted over consultations only (a visit without a
  consultation has none); one consultation may have several topics.

The database does the counting: one aggregate per session (a few dozen rows a year come back),
one window query for every median, one aggregate each for topics and for results/referrals.
Both the asked year and the year before are answered by the same statements.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter

from sqlalchemy import and_, case, func, literal, select, union_all

from webapp.checkins.models import CheckIn, Outcome, Term, outcome_topics
from webapp.checkins.operations.counting import is_consultation, is_visit, waited_seconds
from webapp.db import db_session, utcnow
from webapp.sessions.models import FORMATS, Session
from webapp.sessions.queries import state as session_state
from webapp.stats import room_funnel
from webapp.timeutil import fiscal_year_bounds, fiscal_year_of, reiwa_label

#: The outcome sections and the term kind each counts.
SECTIONS = (("topics", "topic"), ("results", "result"), ("referrals", "agency"))


@dataclasses.dataclass
class SessionTally:
    """One session and what its check-ins add up to."""

    id: int
    date: dt.date
    starts_at: dt.datetime
    ends_at: dt.datetime
    format: str
    status: str
    checkins: int = 0
    visits: int = 0
    left: int = 0
    consultations: int = 0
    #: How many waits were timed: taken by a promoter, or left before being taken.
    taken: int = 0
    left_waiting: int = 0

    @property
    def fiscal_year(self) -> int:
        return fiscal_year_of(self.date)

    @property
    def month(self) -> str:
        return f"{self.date.year:04d}-{self.date.month:02d}"

    def state(self, now: dt.datetime | None = None) -> str:
        """開催予定, 開催中, 終了 or 中止, as webapp/sessions/queries.py `state` decides for every page."""
        return session_state(self, now)

    def held(self, now: dt.datetime) -> bool:
        """Counted as held: ended, not cancelled (never one still to come, nor one still running)."""
        return self.state(now) == "ended"


def _in_range(first: dt.date, last: dt.date):
    return Session.date.between(first, last)


def _session_ids(first: dt.date, last: dt.date):
    """The ids of the sessions dated within [first, last], as a subquery (check-ins are indexed by session)."""
    return select(Session.id).where(_in_range(first, last))


def _tallies(first: dt.date, last: dt.date) -> tuple[dict[int, SessionTally], list[tuple]]:
    """Every session in the range with its counts, and (session, result, referral, n) of its consultations."""
    tallies = {
        row.id: SessionTally(row.id, row.date, row.starts_at, row.ends_at, row.format, row.status)
        for row in db_session.execute(
            select(Session.id, Session.date, Session.starts_at, Session.ends_at, Session.format, Session.status)
            .where(_in_range(first, last)).order_by(Session.starts_at))
    }
    counted = db_session.execute(
        select(CheckIn.session_id, func.count(CheckIn.id),
               func.sum(case((is_visit(), 1), else_=0)),
               func.sum(case((CheckIn.status == "left", 1), else_=0)),
               func.sum(case((_taken(), 1), else_=0)),
               func.sum(case((_left_waiting(), 1), else_=0)))
        .where(CheckIn.session_id.in_(_session_ids(first, last))).group_by(CheckIn.session_id))
    for session_id, total, *sums in counted:
        tally = tallies[session_id]
        tally.checkins = total
        tally.visits, tally.left, tally.taken, tally.left_waiting = (int(n or 0) for n in sums)
    outcomes = db_session.execute(
        select(CheckIn.session_id, Outcome.result_id, Outcome.referred_to_id, func.count(Outcome.id))
        .select_from(Outcome).join(CheckIn, CheckIn.id == Outcome.checkin_id)
        .where(CheckIn.session_id.in_(_session_ids(first, last)), is_consultation())
        .group_by(CheckIn.session_id, Outcome.result_id, Outcome.referred_to_id)).all()
    for session_id, _result, _agency, n in outcomes:
        tallies[session_id].consultations += n
    return tallies, outcomes


def _topic_counts(first: dt.date, last: dt.date) -> list[tuple]:
    """(session, topic term, consultations naming it)."""
    return db_session.execute(
        select(CheckIn.session_id, outcome_topics.c.term_id, func.count())
        .select_from(outcome_topics).join(Outcome, Outcome.id == outcome_topics.c.outcome_id)
        .join(CheckIn, CheckIn.id == Outcome.checkin_id)
        .where(CheckIn.session_id.in_(_session_ids(first, last)), is_consultation())
        .group_by(CheckIn.session_id, outcome_topics.c.term_id)).all()


def _taken():
    # Walk-ins recorded by staff are taken the moment they are recorded: they waited in no queue.
    return and_(CheckIn.source == "resident", CheckIn.taken_at.is_not(None), is_visit())


def _left_waiting():
    return and_(CheckIn.status == "left", CheckIn.taken_at.is_(None), CheckIn.ended_at.is_not(None))


#: Which check-ins each kind of wait times (how long each waited is counting.waited_seconds).
WAITS = {"taken": _taken, "left": _left_waiting}


def _medians(tallies: dict[int, SessionTally]) -> dict[tuple, int | None]:
    """Median waits keyed by (fiscal year, format, "taken"|"left"), worked out in SQL.

    The per-session counts already tell each group's size n, so each group's median is the
    middle row (or the two middle rows) of its waits in order: ORDER BY wait LIMIT 2 - n % 2
    OFFSET (n - 1) / 2. Every group is one branch of a single UNION ALL; only the middle rows
    (two per group at most) come back, averaged by the database.
    """
    groups: dict[tuple, list[int]] = {}
    sizes: Counter = Counter()
    for tally in tallies.values():
        for kind, n in (("taken", tally.taken), ("left", tally.left_waiting)):
            if n:
                key = (tally.fiscal_year, tally.format, kind)
                groups.setdefault(key, []).append(tally.id)
                sizes[key] += n
    if not groups:
        return {}
    branches = []
    for index, (key, session_ids) in enumerate(groups.items()):
        condition, seconds = WAITS[key[2]], waited_seconds()
        n = sizes[key]
        middle = (
            select(seconds.label("v")).where(CheckIn.session_id.in_(session_ids), condition())
            .order_by(seconds).limit(2 - n % 2).offset((n - 1) // 2).subquery()
        )
        branches.append(select(literal(index).label("g"), middle.c.v))
    middles = union_all(*branches).subquery()
    rows = db_session.execute(select(middles.c.g, func.avg(middles.c.v)).group_by(middles.c.g))
    keys = list(groups)
    return {keys[g]: _whole(v) for g, v in rows}


def _whole(seconds) -> int | None:
    return None if seconds is None else int(round(float(seconds)))


def _months(year: int) -> list[str]:
    return [f"{year + (m < 4):04d}-{m:02d}" for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]


def _month_entries(year: int, tallies: list[SessionTally], now: dt.datetime) -> list[dict]:
    entries = []
    for key in _months(year):
        own = [t for t in tallies if t.month == key]
        planned = [f for f in FORMATS if any(t.format == f and t.status == "scheduled" for t in own)]
        entries.append({
            "month": key,
            # One format a month is the city's plan; "mixed" when a month had several.
            "format": planned[0] if len(planned) == 1 else ("mixed" if planned else None),
            "formats": planned,
            "sessions": sum(t.held(now) for t in own),
            "visits": sum(t.visits for t in own),
            "consultations": sum(t.consultations for t in own),
            "left_without_consulting": sum(t.left for t in own),
        })
    return entries


def _format_entries(year: int, tallies: list[SessionTally], medians: dict, now: dt.datetime) -> tuple[dict, dict]:
    by_format = {}
    for fmt in FORMATS:
        own = [t for t in tallies if t.format == fmt]
        by_format[fmt] = {
            "sessions": sum(t.held(now) for t in own),
            "visits": sum(t.visits for t in own),
            "consultations": sum(t.consultations for t in own),
            "left_without_consulting": sum(t.left for t in own),
            "median_wait_s": medians.get((year, fmt, "taken")),
            "median_left_wait_s": medians.get((year, fmt, "left")),
            "cancelled": sum(t.status == "cancelled" for t in own),
        }
    totals = {key: sum(entry[key] for entry in by_format.values())
              for key in ("sessions", "visits", "consultations", "left_without_consulting", "cancelled")}
    return by_format, totals


def _section(terms: list[Term], kind: str, counts: Counter) -> tuple[dict[str, int], dict[str, dict]]:
    """Counts keyed by term key, in the admin's order: every current term, and retired ones used."""
    keyed, labels = {}, {}
    for term in terms:
        if term.kind != kind or (term.retired and not counts.get(term.id)):
            continue
        keyed[term.key] = counts.get(term.id, 0)
        labels[term.key] = {"ja": term.label_ja, "en": term.label_en, "retired": term.retired}
    return keyed, labels


def _year(year: int, tallies: dict[int, SessionTally], outcomes, topics, medians, terms, now) -> dict:
    own = [t for t in tallies.values() if t.fiscal_year == year]
    ids = {t.id for t in own}
    first, last = fiscal_year_bounds(year)
    by_format, totals = _format_entries(year, own, medians, now)
    counts = {"topics": Counter(), "results": Counter(), "referrals": Counter()}
    for session_id, term_id, n in topics:
        if session_id in ids:
            counts["topics"][term_id] += n
    for session_id, result_id, agency_id, n in outcomes:
        if session_id in ids:
            if result_id is not None:
                counts["results"][result_id] += n
            if agency_id is not None:
                counts["referrals"][agency_id] += n
    figures = {
        "fiscal_year": year,
        "label": reiwa_label(year),
        "label_en": f"FY{year}",
        "period": {"from": first.isoformat(), "to": last.isoformat()},
        "by_format": by_format,
        "totals": totals,
        "by_month": _month_entries(year, own, now),
        "labels": {},
    }
    for section, kind in SECTIONS:
        figures[section], figures["labels"][section] = _section(terms, kind, counts[section])
    return figures


def fiscal_year_stats(year: int, now: dt.datetime | None = None) -> dict:
    """The figures of fiscal year `year` with the year before beside them (`previous`)."""
    now = now or utcnow()
    first, last = fiscal_year_bounds(year - 1)[0], fiscal_year_bounds(year)[1]
    tallies, outcomes = _tallies(first, last)
    topics, medians = _topic_counts(first, last), _medians(tallies)
    terms = list(db_session.scalars(select(Term).order_by(Term.position, Term.id)))
    figures = _year(year, tallies, outcomes, topics, medians, terms, now)
    figures["previous"] = _year(year - 1, tallies, outcomes, topics, medians, terms, now)
    figures["room"] = room_funnel.funnel(year)  # the metaverse room: entered → asked → consultation, practice
    return figures


def known_fiscal_years() -> tuple[int | None, int | None]:
    """The fiscal years of the earliest and latest sessions, or (None, None) with none at all."""
    first, last = db_session.execute(select(func.min(Session.date), func.max(Session.date))).one()
    if first is None:
        return None, None
    return fiscal_year_of(first), fiscal_year_of(last)


def session_rows(year: int) -> list[SessionTally]:
    """Every session of the year with its visits and consultations, for the list of records."""
    tallies, _ = _tallies(*fiscal_year_bounds(year))
    return list(tallies.values())
