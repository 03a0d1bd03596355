"""Issue 14, finding 11: the access log of a real `flask serve` holds no reservation code and no feed token."""
from __future__ import annotations

import os
import urllib.error
import urllib.request

from harness.processes import Process, free_port, http_answers
from tests.conftest import SECRET
from webapp.db import db_session


def _get(port: int, path: str) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def test_the_access_log_redacts_reservation_codes_and_feed_tokens(database_url, make_user, make_session, tmp_path):
    from webapp.reservations.operations import reserve
    from webapp.staff.operations import rotate_feed_token

    sato = make_user("sato")
    session = make_session(promoters=["sato"])
    code = reserve(session.slots[0].id).code
    feed = rotate_feed_token(sato)
    db_session.remove()
    web, relay_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "RELAY_PUBLIC_URL", "ALLOWED_ORIGINS")}
    env.update(DATABASE_URL=database_url, SECRET_KEY=SECRET, RATELIMIT_ENABLED="false")
    serve = Process(["python", "-m", "flask", "--app", "wsgi", "serve", "--host", "127.0.0.1", "--port", str(web),
                     "--relay-port", str(relay_port)], env=env, log=tmp_path / "serve.log").start()
    try:
        serve.wait_ready(lambda: http_answers(web, "/help"), what="`flask serve`")
        assert _get(web, f"/calendars/staff/{feed}.ics") == 200
        assert _get(web, f"/reservations/{code}") == 200
        assert _get(web, f"/api/v1/reservations/{code.lower()}") == 200
        assert _get(web, f"/api/v1/reservations/{code}.ics") == 200
        assert _get(web, f"/sessions/{session.id}/checkin?reservation_code={code}") in (200, 409)
    finally:
        serve.stop()
    log = serve.log()
    assert '"GET /calendars/staff/[redacted].ics HTTP/1.1" 200' in log  # the request is logged...
    for secret in (feed, code, code.lower(), code.replace("-", "")):
        assert secret not in log  # ...without its secret


def test_gunicorns_access_log_with_its_default_format_holds_no_address_and_no_code(database_url, make_session,
                                                                                     tmp_path):
    """Even with gunicorn's default --access-logformat (which starts with the client address, %(h)s)."""
    from webapp.reservations.operations import reserve

    code = reserve(make_session().slots[0].id).code
    db_session.remove()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "RELAY_PUBLIC_URL", "ALLOWED_ORIGINS")}
    env.update(DATABASE_URL=database_url, SECRET_KEY=SECRET, RATELIMIT_ENABLED="false")
    access = tmp_path / "access.log"
    web = Process(["python", "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
                   "--access-logfile", str(access), "--logger-class", "webapp.accesslog.RedactingLogger", "wsgi:app"],
                  env=env, log=tmp_path / "gunicorn.log").start()
    try:
        web.wait_ready(lambda: http_answers(port, "/help"), what="gunicorn")
        assert _get(port, f"/reservations/{code}") == 200
    finally:
        web.stop()
    log = access.read_text()
    assert '"GET /reservations/[redacted] HTTP/1.1" 200' in log
    assert "127.0.0.1" not in log and code not in log
