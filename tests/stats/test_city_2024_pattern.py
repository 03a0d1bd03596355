"""The city's published 令和6年度 figures, rebuilt through the real operations, come out exactly."""
from __future__ import annotations

import csv
import io

import pytest

from webapp.db import db_session
from webapp.sessions.models import Session
from webapp.sessions.operations import generate_fiscal_year, plan_defaults
from webapp.timeutil import third_tuesday


def _session(day):
    return db_session.query(Session).filter(Session.date == day).one()


@pytest.fixture
def city_years(app, make_user, visit, consultation):
    """FY2023 and FY2024 as the city ran them, with the 2024 visits of Heap up! Report Vol.2.

    令和6年度: 4月〜10月 対面とオンラインを隔月、11月〜3月 メタバース; 対面での相談1件、
    メタバースでは5名の訪問（うち相談は1件）; オンラインは0件.
    """
    sato = make_user("sato", role="promoter")
    for year in (2023, 2024):
        generate_fiscal_year(year, plan_defaults(app.config, ["sato"]))
    # 令和6年度
    consultation(_session(third_tuesday(2024, 6)), sato, topics=("family", "money"), result="referred",
                 referred_to="kurashi_shigoto")
    november = _session(third_tuesday(2024, 11))
    consultation(november, sato, topics=("hikikomori",), result="listened", referred_to=None)
    visit(november, sato, avatar="bear")
    visit(_session(third_tuesday(2024, 12)), sato)
    visit(_session(third_tuesday(2025, 1)), sato, avatar="moon")
    visit(_session(third_tuesday(2025, 1)), sato, avatar="tea", minutes=40)
    # 令和5年度: two consultations in person, one online visitor who did not consult.
    consultation(_session(third_tuesday(2023, 4)), sato, topics=("elderly",), result="referred",
                 referred_to="chiiki_houkatsu")
    consultation(_session(third_tuesday(2023, 8)), sato, topics=("children",), result="information",
                 referred_to=None)
    visit(_session(third_tuesday(2023, 5)), sato)
    return sato


def test_the_stats_api_gives_the_citys_2024_figures_with_2023_beside_them(client, city_years, staff_token):
    token = staff_token("promoter")
    body = client.get("/api/v1/stats?fiscal_year=2024", headers={"Authorization": f"Bearer {token}"}).get_json()

    assert body["fiscal_year"] == 2024 and body["label"] == "令和6年度"
    by_format = body["by_format"]
    assert by_format["in_person"].items() >= {"sessions": 4, "visits": 1, "consultations": 1}.items()
    assert by_format["metaverse"].items() >= {"sessions": 5, "visits": 5, "consultations": 1}.items()
    assert by_format["online"].items() >= {"sessions": 3, "visits": 0, "consultations": 0}.items()
    assert {f: v["left_without_consulting"] for f, v in by_format.items()} == {
        "in_person": 0, "online": 0, "metaverse": 0}
    assert [m["month"] for m in body["by_month"]] == [
        "2024-04", "2024-05", "2024-06", "2024-07", "2024-08", "2024-09", "2024-10",
        "2024-11", "2024-12", "2025-01", "2025-02", "2025-03"]
    assert [m["format"] for m in body["by_month"]] == ["in_person", "online"] * 3 + ["in_person"] + ["metaverse"] * 5
    assert [m["visits"] for m in body["by_month"]] == [0, 0, 1, 0, 0, 0, 0, 2, 1, 2, 0, 0]
    assert body["topics"]["family"] == 1 and body["topics"]["money"] == 1 and body["topics"]["hikikomori"] == 1
    assert body["topics"]["elderly"] == 0
    assert body["results"] == {"listened": 1, "information": 0, "referred": 1, "continuing": 0, "other": 0}
    assert body["referrals"]["kurashi_shigoto"] == 1 and sum(body["referrals"].values()) == 1

    previous = body["previous"]
    assert previous["fiscal_year"] == 2023 and previous["label"] == "令和5年度"
    assert previous["by_format"]["in_person"]["consultations"] == 2
    assert previous["by_format"]["online"]["visits"] == 1
    assert previous["by_format"]["online"]["consultations"] == 0
    assert previous["by_format"]["metaverse"]["visits"] == 0
    assert previous["referrals"]["chiiki_houkatsu"] == 1


def _section(rows: list[list[str]], title: str) -> list[list[str]]:
    start = next(i for i, row in enumerate(rows) if row and row[0].startswith(title))
    end = next((i for i in range(start + 1, len(rows)) if not rows[i]), len(rows))
    return rows[start + 1:end]


def test_the_csv_opens_in_excel_and_holds_the_same_figures(client, city_years, staff_token):
    token = staff_token("admin")
    response = client.get("/api/v1/stats.csv?fiscal_year=2024", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="ikomaru-stats-2024.csv"'
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))

    header, *formats = _section(rows, "■形式別")
    table = {row[0]: dict(zip(header, row, strict=True)) for row in formats}
    assert table["対面"]["令和6年度 相談件数"] == "1" and table["対面"]["令和5年度 相談件数"] == "2"
    assert table["メタバース"]["令和6年度 訪問者数"] == "5"
    assert table["メタバース"]["令和6年度 相談件数"] == "1"
    assert table["オンライン"]["令和6年度 訪問者数"] == "0" and table["オンライン"]["令和5年度 訪問者数"] == "1"
    assert table["合計"]["令和6年度 訪問者数"] == "6"

    header, *months = _section(rows, "■月別")
    assert [row[0] for row in months] == ["4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月",
                                          "1月", "2月", "3月"]
    november = dict(zip(header, months[7], strict=True))
    assert november["令和6年度 形式"] == "メタバース" and november["令和6年度 訪問者数"] == "2"

    header, *topics = _section(rows, "■相談内容")
    assert ["家族", "family", "1", "0"] in topics and ["高齢", "elderly", "0", "1"] in topics
    header, *referrals = _section(rows, "■つなぎ先")
    assert ["くらしとしごと支援センター", "kurashi_shigoto", "1", "0"] in referrals


def test_the_staff_page_shows_the_2024_table_and_charts(client, city_years, auth):
    auth.login("sato")
    page = client.get("/staff/stats?fiscal_year=2024").get_data(as_text=True)

    assert "令和6年度（2024年度）" in page and "令和5年度（2023年度）" in page
    assert page.count('role="img"') >= 5
    assert "メタバース 訪問 5人" in page  # the chart's description reads every value

