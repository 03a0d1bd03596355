"""The audit log (CONTRACT §7, issue 14 finding 13): each audited action shows up after it is done, for
admins only, over the API, on the admin page and in its CSV; never with a resident's text; kept as long
as AUDIT_RETENTION_DAYS says."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from tests.api.helpers import future_day
from tests.audit.conftest import API, csrf, table
from webapp.clock import now_tokyo, utcnow
from webapp.db import db_session


def today() -> str:
    return now_tokyo().date().isoformat()


def table_rows(page) -> str:
    """The rows of the page's table (not its filters or menus)."""
    html = page.get_data(as_text=True)
    return html[html.index("<tbody>"):html.index("</tbody>")]


def test_sign_ins_failures_and_sign_outs_are_logged_without_the_password(app, auth, make_user, read_log):
    make_user("sato")
    assert auth.login("sato", "a-wrong-password-typed").status_code == 400
    assert auth.login("nobody-here", "another-guess-typed").status_code == 400
    auth.login("sato")
    auth.logout()
    log = read_log()
    assert ("", "login_failed", "user:sato") in log
    assert ("", "login_failed", "") in log  # a login that is no account is not written down
    assert ("sato", "login", "user:sato") in log and ("sato", "logout", "user:sato") in log
    assert [a for a in log if a[1] == "login"] == [("sato", "login", "user:sato")]
    rows = table()
    for secret in ("a-wrong-password-typed", "another-guess-typed", "correct-horse-battery", "nobody-here"):
        assert secret not in rows


def test_an_admins_account_changes_are_logged_with_the_admin_as_actor(client, auth, make_user, read_log):
    make_user("boss", role="admin")
    auth.login("boss")
    page = "/admin/users/new"
    assert client.post(page, data={"csrf_token": csrf(client, page), "login": "newcomer", "role": "promoter",
                                   "display_name": "新しい推進員", "password": "long-enough-pass"}).status_code == 302
    from webapp.staff.operations import by_login

    user_id = by_login("newcomer").id
    db_session.remove()
    edit = f"/admin/users/{user_id}"
    for action in ("/password", "/active", "/active", "/tokens", "/tokens/revoke"):
        data = {"csrf_token": csrf(client, edit), "password": "another-long-pass"}
        assert client.post(edit + action, data=data).status_code in (200, 302, 303), action
    log = read_log()
    for action in ("user_create", "password_change", "user_deactivate", "user_activate", "token_issue",
                   "token_revoke"):
        assert ("boss", action, "user:newcomer") in log, action


def test_sessions_created_changed_and_cancelled_over_the_api_are_logged(client, make_user, read_log):
    from webapp.staff.operations import issue_api_token

    headers = {"Authorization": f"Bearer {issue_api_token(make_user('boss', role='admin'))}"}
    body = {"date": future_day().isoformat(), "starts_at": "13:30", "ends_at": "16:30", "format": "online",
            "slot_minutes": 30, "capacity": 2, "promoters": []}
    created = client.post("/api/v1/sessions", json=body, headers=headers).get_json()
    target = f"session:{created['id']}"
    assert client.patch(f"/api/v1/sessions/{created['id']}", json={"location": "図書館"},
                        headers=headers).status_code == 200
    assert client.patch(f"/api/v1/sessions/{created['id']}", json={"status": "cancelled"},
                        headers=headers).status_code == 200
    log = read_log()
    assert [e for e in log if e[2] == target] == [
        ("boss", "session_create", target), ("boss", "session_update", target), ("boss", "session_cancel", target)]


def test_the_log_is_for_admins_only_and_bad_dates_are_400_in_the_contracts_shape(client, staff_token, read_log):
    read_log()
    assert client.get(API).status_code == 401
    promoter = {"Authorization": f"Bearer {staff_token('promoter')}"}
    refused = client.get(API, headers=promoter)
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    admin = {"Authorization": f"Bearer {staff_token('admin')}"}
    for query in ({"from": "2026-02-30"}, {"to": "yesterday"}, {"from": "2026-12-02", "to": "2026-12-01"}):
        answer = client.get(API, query_string=query, headers=admin)
        assert answer.status_code == 400, query
        assert set(answer.get_json()["error"]) == {"code", "message"}


def test_events_come_oldest_first_and_dates_are_days_in_ikoma(client, make_user, read_log):
    from webapp.staff.operations import issue_api_token

    headers = {"Authorization": f"Bearer {issue_api_token(make_user('boss', role='admin'))}"}
    first = client.post("/api/v1/sessions", headers=headers, json={
        "date": future_day().isoformat(), "starts_at": "13:30", "ends_at": "16:30", "format": "online",
        "slot_minutes": 30, "capacity": 2, "promoters": []}).get_json()
    client.patch(f"/api/v1/sessions/{first['id']}", json={"location": "図書館"}, headers=headers)
    answer = client.get(API, query_string={"from": today(), "to": today()}, headers=headers).get_json()
    assert [e["action"] for e in answer][-2:] == ["session_create", "session_update"]
    assert all(e["at"].endswith("+09:00") for e in answer)
    assert [e["at"] for e in answer] == sorted(e["at"] for e in answer)
    tomorrow = (now_tokyo().date() + dt.timedelta(days=1)).isoformat()
    assert read_log(**{"from": tomorrow}) == []


def test_admins_see_the_log_as_a_page_filter_it_and_export_it_as_csv_for_excel(client, auth, make_user):
    make_user("boss", role="admin")
    make_user("sato")
    auth.login("sato")
    auth.logout()
    auth.login("boss")
    page = client.get("/admin/audit")
    assert page.status_code == 200 and "操作の記録（監査ログ）" in page.get_data(as_text=True)
    rows = table_rows(page)
    assert "ログイン（成功）" in rows
    assert rows.index("boss") < rows.index("sato")  # newest first
    assert 'href="/admin/audit"' in client.get("/staff/").get_data(as_text=True)  # in the admin navigation

    only_logouts = table_rows(client.get("/admin/audit", query_string={"action": "logout"}))
    assert "ログアウト" in only_logouts and "ログイン（成功）" not in only_logouts
    csv = client.get("/admin/audit.csv", query_string={"action": "login", "actor": "sato", "from": today()})
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    body = csv.get_data()
    assert body.startswith("\ufeff".encode())
    lines = body.decode("utf-8-sig").strip().splitlines()
    assert lines[0] == "日時,操作した人,操作の種類,操作の名前,対象"
    assert len(lines) == 2 and lines[1].endswith(",sato,ログイン（成功）,login,user:sato")

    english = client.get("/admin/audit", query_string={"lang": "en"})
    assert "Activity log (audit)" in english.get_data(as_text=True) and "Signed in" in table_rows(english)


def test_a_bad_date_on_the_page_is_explained_next_to_the_field(client, auth, make_user):
    make_user("boss", role="admin")
    auth.login("boss")
    answer = client.get("/admin/audit", query_string={"from": "2026-13-40"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert 'id="from-error"' in html and "年-月-日で入れてください" in html
    assert 'aria-invalid="true"' in html and "autofocus" in html


def test_promoters_cannot_open_the_page_or_the_csv(client, auth, make_user):
    make_user("sato")
    auth.login("sato")
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/audit.csv").status_code == 403


def test_purge_deletes_events_past_the_retention_and_is_itself_logged(app, runner, make_user, read_log):
    from webapp.audit.operations import record

    record(None, "session_create", "session:1")
    record(None, "session_update", "session:1")
    db_session.execute(text("UPDATE audit_events SET at = :old WHERE action = 'session_create'"),
                       {"old": utcnow().replace(tzinfo=None) - dt.timedelta(days=401)})
    db_session.commit()
    db_session.remove()
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "deleted 1 audit events" in result.output
    log = read_log()
    assert ("(system)", "session_create", "session:1") not in log
    assert ("(system)", "session_update", "session:1") in log
    assert [e for e in log if e[1] == "purge"][0][0] == "(cli)"
