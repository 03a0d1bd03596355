"""Who may read the figures, and what a bad fiscal year gets."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("path", ["/api/v1/stats?fiscal_year=2024", "/api/v1/stats.csv?fiscal_year=2024"])
def test_anonymous_callers_are_refused_with_the_error_shape(client, path):
    response = client.get(path)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("role", ["promoter", "admin"])
def test_promoters_and_admins_may_read_the_figures(client, staff_token, role):
    headers = {"Authorization": f"Bearer {staff_token(role)}"}
    assert client.get("/api/v1/stats?fiscal_year=2024", headers=headers).status_code == 200
    assert client.get("/api/v1/stats.csv?fiscal_year=2024", headers=headers).status_code == 200


def test_an_unknown_token_is_refused(client):
    response = client.get("/api/v1/stats?fiscal_year=2024", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401


@pytest.mark.parametrize("query", ["", "?fiscal_year=", "?fiscal_year=R6", "?fiscal_year=24",
                                   "?fiscal_year=1999", "?fiscal_year=２０２４", "?fiscal_year=2024.0"])
@pytest.mark.parametrize("path", ["/api/v1/stats", "/api/v1/stats.csv"])
def test_a_missing_or_bad_fiscal_year_is_a_400_the_caller_can_act_on(client, staff_token, path, query):
    response = client.get(path + query, headers={"Authorization": f"Bearer {staff_token('admin')}"})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_fiscal_year" and "fiscal_year" in error["message"]


def test_a_logged_in_staff_member_can_download_the_csv_from_the_page(client, login_as):
    login_as("promoter")
    response = client.get("/api/v1/stats.csv?fiscal_year=2024")
    assert response.status_code == 200
    assert response.data.decode("utf-8-sig").startswith("いこまる相談会 実績")


def test_a_year_without_sessions_gives_zeros_not_an_error(client, staff_token):
    body = client.get("/api/v1/stats?fiscal_year=2031",
                      headers={"Authorization": f"Bearer {staff_token('admin')}"}).get_json()
    assert body["label"] == "令和13年度"
    assert all(v["sessions"] == 0 and v["median_wait_s"] is None for v in body["by_format"].values())
    assert len(body["by_month"]) == 12 and body["by_month"][0]["format"] is None
    assert body["previous"]["fiscal_year"] == 2030
