"""The real service in a real browser: one `flask serve` and one Chromium for all browser tests.

The server is the command a city would run (`flask --app wsgi serve`), on a fresh SQLite database
loaded with `flask demo`; the browser is Debian's Chromium driven by Playwright. A missing or broken
browser fails the run: these tests are the proof that residents' pages work, so they never skip.
Fixtures are package-scoped so Playwright's event loop is gone before other test folders run.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from harness.clock import browser_script
from harness.processes import Process, ProcessError, free_port, tcp_answers, wait_until
from webapp.clock import SHIFT, now_tokyo

ROOT = Path(__file__).resolve().parents[2]
#: Debian's Chromium (`playwright install` is not used); CHROMIUM_PATH points elsewhere on other systems.
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).parent / "screenshots"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
TOKYO = dt.timezone(dt.timedelta(hours=9))
PASSWORDS = {"admin": "demo-admin-pass", "sato": "demo-sato-pass", "tanaka": "demo-tanaka-pass"}


# --- the server -------------------------------------------------------------------------------

class Server:
    """The running service: its URLs, the flask CLI against its database, and a staff API client."""

    def __init__(self, env: dict, port: int, relay_port: int, log: Path):
        self.env = env
        self.base_url = f"http://127.0.0.1:{port}"
        self.relay_url = f"ws://127.0.0.1:{relay_port}/ws"
        self.log = log
        self._tokens: dict[str, str] = {}

    def flask(self, *args: str, stdin: str | None = None) -> str:
        """Run `flask --app wsgi ...` on the server's database; a failure shows its output."""
        done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=self.env,
                              input=stdin, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            pytest.fail(f"flask {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def token(self, login: str) -> str:
        if login not in self._tokens:
            self._tokens[login] = self.flask("users", "token", login).strip().splitlines()[-1]
        return self._tokens[login]

    def api(self, method: str, path: str, body: dict | None = None, login: str | None = None):
        """Call /api/v1 like another system would; returns (status, parsed JSON or None)."""
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if login:
            headers["Authorization"] = f"Bearer {self.token(login)}"
        request = urllib.request.Request(f"{self.base_url}/api/v1{path}", data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                raw = response.read()
                return response.status, (json.loads(raw) if raw else None)
        except urllib.error.HTTPError as err:
            raw = err.read()
            return err.code, (json.loads(raw) if raw else None)

    def open_session(self) -> dict:
        """The demo's metaverse session running right now (check-in and the console need it)."""
        today = now_tokyo().date().isoformat()
        status, sessions = self.api("GET", f"/sessions?from={today}&to={today}")
        now = now_tokyo()
        for session in sessions or []:
            starts, ends = (dt.datetime.fromisoformat(session[k]) for k in ("starts_at", "ends_at"))
            if session["status"] == "scheduled" and starts <= now < ends:
                return session
        pytest.fail(f"no session is open now (GET /sessions -> {status}): the demo data should have made one")

    def future_session(self, days: int = 40, capacity: int = 2) -> dict:
        """A new session some weeks ahead, made through the admin API, so its slots can be reserved."""
        day = now_tokyo().date() + dt.timedelta(days=days)
        status, session = self.api("POST", "/sessions", login="admin", body={
            "date": day.isoformat(), "starts_at": f"{day}T13:30:00+09:00", "ends_at": f"{day}T16:30:00+09:00",
            "format": "online", "join_url": "https://example.org/ikomaru-online", "slot_minutes": 30,
            "capacity": capacity, "promoters": ["sato", "tanaka"]})
        assert status == 201, session
        return session


def _not_just_before_midnight() -> None:
    """The demo's open session ends at 23:59 Ikoma time (a session never spans two dates): a run begun in
    the last minutes of the day waits for the new day rather than fail when the session closes under it."""
    def far_from_midnight() -> bool:
        now = now_tokyo()
        midnight = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(0, 0), tzinfo=TOKYO)
        return midnight - now >= dt.timedelta(minutes=12) and now.time() >= dt.time(0, 0, 5)

    if not far_from_midnight():
        print("browser tests: waiting for the new day in Ikoma")
        wait_until(far_from_midnight, timeout=15 * 60, what="the new day in Ikoma", every=1)


@contextlib.contextmanager
def serving(home: Path, **env_overrides: str):
    """`flask --app wsgi serve` with web and relay on free loopback ports, on a demo database in `home`;
    `env_overrides` are the deployment's own settings (e.g. PROFILE for another city)."""
    port, relay_port = free_port(), free_port()
    while relay_port == port:
        relay_port = free_port()
    env = {**os.environ,
           "DATABASE_URL": f"sqlite:///{home / 'app.sqlite3'}",
           "SECRET_KEY": "browser-test-secret-key-not-for-production",
           "RELAY_PUBLIC_URL": f"ws://127.0.0.1:{relay_port}/ws",
           "RATELIMIT_ENABLED": "false",
           "ADMIN_2FA_REQUIRED": "false",  # the demo admin signs in with a password (test_two_factor enrols)
           "PYTHONUNBUFFERED": "1", **env_overrides}
    for name in ("REDIS_URL", "ALLOWED_ORIGINS", "FLASK_APP"):
        env.pop(name, None)
    log = home / "server.log"
    server = Server(env, port, relay_port, log)
    _not_just_before_midnight()
    server.flask("db", "upgrade")
    if "PROFILE" in env_overrides:
        server.flask("profile", "apply")
    server.flask("demo")
    process = Process(["python", "-m", "flask", "--app", "wsgi", "serve", "--host", "127.0.0.1", "--port", str(port),
                       "--relay-port", str(relay_port)], env=env, log=log).start()
    try:
        try:
            process.wait_ready(lambda: tcp_answers(port) and tcp_answers(relay_port), what="`flask serve`")
        except ProcessError as err:
            pytest.fail(str(err))
        yield server
    finally:
        process.stop()


@pytest.fixture(scope="package")
def server(tmp_path_factory):
    """The service under the shipped (Ikoma) profile."""
    with serving(tmp_path_factory.mktemp("browser-server")) as running:
        yield running


# --- the browser ------------------------------------------------------------------------------

@pytest.fixture(scope="package")
def browser():
    """Debian's Chromium; its absence is a failure, never a skip (CI installs it)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as err:
        pytest.fail(f"Playwright for Python is not installed ({err}); run `make test`, which installs it.")
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: install it with `apt-get install -y chromium fonts-noto-cjk` "
                    "(.ci/run does this). Browser tests do not skip.")
    playwright = sync_playwright().start()
    try:
        try:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        except Exception as err:  # noqa: BLE001  (any launch failure must fail the run with its reason)
            pytest.fail(f"{CHROMIUM} does not launch: {err}")
        yield chromium
        chromium.close()
    finally:
        playwright.stop()


class Browsing:
    """Opens browser contexts for one test and remembers their pages for failure screenshots."""

    def __init__(self, browser, server: Server):
        self.browser = browser
        self.server = server
        self.contexts = []
        #: Uncaught script errors and CSP refusals seen on any page: a broken page script fails the test.
        self.script_errors: list[str] = []

    def _watch(self, page) -> None:
        page.on("pageerror", lambda err: self.script_errors.append(f"{page.url}: {err}"))
        page.on("console", lambda msg: msg.type == "error" and "Content Security Policy" in msg.text
                and self.script_errors.append(f"{page.url}: {msg.text}"))

    def context(self, viewport: dict = PHONE, lang: str = "ja", **options):
        """A fresh context (own cookies) with a phone or office-PC viewport, in Japanese or English."""
        context = self.browser.new_context(
            base_url=self.server.base_url, viewport=viewport, locale="ja-JP" if lang == "ja" else "en-US",
            timezone_id="Asia/Tokyo", is_mobile=viewport == PHONE, has_touch=viewport == PHONE, **options)
        context.set_default_timeout(10_000)
        # The browser's Date runs on the same shifted clock as the server (harness/clock.py).
        context.add_init_script(browser_script(round(SHIFT.total_seconds())))
        if lang != "ja":
            context.add_cookies([{"name": "lang", "value": lang, "url": self.server.base_url}])
        context.on("page", self._watch)
        self.contexts.append(context)
        return context

    def page(self, viewport: dict = PHONE, lang: str = "ja"):
        """A new page in its own fresh context."""
        return self.context(viewport, lang).new_page()

    def staff_page(self, login: str, lang: str = "ja", viewport: dict = DESKTOP):
        """A page logged in through the real login form (an office PC unless `viewport` says otherwise)."""
        page = self.page(viewport, lang)
        page.goto("/staff/login")
        page.locator("input[name=login]").fill(login)
        page.locator("input[name=password]").fill(PASSWORDS[login])
        page.locator("form.narrow-form button[type=submit]").click()
        page.wait_for_url(re.compile(r"/staff/$"))
        return page

    def pages(self):
        return [page for context in self.contexts for page in context.pages if not page.is_closed()]

    def close(self):
        for context in self.contexts:
            try:
                context.close()
            except Exception:  # noqa: BLE001  (a context the test already closed)
                pass


@pytest.fixture
def browsing(browser, server):
    """New contexts for each test; all closed afterwards."""
    yield from browsing_on(browser, server)


def browsing_on(browser, server):
    """Browsing on `server` for one test; a page script that failed fails the test."""
    session = Browsing(browser, server)
    yield session
    session.close()
    if session.script_errors:
        pytest.fail("page scripts failed:\n" + "\n".join(session.script_errors))


# --- screenshots on failure -------------------------------------------------------------------

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failure, save what every open page of the test showed: tests/browser/screenshots/<test>-<n>.png."""
    outcome = yield
    report = outcome.get_result()
    if report.passed or report.skipped or report.when == "teardown":
        return
    funcargs = getattr(item, "funcargs", {})
    browsing = funcargs.get("browsing") or funcargs.get("sample_browsing")
    if browsing is None:
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", item.name)
    saved = []
    for n, page in enumerate(browsing.pages(), start=1):
        path = SCREENSHOTS / f"{name}-{n}.png"
        try:
            page.screenshot(path=str(path), full_page=True, timeout=5000)
        except Exception as err:  # noqa: BLE001  (a crashed page: say so, keep the other shots)
            saved.append(f"{path} (not saved: {err})")
            continue
        saved.append(f"{path}  ({page.url})")
    if saved:
        listing = "\n".join(saved)
        print(f"\nScreenshots of {item.nodeid}:\n{listing}")
        report.sections.append(("browser screenshots", listing))
