"""An admin manages staff accounts: create, edit, password, deactivate, API tokens."""
from __future__ import annotations

import re

from webapp.staff.operations import authenticate, by_login, user_for_api_token

from .conftest import text_of


def test_an_admin_creates_an_account_that_can_log_in(client, admin, submit):
    page = submit("/admin/users/new", "/admin/users/new",
                  {"login": "tanaka", "display_name": "主任推進員 たなか", "role": "promoter",
                   "password": "a-long-password"})
    assert "アカウント「tanaka」を作成しました。" in text_of(page)
    assert authenticate("tanaka", "a-long-password") is not None
    listing = text_of(client.get("/admin/users"))
    assert "tanaka" in listing and "主任推進員 たなか" in listing


def test_account_mistakes_are_shown_next_to_the_field(client, admin, submit):
    short = submit("/admin/users/new", "/admin/users/new",
                   {"login": "tanaka", "display_name": "たなか", "role": "promoter", "password": "short"})
    assert short.status_code == 400 and 'id="password-error"' in short.get_data(as_text=True)
    taken = submit("/admin/users/new", "/admin/users/new",
                   {"login": "admin1", "display_name": "x", "role": "promoter", "password": "a-long-password"})
    assert "このログイン名はすでに使われています。" in text_of(taken)


def test_an_admin_edits_display_name_and_role(client, admin, make_user, submit):
    user = make_user("tanaka")
    submit(f"/admin/users/{user.id}", f"/admin/users/{user.id}", {"display_name": "たなか", "role": "admin"})
    user = by_login("tanaka")
    assert user.display_name == "たなか" and user.role == "admin"


def test_an_admin_sets_a_new_password(client, admin, make_user, submit):
    user = make_user("tanaka")
    page = submit(f"/admin/users/{user.id}", f"/admin/users/{user.id}/password", {"password": "another-long-one"})
    assert "新しいパスワードを設定しました。" in text_of(page)
    assert authenticate("tanaka", "another-long-one") is not None


def test_a_new_password_signs_the_account_out_everywhere_else(app, client, admin, make_user, submit):
    from tests.conftest import Auth

    make_user("tanaka")
    elsewhere = app.test_client()  # tanaka's own browser, signed in before the change
    Auth(elsewhere).login("tanaka")
    assert elsewhere.get("/staff/").status_code == 200
    user = by_login("tanaka")
    submit(f"/admin/users/{user.id}", f"/admin/users/{user.id}/password", {"password": "another-long-one"})
    assert elsewhere.get("/staff/").status_code == 302  # back to the login page
    assert Auth(elsewhere).login("tanaka", "another-long-one").request.path == "/staff/"


def test_an_admin_who_changes_their_own_password_stays_signed_in(client, admin, submit):
    page = submit(f"/admin/users/{admin.id}", f"/admin/users/{admin.id}/password", {"password": "my-new-long-one"})
    assert "新しいパスワードを設定しました。" in text_of(page)
    assert client.get("/admin/users").status_code == 200


def test_deactivating_and_reactivating_an_account(client, admin, make_user, submit):
    user = make_user("tanaka")
    submit(f"/admin/users/{user.id}", f"/admin/users/{user.id}/active")
    assert authenticate("tanaka", "correct-horse-battery") is None
    assert "無効" in text_of(client.get("/admin/users"))
    submit(f"/admin/users/{user.id}", f"/admin/users/{user.id}/active")
    assert authenticate("tanaka", "correct-horse-battery") is not None


def test_an_admin_cannot_deactivate_or_demote_themselves(client, admin, submit):
    page = submit(f"/admin/users/{admin.id}", f"/admin/users/{admin.id}/active")
    assert "自分自身のアカウントは無効にできません。" in text_of(page)
    demote = submit(f"/admin/users/{admin.id}", f"/admin/users/{admin.id}",
                    {"display_name": "管理者", "role": "promoter"})
    assert demote.status_code == 400
    assert by_login("admin1").role == "admin" and by_login("admin1").active


def test_a_token_is_shown_once_with_a_warning_and_can_be_revoked(client, admin, make_user, submit):
    user = make_user("tanaka")
    page = submit(f"/admin/users/{user.id}", f"/admin/users/{user.id}/tokens")
    html = page.get_data(as_text=True)
    token = re.search(r'<p class="token-box" id="new-token">([^<]+)</p>', html).group(1)
    assert "この一度しか表示されません" in html
    assert page.headers["Cache-Control"] == "no-store"
    assert user_for_api_token(token).login == "tanaka"
    assert token not in client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    submit(f"/admin/users/{user.id}", f"/admin/users/{user.id}/tokens/revoke")
    assert user_for_api_token(token) is None


def test_account_pages_render_in_english(client, admin):
    assert "Manage accounts" in text_of(client.get("/admin/users?lang=en"))
    assert "Create an account" in text_of(client.get("/admin/users/new?lang=en"))
    assert "Set a new password" in text_of(client.get(f"/admin/users/{admin.id}?lang=en"))
