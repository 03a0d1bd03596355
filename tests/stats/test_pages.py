"""The staff stats page, the per-session record and the masked public summary."""
from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest

from tests.stats.conftest import during
from webapp.checkins import operations
from webapp.clock import today_tokyo
from webapp.timeutil import fiscal_year_of


def _svgs(page: str) -> list[ET.Element]:
    return [ET.fromstring(svg) for svg in re.findall(r"<svg .*?</svg>", page, flags=re.S)]


def test_the_stats_page_asks_for_a_login(client):
    response = client.get("/staff/stats")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["promoter", "admin"])
def test_staff_see_this_years_figures_with_valid_svg_charts(client, login_as, role):
    login_as(role)
    page = client.get("/staff/stats").get_data(as_text=True)
    year = fiscal_year_of(today_tokyo())
    assert f"{year}年度" in page and f"{year - 1}年度" in page
    charts = _svgs(page)
    assert len(charts) == 5
    assert all(svg.get("role") == "img" and svg.find("{http://www.w3.org/2000/svg}desc") is not None
               for svg in charts)
    assert 'style="' not in page  # strict CSP: no inline styles


def test_a_year_outside_the_list_is_explained_not_an_error(client, login_as):
    login_as("promoter")
    response = client.get("/staff/stats?fiscal_year=abc")
    assert response.status_code == 200
    assert "その年度は選べません" in response.get_data(as_text=True)


def test_the_page_reads_in_english(app, client, login_as):
    login_as("admin")
    with app.app_context():  # a fresh `g`, as every real request has, so the locale is chosen anew
        page = client.get("/staff/stats?lang=en").get_data(as_text=True)
    assert "Ikomaru consultation sessions: figures" in page
    assert "Sessions held" in page and "Left without consulting" in page
    year = fiscal_year_of(today_tokyo())
    assert f"FY{year}" in page and "How we count" in page


def test_the_session_record_shows_avatars_nicknames_and_outcomes_but_no_messages(
        client, login_as, make_session, consultation, visit):
    admin = login_as("admin")
    session = make_session(day=dt.date(2024, 11, 19), fmt="metaverse")
    checkin = consultation(session, admin, topics=("hikikomori",), result="referred", referred_to="ibasho_gift",
                           avatar="rabbit", nickname="うさこ")
    visit(session, admin, avatar="moon", nickname="つきの人")
    waiting = operations.check_in(session.id, "tea", "まだ待つ人", now=during(session, 20))
    operations.post_message(waiting.id, "ひみつの相談内容")
    operations.leave(waiting.id)

    page = client.get(f"/staff/stats/sessions/{session.id}").get_data(as_text=True)

    assert "うさぎ" in page and "うさこ" in page and "つき" in page and "つきの人" in page
    assert "ひきこもり" in page and "いばしょ支援ステーションGIFT" in page and "関係機関につないだ" in page
    assert "相談せず退出" in page
    assert "ひみつの相談内容" not in page
    assert client.get(f"/staff/stats/sessions/{session.id}").headers["Cache-Control"] == "no-store"
    assert "訪問 3人、うち相談 1件" in page
    assert checkin.id


def test_an_unknown_session_record_is_404(client, login_as):
    login_as("promoter")
    assert client.get("/staff/stats/sessions/999").status_code == 404


def test_the_public_summary_hides_small_counts(client, make_user, make_session, consultation, visit):
    sato = make_user("sato", role="admin")
    year = fiscal_year_of(today_tokyo()) - 1
    in_person = make_session(day=dt.date(year, 6, 18))
    consultation(in_person, sato)
    metaverse = make_session(day=dt.date(year + 1, 1, 20), fmt="metaverse")
    for avatar in ("cat", "dog", "bear", "tea"):
        visit(metaverse, sato, avatar=avatar)

    response = client.get(f"/stats/public?fiscal_year={year}")
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    rows = {m.group(1): m.group(2) for m in re.finditer(r'<th scope="row">([^<]+)</th>(.*?)</tr>', page, re.S)}
    assert re.findall(r'class="num">([^<]*)<', rows["対面"])[:3] == ["1", "&lt;3", "&lt;3"]
    assert re.findall(r'class="num">([^<]*)<', rows["メタバース"])[:3] == ["1", "4", "0"]
    assert "&lt;3" in rows["家族"]


def test_the_public_summary_shows_only_finished_years(client):
    this_year = fiscal_year_of(today_tokyo())
    page = client.get(f"/stats/public?fiscal_year={this_year}").get_data(as_text=True)
    assert "その年度は選べません" in page
    assert f'<option value="{this_year}"' not in page


def test_the_public_threshold_is_configurable(app, client, make_user, make_session, visit):
    app.config["STATS_PUBLIC_THRESHOLD"] = 5
    sato = make_user("sato", role="admin")
    year = fiscal_year_of(today_tokyo()) - 1
    session = make_session(day=dt.date(year, 12, 17), fmt="metaverse")
    for avatar in ("cat", "dog", "bear", "tea"):
        visit(session, sato, avatar=avatar)
    page = client.get(f"/stats/public?fiscal_year={year}").get_data(as_text=True)
    assert "&lt;5" in page and "&lt;3" not in page


def test_a_promoter_is_offered_only_the_records_of_their_own_sessions(client, login_as, make_user, make_session):
    other = make_user("tanaka")
    today = today_tokyo()
    theirs = make_session(day=today + dt.timedelta(days=1), promoters=["tanaka"])
    me = login_as("promoter")
    mine = make_session(day=today + dt.timedelta(days=2), promoters=[me.login])
    page = client.get("/staff/stats").get_data(as_text=True)
    assert f"/staff/stats/sessions/{mine.id}" in page
    assert f"/staff/stats/sessions/{theirs.id}" not in page and "担当外" in page
    assert client.get(f"/staff/stats/sessions/{theirs.id}").status_code == 403
    assert other.login == "tanaka"
