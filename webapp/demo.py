"""Demo data for `make run`: staff accounts, this fiscal year's sessions and one open right now."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import func, select

from webapp.clock import now_tokyo
from webapp.db import db_session
from webapp.sessions.models import Session
from webapp.sessions.operations import SessionSpec, create_session, generate_fiscal_year, plan_defaults
from webapp.staff.models import User
from webapp.staff.operations import create_user
from webapp.timeutil import TOKYO, fiscal_year_of

DEMO_USERS = (
    ("admin", "admin", "管理者（地域共生社会推進課）", "demo-admin-pass"),
    ("sato", "promoter", "主任推進員 さとう", "demo-sato-pass"),
    ("tanaka", "promoter", "主任推進員 たなか", "demo-tanaka-pass"),
)


def database_is_empty() -> bool:
    return not db_session.scalar(select(func.count(User.id))) and not db_session.scalar(select(func.count(Session.id)))


def _open_now(config: Mapping) -> Session:
    """A metaverse session running now, so check-in and the waiting room can be tried at once."""
    now = now_tokyo().replace(second=0, microsecond=0)
    day = now.date()
    start = max(now - dt.timedelta(hours=1), dt.datetime.combine(day, dt.time(0, 0), tzinfo=TOKYO))
    end = min(now + dt.timedelta(hours=3), dt.datetime.combine(day, dt.time(23, 59), tzinfo=TOKYO))
    return create_session(SessionSpec(
        date=day, starts_at=start, ends_at=end, format="metaverse",
        location=config["DEFAULT_LOCATIONS"]["metaverse"], join_url=f"https://example.org/{config['PROFILE'].programme.slug}-metaverse-demo",
        slot_minutes=30, capacity=2, promoters=["sato", "tanaka"],
    ))


def load(config: Mapping) -> list[str]:
    """Fill an empty database; returns lines to print (including the demo logins)."""
    for login, role, name, password in DEMO_USERS:
        create_user(login, role, name, password)
    year = fiscal_year_of(now_tokyo().date())
    created, _ = generate_fiscal_year(year, plan_defaults(config, ["sato", "tanaka"]))
    today = _open_now(config)
    lines = [f"demo: {len(created)} sessions for fiscal year {year}, and one open today ({today.date})"]
    lines += [f"demo login: {login} / {password} ({role})" for login, role, _, password in DEMO_USERS]
    return lines
