"""Two-step sign-in on a phone (375 px) in Chromium: enrol by typing the shown key's code, keep the recovery
codes, sign in again with a code; axe-core finds nothing serious on the enrol and verify pages."""
from __future__ import annotations

import re
import time
import uuid

import pyotp
import pytest

from tests.browser.axe import AxeAudit
from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser
PASSWORD = "phone-test-password"


def _sign_in_with_password(page, login: str) -> None:
    page.goto("/staff/login")
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form.narrow-form button[type=submit]").click()


def _fits_the_phone(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_promoter_enrols_on_a_phone_and_then_signs_in_with_a_code(browsing, server, tmp_path, lang):
    login = f"phone{uuid.uuid4().hex[:6]}"
    server.flask("users", "create", login, "--role", "promoter", "--display-name", "主任推進員 にしだ",
                 "--password-stdin", stdin=PASSWORD + "\n")
    audit = AxeAudit(lang)
    page = browsing.page(PHONE, lang)
    _sign_in_with_password(page, login)
    page.wait_for_url(re.compile(r"/staff/$"))

    page.locator("a[href='/staff/two-factor']").click()
    page.locator("a[href='/staff/two-factor/setup']").click()
    page.wait_for_url(re.compile(r"/staff/two-factor/setup$"))
    assert page.locator("svg.qr-code[role=img]").is_visible()
    assert _fits_the_phone(page)
    audit.check(page, "enrolment: QR code and key")
    page.screenshot(path=str(tmp_path / f"enrol-{lang}.png"), full_page=True)

    secret = re.sub(r"\s", "", page.locator("#secret-key").inner_text())
    page.locator("#code").fill(pyotp.TOTP(secret).now())
    page.locator("main form button[type=submit]").click()
    codes = page.locator("#recovery-codes li")
    codes.first.wait_for()
    assert codes.count() == 10
    audit.check(page, "recovery codes shown once")
    page.screenshot(path=str(tmp_path / f"recovery-codes-{lang}.png"), full_page=True)
    page.locator("main a.button").click()
    page.wait_for_url(re.compile(r"/staff/two-factor$"))

    page.locator("details.staff-menu summary").click()  # on a phone the staff links fold into one menu
    page.locator("details.staff-menu .nav-logout button").click()
    page.wait_for_url(re.compile(r"/$"))
    _sign_in_with_password(page, login)
    page.wait_for_url(re.compile(r"/staff/login/verify$"))
    code_field = page.locator("#code")
    assert code_field.get_attribute("inputmode") == "numeric"
    assert code_field.get_attribute("autocomplete") == "one-time-code"
    audit.check(page, "sign-in: the second step")

    near = {pyotp.TOTP(secret).at(time.time() + 30 * k) for k in range(-3, 4)}
    page.locator("#code").fill(next(c for c in ("000000", "111111", "222222", "333333") if c not in near))
    page.locator("main form button[type=submit]").click()
    page.locator("#error-summary").wait_for()
    page.wait_for_load_state("load")
    focus = page.evaluate("""() => {
      const el = document.activeElement, box = el.getBoundingClientRect();
      return {id: el.id, visible: box.top >= 0 && box.bottom <= window.innerHeight};
    }""")
    assert focus == {"id": "error-summary", "visible": True}, focus  # the page opens at the message
    assert page.locator("#code-error").is_visible()
    audit.check(page, "sign-in: a wrong code refused")
    page.screenshot(path=str(tmp_path / f"verify-refused-{lang}.png"), full_page=True)

    page.locator("#code").fill(pyotp.TOTP(secret).at(time.time() + 30))  # the next step: never used yet
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/staff/$"))
    page.screenshot(path=str(tmp_path / f"signed-in-{lang}.png"), full_page=True)
    audit.assert_clean()
