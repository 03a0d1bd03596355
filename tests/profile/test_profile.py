"""The deployment profile (CONTRACT §8): shipped profiles load, a bad one stops with one line, and
`schedule generate` follows the profile's rule (checked against a calendar computed independently)."""
from __future__ import annotations

import calendar
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from webapp import profile
from webapp.db import db_session
from webapp.sessions.models import Session

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "profiles" / "sample.toml"
TOKYO = dt.timezone(dt.timedelta(hours=9))


def flask(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """The real command line, as an operator runs it."""
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env={**os.environ, **(env or {})})


def test_the_shipped_profiles_load():
    ikoma, sample = profile.load(profile.DEFAULT), profile.load(SAMPLE)
    assert (ikoma.schedule.week, ikoma.schedule.weekday) == (3, "tue")
    assert (sample.schedule.week, sample.schedule.weekday) == (2, "thu")
    assert set(sample.formats.values()) == {"online"}


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = SAMPLE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "city.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


BROKEN = [
    ("[programme]", "[programmes]", "programme: is missing"),
    ('weekday = "thu"', 'weekday = "thursday"', "schedule.weekday: must be one of mon"),
    ("week = 2 ", "week = 6 ", "schedule.week: must be 1, 2, 3, 4 or -1"),
    ('primary = "#1f5fa8"', 'primary = "#9ecbff"', "look: primary on background has contrast"),
    ('background = "#ffffff"', 'background = "#222"', "look.background: must be a colour"),
    ('12 = "online"', "", "formats: needs all twelve months 1..12 (missing: 12)"),
    ('end = "12:00"', 'end = "09:00"', "schedule: end must be later than start"),
    ("[figures]", "[figures", "not valid TOML"),
    ('background = "#ffffff"', 'background = "#ffffff"\nprimary_soft = "#5b8fd0"',
     "on primary_soft has contrast"),
    ('logo = "sample-logo.svg"', 'logo = "sample-logo.gif"', "look.logo: String should match pattern"),
]


@pytest.mark.parametrize(("old", "new", "message"), BROKEN, ids=[b[2][:28] for b in BROKEN])
def test_a_bad_profile_is_refused_with_one_line_naming_the_problem(tmp_path, old, new, message):
    path = _broken(tmp_path, old, new)
    with pytest.raises(profile.ProfileError) as refused:
        profile.load(path)
    lines = str(refused.value).splitlines()
    assert len(lines) == 1 and message in lines[0] and str(path) in lines[0], refused.value


@pytest.mark.parametrize("broken", [BROKEN[1], BROKEN[-1]], ids=["a bad value", "not TOML"])
def test_profile_check_on_a_bad_profile_exits_with_that_line_and_no_traceback(tmp_path, broken):
    """The command line, end to end (the other problems reach it through the same ProfileError)."""
    old, new, message = broken
    path = _broken(tmp_path, old, new)
    checked = flask("profile", "check", str(path))
    assert checked.returncode != 0
    lines = checked.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and str(path) in lines[0], checked.stderr
    assert "Traceback" not in checked.stderr + checked.stdout


def test_a_profile_naming_a_logo_that_is_not_there_exits_with_one_line(tmp_path):
    path = tmp_path / "city.toml"
    path.write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")  # without its logo beside it
    checked = flask("profile", "check", str(path))
    assert checked.returncode != 0 and "Traceback" not in checked.stderr
    lines = checked.stderr.strip().splitlines()
    assert len(lines) == 1 and "look.logo: no such file" in lines[0] and "sample-logo.svg" in lines[0]


def test_a_bad_profile_in_use_stops_every_command_with_the_same_line(tmp_path):
    path = _broken(tmp_path, 'weekday = "thu"', 'weekday = "thursday"')
    started = flask("routes", env={"PROFILE": str(path)})
    assert started.returncode != 0 and "Traceback" not in started.stderr
    lines = started.stderr.strip().splitlines()
    assert len(lines) == 1 and "schedule.weekday: must be one of mon" in lines[0], started.stderr


def test_profile_check_prints_what_would_change():
    checked = flask("profile", "check", str(SAMPLE))
    assert checked.returncode == 0, checked.stderr
    assert "みどり野市" in checked.stdout
    assert "schedule.weekday: tue -> thu" in checked.stdout
    assert "agencies.chiiki_houkatsu: removed" in checked.stdout
    assert "no change" in flask("profile", "check", str(profile.DEFAULT)).stdout


def _second_thursdays(fiscal_year: int) -> list[dt.date]:
    """Computed with the calendar module alone, not with the code under test."""
    days = []
    for month in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3):
        year = fiscal_year if month >= 4 else fiscal_year + 1
        thursdays = [week[calendar.THURSDAY] for week in calendar.monthcalendar(year, month)
                     if week[calendar.THURSDAY]]
        days.append(dt.date(year, month, thursdays[1]))
    return days


def test_schedule_generate_follows_the_sample_profile(app, database_url):
    made = flask("schedule", "generate", "--fiscal-year", "2027",
                 env={"PROFILE": str(SAMPLE), "DATABASE_URL": database_url})
    assert made.returncode == 0, made.stderr
    sessions = db_session.scalars(select(Session).order_by(Session.date)).all()
    assert [s.date for s in sessions] == _second_thursdays(2027)
    for s in sessions:
        assert s.starts_at.astimezone(TOKYO).time() == dt.time(10, 0)
        assert s.ends_at.astimezone(TOKYO).time() == dt.time(12, 0)
        assert s.format == "online" and s.location == "オンライン（ビデオ通話・カメラなしで参加できます）"
        assert len(s.slots) == 6 and {slot.capacity for slot in s.slots} == {1}


def test_the_ikoma_profile_keeps_the_third_tuesday(app, database_url):
    made = flask("schedule", "generate", "--fiscal-year", "2027", env={"DATABASE_URL": database_url})
    assert made.returncode == 0, made.stderr
    dates = [s.date for s in db_session.scalars(select(Session).order_by(Session.date))]
    assert all(d.weekday() == calendar.TUESDAY and 15 <= d.day <= 21 for d in dates) and len(dates) == 12


def test_profile_apply_brings_the_agencies_in_line_and_keeps_old_ones_readable(app, database_url):
    from webapp.stats import vocabulary

    applied = flask("profile", "apply", env={"PROFILE": str(SAMPLE), "DATABASE_URL": database_url})
    assert applied.returncode == 0, applied.stderr
    assert "agencies added: koureisha_soudan, kosodate, seikatsu" in applied.stdout
    # The crisis contacts follow too: one the sample does not list is retired, not deleted.
    assert "contacts retired: あなたのいばしょ チャット相談" in applied.stdout
    db_session.remove()
    assert [t.key for t in vocabulary.choices("agency")] == ["koureisha_soudan", "kosodate", "seikatsu", "other"]
    retired = {t.key: t.label_ja for t in vocabulary.terms("agency") if t.retired}
    assert retired["chiiki_houkatsu"] == "地域包括支援センター"  # an old outcome still reads with its name
    db_session.remove()  # end this test's read, as a page would, before the command writes again
    again = flask("profile", "apply", env={"PROFILE": str(SAMPLE), "DATABASE_URL": database_url})
    assert "agencies added: -" in again.stdout and "agencies retired: -" in again.stdout
    assert "contacts added: -" in again.stdout and "contacts retired: -" in again.stdout
