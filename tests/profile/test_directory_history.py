"""Admins edit the referral directory and the crisis contacts on top of the profile, and every change is
kept with who made it, when, and the old value; a retired agency still reads in old records."""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from webapp.checkins import operations as checkins
from webapp.checkins.crisis_models import CrisisContact
from webapp.db import db_session
from webapp.stats import vocabulary
from webapp.timeutil import TOKYO


def _csrf(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def _agency(key: str):
    return next(t for t in vocabulary.terms("agency") if t.key == key)


def _rows(page: str) -> list[str]:
    """The history table's rows as plain text."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in body.split("</tr>") if "<td" in row]


def test_an_admins_edits_are_listed_with_who_the_old_and_the_new_value(client, auth, make_user, make_session):
    promoter = make_user("sato", role="promoter")
    make_user("boss", role="admin")
    past = make_session(day=dt.date(2024, 6, 18), promoters=["sato"])
    seen = checkins.check_in(past.id, "cat", "", staff=promoter,
                             now=dt.datetime(2024, 6, 18, 13, 45, tzinfo=TOKYO))
    checkins.close(seen.id, promoter, "consultation", ["family"], "referred", "chiiki_houkatsu")
    auth.login("boss")

    agency = _agency("chiiki_houkatsu")
    path = f"/admin/vocabulary/{agency.id}/edit"
    client.post(path, data={"csrf_token": _csrf(client, path), "label_ja": "高齢者あんしんセンター",
                            "label_en": agency.label_en, "position": str(agency.position)})
    client.post(f"/admin/vocabulary/{agency.id}/retire", data={"csrf_token": _csrf(client, "/admin/vocabulary")})
    contact = db_session.scalars(select(CrisisContact).order_by(CrisisContact.position)).first()
    db_session.remove()
    old_name = contact.name_ja
    path = f"/admin/crisis/contacts/{contact.id}/edit"
    client.post(path, data={"csrf_token": _csrf(client, path), "name_ja": "夜間のいのちの電話",
                            "name_en": contact.name_en, "detail_ja": contact.detail_ja,
                            "detail_en": contact.detail_en, "url": contact.url, "position": contact.position})

    page = client.get("/admin/directory/history").get_data(as_text=True)
    rows = _rows(page)
    assert "boss" in rows[0] and "夜間のいのちの電話" in rows[0] and old_name in rows[0] and "名前（日本語）" in rows[0]
    assert "使わない" in rows[1] and "chiiki_houkatsu" in rows[1]
    assert "地域包括支援センター" in rows[2] and "高齢者あんしんセンター" in rows[2]
    assert all("(cli)" not in row for row in rows[:3])
    # The agency is retired, not gone: promoters no longer pick it, and the old record still names it.
    assert "chiiki_houkatsu" not in [t.key for t in vocabulary.choices("agency")]
    assert "高齢者あんしんセンター" in client.get(f"/staff/stats/sessions/{past.id}").get_data(as_text=True)
    english = client.get("/admin/directory/history?lang=en").get_data(as_text=True)
    assert "Name (Japanese)" in english and '<span lang="ja">夜間のいのちの電話</span>' in english


def test_promoters_may_not_read_the_history(client, auth, make_user):
    make_user("sato", role="promoter")
    auth.login("sato")
    assert client.get("/admin/directory/history").status_code == 403


def test_profile_apply_is_kept_in_the_history_as_the_command_line(app, runner, client, auth, make_user):
    from webapp.profile import load

    from .conftest import SAMPLE

    app.config["PROFILE"] = load(SAMPLE)  # the deployment has moved to the sample city's profile
    applied = runner.invoke(args=["profile", "apply"])
    assert applied.exit_code == 0, applied.output
    make_user("boss", role="admin")
    auth.login("boss")
    rows = _rows(client.get("/admin/directory/history").get_data(as_text=True))
    assert any("(cli)" in row and "koureisha_soudan" in row and "追加" in row for row in rows)
    assert any("(cli)" in row and "chiiki_houkatsu" in row and "使わない" in row for row in rows)
