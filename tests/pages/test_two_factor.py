"""Two-step sign-in through the real pages: enrolment, the code at sign-in, recovery codes, the admin rule."""
from __future__ import annotations

import re
import time

import pyotp
import pytest
import qrcode
import qrcode.image.svg
from sqlalchemy import text

from tests.pages.conftest import csrf_from, text_of
from tests.pages.test_language_of_parts import assert_english, audit
from webapp.db import Base, db_session

PASSWORD = "correct-horse-battery"
RECOVERY = re.compile(r"<li>([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})</li>")


def code_at(secret: str, offset_s: float = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + offset_s)


def next_code(secret: str) -> str:
    """The code of the next 30-second step: accepted (clocks may differ by a step) and never used yet."""
    return code_at(secret, 30)


def wrong_code(secret: str) -> str:
    """Six digits that are no code of the steps around now."""
    near = {code_at(secret, 30 * k) for k in range(-3, 4)}
    return next(c for c in (f"{n:06d}" for n in range(123456, 999999, 7919)) if c not in near)


def secret_on(html: str) -> str:
    """The setup key as the page shows it for typing (groups of four)."""
    shown = re.search(r'id="secret-key">(.*?)</p>', html, re.S).group(1)
    return re.sub(r"<[^>]+>|\s", "", shown)


class Staff:
    """One browser's sign-in steps, through the forms."""

    def __init__(self, client, login: str):
        self.client, self.login = client, login

    def post(self, page: str, action: str, data: dict, prefix: str = ""):
        token = csrf_from(self.client.get(page).get_data(as_text=True), prefix)
        return self.client.post(action, data={f"{prefix}csrf_token": token, **{prefix + k: v for k, v in data.items()}})

    def password(self):
        return self.post("/staff/login", "/staff/login", {"login": self.login, "password": PASSWORD})

    def code(self, **fields):
        return self.post("/staff/login", "/staff/login/verify", fields)  # the token of this browser's session

    def enrol(self) -> tuple[str, list[str]]:
        """Set up from the secret the page shows; returns it and the recovery codes shown."""
        secret = secret_on(self.client.get("/staff/two-factor/setup").get_data(as_text=True))
        shown = self.post("/staff/two-factor/setup", "/staff/two-factor/setup", {"code": code_at(secret)})
        assert shown.status_code == 200, text_of(shown)
        return secret, RECOVERY.findall(shown.get_data(as_text=True))

    def logout(self):
        return self.post("/staff/", "/staff/logout", {})

    def signed_in(self) -> bool:
        return self.client.get("/staff/").status_code == 200


@pytest.fixture
def sato(app, make_user):
    make_user("sato")
    staff = Staff(app.test_client(), "sato")
    assert staff.password().headers["Location"] == "/staff/"
    return staff


@pytest.fixture
def enrolled(sato):
    """sato with two-step sign-in set up, signed out again; .secret and .recovery kept."""
    sato.secret, sato.recovery = sato.enrol()
    sato.logout()
    return sato


def test_a_promoter_enrols_with_a_code_from_the_shown_secret_and_sees_ten_recovery_codes_once(sato):
    assert "状態: 未設定" in text_of(sato.client.get("/staff/two-factor"))
    setup = sato.client.get("/staff/two-factor/setup")
    html = setup.get_data(as_text=True)
    assert re.search(r'<svg[^>]*role="img"[^>]*aria-labelledby="qr-title"', html)  # drawn here, no outside image
    assert 'id="qr-title">認証アプリで読み取るQRコード</title>' in html and "<img" not in html
    assert re.search(r'inputmode="numeric"', html) and 'autocomplete="one-time-code"' in html
    assert setup.headers["Cache-Control"] == "no-store"
    secret = secret_on(html)
    assert secret == secret_on(sato.client.get("/staff/two-factor/setup").get_data(as_text=True))  # a reload keeps it
    uri = pyotp.TOTP(secret).provisioning_uri(name="sato", issuer_name="いこまる相談会")
    drawn = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathFillImage).to_string(encoding="unicode")
    assert re.search(r' d="([^"]+)"', drawn).group(1) in html  # the QR code holds the same key as the text

    shown = sato.post("/staff/two-factor/setup", "/staff/two-factor/setup", {"code": code_at(secret)})
    codes = RECOVERY.findall(shown.get_data(as_text=True))
    assert len(set(codes)) == 10 and shown.headers["Cache-Control"] == "no-store"
    assert "このコードはこの一度しか表示されません。" in text_of(shown)
    status = sato.client.get("/staff/two-factor").get_data(as_text=True)
    assert "状態: 設定済み" in status and "使える回復コード: 10個" in status
    assert not any(code in status for code in codes)


def test_a_wrong_first_code_does_not_turn_it_on(sato):
    secret = secret_on(sato.client.get("/staff/two-factor/setup").get_data(as_text=True))
    refused = sato.post("/staff/two-factor/setup", "/staff/two-factor/setup", {"code": wrong_code(secret)})
    assert refused.status_code == 400
    assert "確認コードが違います。" in text_of(refused)
    assert "状態: 未設定" in text_of(sato.client.get("/staff/two-factor"))


def test_after_enrolment_the_password_alone_does_not_sign_in_and_the_code_does(enrolled):
    step = enrolled.password()
    assert step.headers["Location"] == "/staff/login/verify"
    assert not enrolled.signed_in()
    assert enrolled.client.get("/admin/users").headers["Location"].startswith("/staff/login")
    done = enrolled.code(code=next_code(enrolled.secret))
    assert done.status_code == 302 and done.headers["Location"] == "/staff/"
    assert enrolled.signed_in()


def test_a_wrong_code_is_refused_with_a_message_next_to_the_field_and_the_summary_focused(enrolled):
    enrolled.password()
    refused = enrolled.code(code=wrong_code(enrolled.secret))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert re.search(r'<p class="field-error" id="code-error">確認コードが違うか、すでに使われています。', html)
    field = re.search(r"<input[^>]*id=\"code\"[^>]*>", html).group(0)
    assert 'aria-invalid="true"' in field and "code-error" in field and 'inputmode="numeric"' in field
    assert re.search(r'class="form-errors error-summary"[^>]*autofocus', html)
    assert '<a href="#code">' in html
    assert not enrolled.signed_in()


def test_a_code_that_signed_in_once_is_refused_when_sent_again(enrolled):
    used = next_code(enrolled.secret)
    enrolled.password()
    assert enrolled.code(code=used).headers["Location"] == "/staff/"
    enrolled.logout()
    enrolled.password()
    replayed = enrolled.code(code=used)
    assert replayed.status_code == 400 and "すでに使われています" in text_of(replayed)
    assert not enrolled.signed_in()


def test_a_recovery_code_signs_in_once_as_people_type_it_and_is_then_used_up(enrolled):
    code = enrolled.recovery[3]
    enrolled.password()
    typed = code.lower().replace("-", " ").replace("A", "Ａ").replace("a", "ａ")  # lower case, spaces, full width
    done = enrolled.code(recovery_code=typed)
    assert done.headers["Location"] == "/staff/"
    assert "残りは9個です" in text_of(enrolled.client.get("/staff/"))
    enrolled.logout()
    enrolled.password()
    again = enrolled.code(recovery_code=code)
    html = again.get_data(as_text=True)
    assert again.status_code == 400
    assert re.search(r'id="recovery_code-error">回復コードが違うか、すでに使われています。', html)
    assert '<details class="recovery-details" open>' in html
    assert not enrolled.signed_in()


def test_five_wrong_codes_end_the_pending_sign_in(enrolled):
    enrolled.password()
    for _ in range(4):
        assert enrolled.code(code=wrong_code(enrolled.secret)).status_code == 400
    ended = enrolled.code(code=wrong_code(enrolled.secret))
    assert ended.headers["Location"] == "/staff/login"
    assert "確認コードが5回違ったため" in text_of(enrolled.client.get("/staff/login"))
    late = enrolled.code(code=next_code(enrolled.secret))
    assert late.headers["Location"] == "/staff/login" and not enrolled.signed_in()
    enrolled.password()  # the password again starts a fresh second step
    assert enrolled.code(code=next_code(enrolled.secret)).headers["Location"] == "/staff/"


def test_the_second_step_ends_five_minutes_after_the_password(enrolled):
    enrolled.password()
    with enrolled.client.session_transaction() as cookie:
        pending = cookie["two_factor_pending"]
        pending["at"] -= 301  # the password was given five minutes and a second ago
        cookie["two_factor_pending"] = pending
    late = enrolled.code(code=next_code(enrolled.secret))
    assert late.headers["Location"] == "/staff/login"
    assert "5分たったため" in text_of(enrolled.client.get("/staff/login"))
    assert not enrolled.signed_in()


def test_a_password_changed_meanwhile_ends_the_pending_sign_in(enrolled):
    from webapp.staff.operations import by_login, set_password

    enrolled.password()
    set_password(by_login("sato"), "a-brand-new-password")
    assert enrolled.code(code=next_code(enrolled.secret)).headers["Location"] == "/staff/login"
    assert not enrolled.signed_in()


def test_admin_2fa_required_sends_an_admin_to_enrolment_before_anything_else(app, make_user):
    app.config["ADMIN_2FA_REQUIRED"] = True
    make_user("boss", role="admin")
    boss = Staff(app.test_client(), "boss")
    assert boss.password().headers["Location"] == "/staff/two-factor/setup"
    assert not boss.signed_in()
    for page in ("/admin/users", "/admin/sessions", "/staff/two-factor"):
        assert boss.client.get(page).headers["Location"].startswith("/staff/login")
    setup = boss.client.get("/staff/two-factor/setup")
    assert "管理者のアカウントは2段階認証が必須です。" in text_of(setup)
    secret = secret_on(setup.get_data(as_text=True))
    shown = boss.post("/staff/two-factor/setup", "/staff/two-factor/setup", {"code": code_at(secret)})
    html = shown.get_data(as_text=True)
    assert 'href="/staff/"' in html and len(RECOVERY.findall(html)) == 10
    assert boss.client.get("/admin/users").status_code == 200
    boss.logout()
    assert boss.password().headers["Location"] == "/staff/login/verify"


def test_with_admin_2fa_required_a_promoter_still_signs_in_with_the_password(app, sato):
    app.config["ADMIN_2FA_REQUIRED"] = True
    sato.logout()
    assert sato.password().headers["Location"] == "/staff/"


def test_a_signed_in_admin_who_must_enrol_reaches_nothing_but_enrolment(app, make_user):
    from webapp.staff.operations import by_login, issue_api_token

    make_user("boss", role="admin")
    boss = Staff(app.test_client(), "boss")
    boss.password()  # signed in while the rule was off (or promoted to admin since)
    app.config["ADMIN_2FA_REQUIRED"] = True
    for page in ("/staff/", "/admin/users", "/admin/sessions", "/staff/two-factor", "/"):
        assert boss.client.get(page).headers["Location"] == "/staff/two-factor/setup", page
    refused = boss.client.get("/api/v1/stats?fiscal_year=2026")
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "two_factor_required"
    token = issue_api_token(by_login("boss"))
    assert boss.client.get("/api/v1/stats?fiscal_year=2026",
                           headers={"Authorization": f"Bearer {token}"}).status_code == 200
    for header in (f"Bearer {token}", "Basic Ym9zczp4"):  # a page is still fenced whatever else is sent
        assert boss.client.get("/admin/users", headers={"Authorization": header}).status_code == 302
    assert boss.client.get("/staff/two-factor/setup").status_code == 200
    boss.enrol()
    assert boss.client.get("/admin/users").status_code == 200


def test_an_admin_resets_a_colleagues_two_factor_from_the_user_page(app, make_user, enrolled):
    from webapp.staff.operations import by_login

    make_user("boss", role="admin")
    boss = Staff(app.test_client(), "boss")
    boss.password()
    page = f"/admin/users/{by_login('sato').id}"
    assert "状態: 設定済み" in text_of(boss.client.get(page))
    done = boss.post(page, f"{page}/two-factor/reset", {})
    assert done.headers["Location"] == page
    after = text_of(boss.client.get(page))
    assert "「sato」の2段階認証を解除しました。" in after and "状態: 未設定" in after
    assert enrolled.password().headers["Location"] == "/staff/"  # the password alone again


def test_an_admin_cannot_reset_their_own_from_the_user_page(app, make_user):
    from webapp.staff.operations import by_login

    make_user("boss", role="admin")
    boss = Staff(app.test_client(), "boss")
    boss.password()
    boss.enrol()
    page = f"/admin/users/{by_login('boss').id}"
    boss.post(page, f"{page}/two-factor/reset", {})
    assert "自分の2段階認証は「2段階認証」のページで変更してください。" in text_of(boss.client.get(page))
    assert "状態: 設定済み" in text_of(boss.client.get("/staff/two-factor"))


def test_turning_it_off_needs_a_code_and_new_recovery_codes_replace_the_old(sato):
    secret, old = sato.enrol()
    refused = sato.post("/staff/two-factor", "/staff/two-factor/disable", {"code": wrong_code(secret)}, "disable-")
    assert refused.status_code == 400
    assert re.search(r'id="disable-code-error">確認コードか回復コードが違います。', refused.get_data(as_text=True))

    renewed = sato.post("/staff/two-factor", "/staff/two-factor/recovery-codes", {"code": old[0]}, "regenerate-")
    new = RECOVERY.findall(renewed.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    assert sato.post("/staff/two-factor", "/staff/two-factor/disable", {"code": old[1]}, "disable-").status_code == 400
    off = sato.post("/staff/two-factor", "/staff/two-factor/disable", {"code": new[0]}, "disable-")
    assert off.headers["Location"] == "/staff/two-factor"
    assert "状態: 未設定" in text_of(sato.client.get("/staff/two-factor"))
    sato.logout()
    assert sato.password().headers["Location"] == "/staff/"


def test_a_database_dump_reveals_neither_the_secret_nor_a_recovery_code(sato):
    secret, recovery = sato.enrol()
    dump = repr([db_session.execute(text(f"SELECT * FROM {table}")).all() for table in Base.metadata.tables])
    for shown in (secret, *recovery, *(c.replace("-", "") for c in recovery)):
        assert shown not in dump


def test_the_cli_turns_off_a_lost_second_factor(runner, enrolled):
    done = runner.invoke(args=["users", "reset-2fa", "sato"])
    assert done.exit_code == 0 and "turned off for sato" in done.output
    assert enrolled.password().headers["Location"] == "/staff/"
    unknown = runner.invoke(args=["users", "reset-2fa", "nobody"])
    assert unknown.exit_code == 1 and unknown.output.strip() == "Error: No staff account: nobody"


def test_every_two_factor_page_reads_as_english_when_asked(sato):
    assert_english(sato.client, "/staff/two-factor", must_show=("Status: off",))
    secret = secret_on(assert_english(sato.client, "/staff/two-factor/setup", must_show=(
        "Set up two-step sign-in", "QR code to scan with your authenticator app")))
    shown = sato.post("/staff/two-factor/setup?lang=en", "/staff/two-factor/setup?lang=en", {"code": code_at(secret)})
    found = audit(shown.get_data(as_text=True))
    assert found.root_lang == "en" and not found.leaks, found.leaks
    assert_english(sato.client, "/staff/two-factor", must_show=("Status: on", "Recovery codes left: 10"))
    sato.logout()
    sato.password()
    assert_english(sato.client, "/staff/login/verify", must_show=("Enter your verification code",
                                                                  "Verification code (6 digits)"))


def test_one_code_sent_from_four_places_at_once_is_accepted_once(make_user):
    """A code seen over a shoulder and typed at the same moment as its owner signs in one of them."""
    import threading

    from tests.conftest import SECRET
    from webapp.staff.models import User
    from webapp.staff.twofactor import codes, operations

    user = make_user("sato")
    secret = codes.new_secret()
    operations.enable(user, secret, code_at(secret), SECRET)
    code, user_id = next_code(secret), user.id
    db_session.remove()
    kinds, go = [], threading.Barrier(4, timeout=60)

    def attempt():
        try:
            account = db_session.get(User, user_id)
            db_session.commit()  # SQLite: no one holds the write lock at the start line
            go.wait()
            kinds.append(operations.check(account, code, SECRET))
        finally:
            db_session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    [t.start() for t in threads]
    [t.join(60) for t in threads]
    assert sorted(kinds, key=str) == [None, None, None, "totp"]


def test_admins_need_a_second_factor_unless_the_operator_says_otherwise(tmp_path, monkeypatch):
    from webapp import config

    monkeypatch.setenv("SECRET_KEY", "x" * 20)
    monkeypatch.delenv("ADMIN_2FA_REQUIRED", raising=False)
    assert config.load(tmp_path)["ADMIN_2FA_REQUIRED"] is True
    monkeypatch.setenv("ADMIN_2FA_REQUIRED", "false")  # what `make run` sets for the local demo
    assert config.load(tmp_path)["ADMIN_2FA_REQUIRED"] is False
