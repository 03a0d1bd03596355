"""Issue 14, finding 3: a staff sign-in lives on the server. Logging out, idling, the absolute limit and
"sign out everywhere" end it, and the same cookie sent again is not signed in (CONTRACT §7).

The clock is moved by changing the session rows' timestamps in the database, never by sleeping.
"""
from __future__ import annotations

import datetime as dt

from flask_login.utils import encode_cookie
from sqlalchemy import update

from tests.conftest import Auth
from webapp.db import db_session, utcnow
from webapp.staff.models import StaffSession


def _signed_in(client) -> bool:
    """Whether `client` reaches the staff menu (else it is sent to the login page)."""
    return client.get("/staff/").status_code == 200


def _browser(app, login: str):
    """A browser of its own, signed in through the real login form."""
    browser = app.test_client()
    Auth(browser).login(login)
    assert _signed_in(browser)
    return browser


def _move_clock(user, **timestamps: dt.timedelta) -> None:
    """Make every session of `user` look as if `timestamps` (e.g. last_seen_at=2 h) had passed."""
    db_session.execute(update(StaffSession).where(StaffSession.user_id == user.id)
                       .values({name: utcnow() - ago for name, ago in timestamps.items()}))
    db_session.commit()


def test_after_logout_the_same_cookie_sent_again_is_not_signed_in(app, client, make_user, auth):
    make_user("sato")
    auth.login("sato")
    cookie = client.get_cookie("session").value
    assert _signed_in(client)
    auth.logout()

    replay = app.test_client()
    replay.set_cookie("session", cookie)
    assert not _signed_in(replay)
    assert replay.get("/api/v1/realtime/token").status_code == 401


def test_the_login_cookie_holds_no_account_id_and_the_database_no_cookie(app, client, make_user, auth):
    user = make_user("sato")
    auth.login("sato")
    with client.session_transaction() as cookie:
        key = cookie["_user_id"]
    assert str(user.id) != key and len(key) >= 40
    rows = db_session.query(StaffSession).all()
    assert len(rows) == 1 and rows[0].user_id == user.id and rows[0].id != key  # only a hash is kept


def test_a_remember_me_cookie_obeys_the_server_side_session_too(app, client, make_user, auth):
    make_user("sato")
    auth.login("sato")
    with client.session_transaction() as cookie:
        key = cookie["_user_id"]
    remembered = app.test_client()
    remembered.set_cookie("remember_token", encode_cookie(key))
    assert _signed_in(remembered)  # while the session lives, flask-login's remember cookie would work
    auth.logout()
    stale = app.test_client()
    stale.set_cookie("remember_token", encode_cookie(key))
    assert not _signed_in(stale)


def test_two_hours_without_a_request_end_a_session(client, make_user, auth):
    user = make_user("sato")
    auth.login("sato")
    _move_clock(user, last_seen_at=dt.timedelta(minutes=119))
    assert _signed_in(client)  # still inside the idle time, and this request starts it again
    _move_clock(user, last_seen_at=dt.timedelta(minutes=121))
    assert not _signed_in(client)
    assert not _signed_in(client)  # and it stays ended


def test_a_request_starts_the_idle_time_again_but_not_on_every_request(client, make_user, auth):
    user = make_user("sato")
    auth.login("sato")
    _move_clock(user, last_seen_at=dt.timedelta(minutes=100))
    assert _signed_in(client)
    row = db_session.query(StaffSession).filter_by(user_id=user.id).one()
    db_session.refresh(row)
    assert utcnow() - row.last_seen_at < dt.timedelta(minutes=1)

    _move_clock(user, last_seen_at=dt.timedelta(seconds=20))
    db_session.refresh(row)
    seen = row.last_seen_at
    assert _signed_in(client) and _signed_in(client)
    db_session.refresh(row)
    assert row.last_seen_at == seen  # within a minute of the last write: no write per request


def test_the_idle_time_is_a_setting(app, client, make_user, auth):
    app.config["STAFF_IDLE_TIMEOUT_MINUTES"] = 5
    user = make_user("sato")
    auth.login("sato")
    _move_clock(user, last_seen_at=dt.timedelta(minutes=6))
    assert not _signed_in(client)


def test_twelve_hours_after_sign_in_a_session_ends_however_busy(client, make_user, auth):
    user = make_user("sato")
    auth.login("sato")
    _move_clock(user, created_at=dt.timedelta(hours=11, minutes=59), last_seen_at=dt.timedelta(seconds=0))
    assert _signed_in(client)
    _move_clock(user, created_at=dt.timedelta(hours=12, minutes=1), last_seen_at=dt.timedelta(seconds=0))
    assert not _signed_in(client)


def test_the_absolute_limit_is_a_setting(app, client, make_user, auth):
    app.config["STAFF_SESSION_MAX_HOURS"] = 1
    user = make_user("sato")
    auth.login("sato")
    _move_clock(user, created_at=dt.timedelta(minutes=61), last_seen_at=dt.timedelta(seconds=0))
    assert not _signed_in(client)


def test_sign_out_everywhere_ends_every_browser_of_that_person_only(app, make_user):
    from tests.pages.conftest import csrf_from

    make_user("sato")
    make_user("tanaka")
    office, phone, colleague = _browser(app, "sato"), _browser(app, "sato"), _browser(app, "tanaka")
    home = office.get("/staff/").get_data(as_text=True)
    assert "すべての端末でログアウトする" in home and "2台" in home
    answer = office.post("/staff/sign-out-everywhere", data={"csrf_token": csrf_from(home)}, follow_redirects=True)
    assert "すべての端末でログアウトしました。" in answer.get_data(as_text=True)
    assert not _signed_in(office) and not _signed_in(phone)
    assert _signed_in(colleague)
    assert _signed_in(_browser(app, "sato"))  # signing in again works


def test_an_admin_signs_an_account_out_everywhere_from_its_page(app, make_user):
    from tests.pages.conftest import csrf_from

    sato = make_user("sato")
    make_user("boss", role="admin")
    office, phone, admin = _browser(app, "sato"), _browser(app, "sato"), _browser(app, "boss")
    page = admin.get(f"/admin/users/{sato.id}").get_data(as_text=True)
    assert "すべての端末でログアウトさせる" in page
    answer = admin.post(f"/admin/users/{sato.id}/sign-out", data={"csrf_token": csrf_from(page)},
                        follow_redirects=True)
    assert "このアカウントをすべての端末でログアウトさせました。" in answer.get_data(as_text=True)
    assert not _signed_in(office) and not _signed_in(phone)
    assert _signed_in(admin)



def test_purge_removes_ended_sign_ins_and_keeps_live_ones(app, runner, make_user):
    make_user("sato")
    ended, live = _browser(app, "sato"), _browser(app, "sato")
    Auth(ended).logout()
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0 and "removed 1 ended staff sign-ins" in result.output
    assert db_session.query(StaffSession).count() == 1
    assert _signed_in(live)
