"""Staff sign-in, the promoter's own sessions, and who may open which page."""
from __future__ import annotations

import datetime as dt

import pytest

from .conftest import csrf_from, text_of

DAY = dt.date(2030, 5, 21)


def test_staff_log_in_and_out_through_the_forms(client, make_user, auth):
    make_user("sato")
    page = auth.login("sato")
    assert page.request.path == "/staff/"
    assert "主任推進員 sato さん（主任推進員）としてログインしています。" in text_of(page)
    page = auth.logout()
    assert page.request.path == "/"
    assert "ログアウトしました。" in text_of(page)
    assert client.get("/staff/").status_code == 302


def test_a_wrong_password_and_an_unknown_login_get_the_same_message(client, make_user, auth):
    make_user("sato")
    wrong = auth.login("sato", "not-the-password")
    unknown = auth.login("nobody", "not-the-password")
    assert wrong.status_code == unknown.status_code == 400
    message = "ログイン名またはパスワードが違います。"
    assert message in text_of(wrong) and message in text_of(unknown)
    assert client.get("/staff/").status_code == 302


def test_a_deactivated_account_cannot_log_in(client, make_user, auth):
    from webapp.staff.operations import update_user

    update_user(make_user("sato"), active=False)
    assert "ログイン名またはパスワードが違います。" in text_of(auth.login("sato"))


@pytest.mark.parametrize("path", ["/staff/", "/admin/sessions", "/admin/sessions/new", "/admin/users"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login?next=")
    page = client.get(response.headers["Location"])
    assert "職員ページを見るにはログインしてください。" in text_of(page)


def test_login_goes_back_to_the_asked_page_but_never_off_site(client, make_user):
    make_user("boss", role="admin")

    def login_with(next_value):
        page = client.get("/staff/login", query_string={"next": next_value}).get_data(as_text=True)
        return client.post("/staff/login", data={"login": "boss", "password": "correct-horse-battery",
                                                "next": next_value, "csrf_token": csrf_from(page)})

    assert login_with("/admin/sessions").headers["Location"] == "/admin/sessions"
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        client.post("/staff/logout", data={"csrf_token": csrf_from(client.get("/staff/").get_data(as_text=True))})
        assert login_with(evil).headers["Location"] == "/staff/"


def test_a_promoter_sees_only_their_own_upcoming_sessions(client, make_user, make_session, auth):
    make_user("sato")
    make_user("tanaka")
    mine = make_session(day=DAY, promoters=["sato"])
    make_session(day=dt.date(2030, 6, 18), promoters=["tanaka"])
    make_session(day=dt.date(2020, 6, 16), promoters=["sato"])  # long over
    page = text_of(auth.login("sato"))
    assert "担当の相談会" in page
    assert "2030年5月21日（火）" in page
    assert "2030年6月18日（火）" not in page and "2020年6月16日" not in page
    console = client.get("/staff/").get_data(as_text=True)
    if "checkins.console" in client.application.view_functions:
        assert f'/sessions/{mine.id}/console' in console or "当日の画面を開く" in console
    assert "/admin/sessions" not in console


def test_an_admin_sees_every_upcoming_session_and_the_admin_links(client, make_user, make_session, auth):
    make_user("boss", role="admin")
    make_user("tanaka")
    make_session(day=DAY, promoters=["tanaka"])
    html = auth.login("boss").get_data(as_text=True)
    assert "今後の相談会（すべて）" in html and "2030年5月21日（火）" in html
    assert 'href="/admin/sessions"' in html and 'href="/admin/users"' in html


@pytest.mark.parametrize("path", ["/admin/sessions", "/admin/sessions/new", "/admin/sessions/generate",
                                  "/admin/users", "/admin/users/new"])
def test_a_promoter_gets_403_on_admin_pages(client, make_user, auth, path):
    make_user("sato")
    auth.login("sato")
    response = client.get(path)
    assert response.status_code == 403
    assert "このページを見る権限がありません。" in text_of(response)


def test_a_promoter_cannot_post_to_admin_pages_either(client, make_user, make_session, auth):
    make_user("sato")
    session = make_session(day=DAY)
    auth.login("sato")
    token = csrf_from(client.get("/staff/").get_data(as_text=True))
    response = client.post(f"/admin/sessions/{session.id}/cancel", data={"csrf_token": token})
    assert response.status_code == 403
    assert session.status == "scheduled"


def test_logout_without_csrf_token_is_refused(client, make_user, auth):
    make_user("sato")
    auth.login("sato")
    assert client.post("/staff/logout", data={}).status_code == 400
    assert client.get("/staff/").status_code == 200


def test_staff_pages_render_in_english(client, make_user, make_session, auth):
    make_user("sato")
    make_session(day=DAY, promoters=["sato"])
    assert "Staff login" in text_of(client.get("/staff/login?lang=en"))
    auth.login("sato")
    page = text_of(client.get("/staff/?lang=en"))
    assert "Your sessions" in page and "Logged in as 主任推進員 sato (Promoter)." in page
    assert "Tue 21 May 2030" in page
