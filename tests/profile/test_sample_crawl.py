"""Under the sample profile (みどり野市) no page, feed, CSV or API answer says 生駒, いこまる or Ikoma.

The app is started the way a deployment starts it (PROFILE in the environment, read by
webapp/config.py, then `flask profile apply`), filled with one of everything a city has (a session
of each format, one open now, a reservation, a check-in closed with an outcome, admin edits), and
every GET route of the url_map is fetched as a resident, a promoter and an admin, in Japanese and
English. A route added later is crawled without touching this file; one the crawl cannot reach
must be named in UNREACHED with the reason.
"""
from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest

from harness.processes import wait_until
from webapp.db import utcnow
from webapp.timeutil import TOKYO

from .conftest import PASSWORD, ROOT

#: What must never show under another city's profile.
IKOMA = re.compile("生駒|いこまる|ikoma", re.IGNORECASE)
CITY = {"ja": "みどり野市", "en": "Midorino City"}
PROGRAMME = {"ja": "みどりの よろず相談会", "en": "Midorino drop-in consultations"}
#: GET routes no crawl answers with 200, and why (each is still fetched and checked).
UNREACHED = {
    "twofactor.verify": "the second step of a login with a second factor; the crawl's staff sign in without one",
    "sessions.set_language": "a redirect that sets the language cookie (its target is crawled)",
    "checkins.leave": "answers the resident's leave form; GET sends back to the waiting room",
}


def _session(fmt: str, day: dt.date, start: dt.datetime, end: dt.datetime, promoters: list[str]):
    from flask import current_app

    from webapp.sessions.operations import SessionSpec, create_session

    place = current_app.config["DEFAULT_LOCATIONS"][fmt]
    return create_session(SessionSpec(date=day, starts_at=start, ends_at=end, format=fmt, location=place,
                                      join_url="https://meet.example.jp/room" if fmt != "in_person" else "",
                                      slot_minutes=20, capacity=1, promoters=promoters))


def _day_at(day: dt.date, clock: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.fromisoformat(clock), tzinfo=TOKYO)


def _not_just_before_midnight() -> None:
    """The session open now ends by 23:59 (a session never spans two dates): in the day's last minutes
    the crawl waits for the new day rather than see the session close under it."""
    def far_from_midnight() -> bool:
        now = utcnow().astimezone(TOKYO)
        return now.time() < dt.time(23, 54) and now.time() >= dt.time(0, 0, 5)

    wait_until(far_from_midnight, timeout=10 * 60, what="the new day in Tokyo", every=1)


def _world(app) -> dict:
    """One of everything: sessions of each format (one open now, one past with a closed consultation,
    one cancelled), a reservation, staff, a feed token, an admin's crisis contact and phrase, an agency's details."""
    from webapp.checkins import operations as checkins
    from webapp.checkins.operations import crisis_settings
    from webapp.directory import details
    from webapp.reservations.operations import reserve
    from webapp.sessions.operations import cancel_session
    from webapp.staff.operations import create_user, rotate_feed_token
    from webapp.stats import vocabulary
    from webapp.timeutil import fiscal_year_of

    _not_just_before_midnight()
    admin = create_user("admin", "admin", "管理者 みどり", PASSWORD)
    promoter = create_user("sato", "promoter", "相談支援員 さとう", PASSWORD)
    now = utcnow().astimezone(TOKYO).replace(second=0, microsecond=0)
    today = now.date()
    midnight = _day_at(today, "00:00")
    open_now = _session("online", today, max(now - dt.timedelta(minutes=30), midnight),
                        min(now + dt.timedelta(minutes=60), midnight + dt.timedelta(hours=23, minutes=59)), ["sato"])
    ahead = [today + dt.timedelta(days=n) for n in (20, 40, 60)]
    upcoming = [_session(fmt, day, _day_at(day, "10:00"), _day_at(day, "12:00"), ["sato"])
                for fmt, day in zip(("in_person", "online", "metaverse"), ahead, strict=True)]
    cancelled = _session("online", today + dt.timedelta(days=80), _day_at(today + dt.timedelta(days=80), "10:00"),
                         _day_at(today + dt.timedelta(days=80), "12:00"), ["sato"])
    cancel_session(cancelled, "台風のため中止します。")
    past_day = today - dt.timedelta(days=30)
    past = _session("in_person", past_day, _day_at(past_day, "10:00"), _day_at(past_day, "12:00"), ["sato"])
    seen = checkins.check_in(past.id, "cat", "", staff=promoter, now=_day_at(past_day, "10:15"))
    checkins.close(seen.id, promoter, "consultation", ["family"], "referred", "kosodate")
    reservation = reserve(upcoming[0].slots[0].id, nickname="みどり", topic="")
    contact = crisis_settings.add_contact({"name_ja": "みどり野市 夜間相談", "name_en": "Midorino night line",
                                           "detail_ja": "毎日 18時〜22時", "detail_en": "Daily 18:00-22:00",
                                           "url": "https://www.example.jp/midorino/yakan/"})
    phrase = crisis_settings.add_phrase("もう限界")
    agencies = vocabulary.terms("agency")
    details.update(agencies[0], {"field": "高齢・介護", "phone": "000-000-0009", "hours": "平日 10:00〜16:00",
                                 "url": "https://www.example.jp/midorino/anshin/"}, app.config["PROFILE"])
    year = f"fiscal_year={fiscal_year_of(past_day)}"
    return {
        "admin": admin, "promoter": promoter, "open": open_now, "reservation": reservation,
        "feed_token": rotate_feed_token(promoter),
        "values": {
            "session_id": [s.id for s in (open_now, *upcoming, cancelled, past)],
            "code": [reservation.code], "token": None, "user_id": [admin.id, promoter.id],
            "reservation_id": [reservation.id], "term_id": [agencies[0].id, agencies[-1].id],
            "filename": sorted(str(p.relative_to(ROOT / "webapp" / "static"))
                               for p in (ROOT / "webapp" / "static").rglob("*") if p.is_file()),
        },
        "query": {"stats_api.stats": year, "stats_api.stats_csv": year, "stats.index": year,
                  "stats.public": year},
        "per_endpoint": {"crisis_admin.edit_contact": {"item_id": [contact.id]},
                         "crisis_admin.edit_phrase": {"item_id": [phrase.id]},
                         "sessions.set_language": {"code": ["en"]}},
    }


def _urls(app, world: dict):
    """(endpoint, url) for every GET route, its arguments filled from the world."""
    values = {**world["values"], "token": [world["feed_token"]]}
    with app.test_request_context():
        from flask import url_for

        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if "GET" not in rule.methods:
                continue
            choices = {**values, **world["per_endpoint"].get(rule.endpoint, {})}
            names = sorted(rule.arguments)
            missing = [n for n in names if n not in choices]
            assert not missing, f"{rule.rule}: the crawl has no value for {missing}; add one to _world"
            for combo in itertools.product(*(choices[n] for n in names)):
                url = url_for(rule.endpoint, **dict(zip(names, combo, strict=True)))
                query = world["query"].get(rule.endpoint)
                yield rule.endpoint, f"{url}?{query}" if query else url


def _csrf(client, path: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def _login(client, login: str) -> None:
    answer = client.post("/staff/login", data={"login": login, "password": PASSWORD,
                                               "csrf_token": _csrf(client, "/staff/login")})
    assert answer.status_code == 302, f"{login} could not sign in"


def _check_in(client, session_id: int) -> None:
    path = f"/sessions/{session_id}/checkin"
    answer = client.post(path, data={"avatar": "cat", "nickname": "", "csrf_token": _csrf(client, path)})
    assert answer.status_code == 302 and "/checkins/wait" in answer.headers["Location"]


def _leaks(answer) -> str:
    """Everything a person or an app could read: the body and the headers."""
    return answer.get_data(as_text=True) + "\n" + "\n".join(f"{k}: {v}" for k, v in answer.headers.items())


def test_every_page_feed_csv_and_answer_speaks_of_the_sample_city_only(sample_app):
    world = _world(sample_app)
    urls = list(_urls(sample_app, world))
    clients = {"resident": sample_app.test_client(), "promoter": sample_app.test_client(),
               "admin": sample_app.test_client()}
    _check_in(clients["resident"], world["open"].id)
    _login(clients["promoter"], "sato")
    _login(clients["admin"], "admin")
    found, reached, city_seen = [], set(), {"ja": 0, "en": 0}
    for (who, client), language, (endpoint, url) in itertools.product(clients.items(), ("ja", "en"), urls):
        if endpoint == "staff.logout" or (endpoint.startswith("static") and (who, language) != ("resident", "ja")):
            continue
        answer = client.get(url + ("&" if "?" in url else "?") + f"lang={language}")
        assert answer.status_code < 500, f"{who} {url}: {answer.status_code}"
        text = _leaks(answer)
        found += [f"{who} {language} {url}: …{text[max(m.start() - 40, 0):m.end() + 40]}…"
                  for m in IKOMA.finditer(text)]
        if answer.status_code == 200:
            reached.add(endpoint)
            if answer.mimetype == "text/html":
                assert CITY[language] in text, f"{who} {language} {url} does not name the city"
                city_seen[language] += 1
    assert not found, "\n".join(found[:20])
    assert all(city_seen.values())
    gets = {rule.endpoint for rule in sample_app.url_map.iter_rules() if "GET" in rule.methods}
    assert gets - reached - set(UNREACHED) == set(), "routes the crawl never got a 200 from"
    assert reached & set(UNREACHED) == set(), "reached after all: take these out of UNREACHED"


@pytest.mark.parametrize("language", ["ja", "en"])
def test_feeds_and_the_csv_carry_the_sample_programme(sample_app, language):
    world = _world(sample_app)
    admin = sample_app.test_client()
    _login(admin, "admin")
    public = admin.get(f"/calendars/public.ics?lang={language}").get_data(as_text=True)
    staff = admin.get(f"/calendars/staff/{world['feed_token']}.ics?lang={language}").get_data(as_text=True)
    own = admin.get(f"/api/v1/reservations/{world['reservation'].code}.ics?lang={language}")
    assert f"X-WR-CALNAME:{PROGRAMME[language]}" in public and PROGRAMME[language] in staff
    assert PROGRAMME[language] in own.get_data(as_text=True)
    assert "@soudan.midorino.example.jp" in public and 'filename="midorino-' in own.headers["Content-Disposition"]
    year = utcnow().astimezone(TOKYO).year
    csv = admin.get(f"/api/v1/stats.csv?fiscal_year={year - 1}").get_data(as_text=True)
    assert csv.lstrip("\ufeff").startswith("みどりの よろず相談会 実績")


def test_the_help_page_lists_the_sample_citys_agencies_with_their_phone_hours_and_website(sample_app):
    page = sample_app.test_client().get("/help").get_data(as_text=True)
    directory = page.split('class="directory-list"', 1)[1].split("</ul>", 1)[0]
    assert "高齢者あんしん相談センター" in directory and '<a href="tel:0000000001">000-000-0001</a>' in directory
    assert "平日 9:00〜17:00" in directory
    website = '<a href="https://www.example.jp/midorino/kosodate/" target="_blank" rel="noopener">ホームページ'
    assert website in directory
    assert "地域包括支援センター" not in directory and "その他の機関" not in directory  # retired; the catch-all
