"""Every page, for residents (phone) and staff (office PC), in Japanese and English, passes axe-core's
WCAG 2.1 A/AA rules with no serious or critical violation (JIS X 8341-3 follows WCAG 2.x AA)."""
from __future__ import annotations

import re

import pytest

from tests.browser.axe import AxeAudit, violations
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.relay import StaffRelay
from tests.browser.steps import check_in, reserve

pytestmark = pytest.mark.browser
LANGS = ["ja", "en"]


@pytest.mark.parametrize("lang", LANGS)
def test_resident_pages_have_no_serious_accessibility_violations(browsing, server, lang):
    audit = AxeAudit(lang)
    future = server.future_session(days=45)
    page = browsing.page(PHONE, lang)
    for path in ("/", f"/sessions/{future['id']}", "/help", "/reservations", "/stats/public", "/no-such-page",
                 "/checkins/wait", f"/sessions/{future['id']}/checkin"):
        page.goto(path)
        audit.check(page)

    # A reservation form opened; then one sent with a nickname that is too long.
    page.goto(f"/sessions/{future['id']}")
    page.locator("li.slot-open summary").first.click()
    audit.check(page, "reservation form open")
    slot = page.locator("li.slot-open").first
    slot.locator("input[name$=nickname]").fill("x" * 200)
    with page.expect_navigation(wait_until="load"):
        slot.locator("button[type=submit]").click()
    audit.check(page, "reservation refused with a field error")

    page.goto("/reservations")
    page.locator("input[name=code]").fill("ABCDE-FGHJK-MNPQR")
    with page.expect_navigation(wait_until="load"):
        page.locator("main form button[type=submit]").click()
    audit.check(page, "unknown reservation code")

    code = reserve(page, future["id"], nickname="ひまわり", topic="仕事のこと")
    audit.check(page, "reservation made, code shown")
    with page.expect_navigation(wait_until="load"):
        page.locator("a[href$='/cancel']").click()
    audit.check(page, "cancel confirmation")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/reservations/{code}$"))
    audit.check(page, "reservation cancelled")
    audit.assert_clean()


@pytest.mark.parametrize("lang", LANGS)
def test_waiting_room_states_have_no_serious_accessibility_violations(browsing, server, lang):
    audit = AxeAudit(lang)
    session = server.open_session()
    page = browsing.page(PHONE, lang)
    page.goto(f"/sessions/{session['id']}/checkin")
    audit.check(page, "check-in form")
    page.locator("#reservation_code").fill("ZZZZ-9999")
    page.locator("form.checkin-form button[type=submit]").click()
    page.locator("#reservation_code[aria-invalid=true]").wait_for()
    audit.check(page, "check-in refused: unknown reservation code")

    nickname = f"axe-{lang}"
    check_in(page, session["id"], avatar_index=1, nickname=nickname)
    audit.check(page, "waiting")
    page.locator("#message-text").fill("こんにちは")
    page.locator("#message-text").press("Enter")
    page.locator("#conversation .bubble-resident").wait_for()
    audit.check(page, "waiting, after writing")
    page.locator("#leave-start").click()
    audit.check(page, "leave confirmation shown")
    page.locator("#leave-cancel").click()

    staff = StaffRelay(server, "sato")
    try:
        entry = staff.waiting_entry(session["id"], nickname=nickname)
        staff.send(type="take", checkin_id=entry["checkin_id"], mode="text")
        page.locator("#handoff").wait_for(state="visible")
        staff.send(type="message", checkin_id=entry["checkin_id"], text="担当のさとうです。")
        page.locator("#conversation .bubble-staff").wait_for()
        audit.check(page, "handed over, talking to the promoter")
        staff.send(type="close", checkin_id=entry["checkin_id"],
                   outcome={"kind": "consultation", "topics": ["family"], "result": "listened", "referred_to": None})
        page.locator("#ended").wait_for(state="visible")
        audit.check(page, "closed by the promoter")
    finally:
        staff.close()
    page.goto("/checkins/leave")
    page.goto("/checkins/done")
    audit.check(page, "done page")
    audit.assert_clean()


@pytest.mark.parametrize("lang", LANGS)
def test_staff_pages_have_no_serious_accessibility_violations(browsing, server, lang):
    audit = AxeAudit(lang)
    session = server.open_session()
    future = server.future_session(days=50)

    login = browsing.page(DESKTOP, lang)
    login.goto("/staff/login")
    audit.check(login, "login form")
    login.locator("input[name=login]").fill("sato")
    login.locator("input[name=password]").fill("wrong password")
    login.locator("form.narrow-form button[type=submit]").click()
    audit.check(login, "login refused")

    promoter = browsing.staff_page("sato", lang)
    audit.check(promoter, "promoter home")
    for path in ("/calendars/settings", "/staff/stats", f"/staff/stats/sessions/{session['id']}", "/admin/users"):
        promoter.goto(path)
        audit.check(promoter, "promoter")

    resident = browsing.page(PHONE, lang)
    check_in(resident, session["id"], nickname=f"console-{lang}")
    promoter.goto(f"/staff/sessions/{session['id']}/console")
    take = promoter.locator("#queue-body tr", has_text=f"console-{lang}").locator(".row-take-button")
    take.wait_for()
    audit.check(promoter, "console with a waiting resident")
    take.click()
    promoter.locator("#panels .chat-panel", has_text=f"console-{lang}").wait_for()
    audit.check(promoter, "console with a conversation panel open")

    admin = browsing.staff_page("admin", lang)
    audit.check(admin, "admin home")
    for path in ("/admin/sessions", "/admin/sessions/new", f"/admin/sessions/{future['id']}/edit",
                 f"/admin/sessions/{future['id']}/cancel", "/admin/sessions/generate", "/admin/users",
                 "/admin/users/new", "/admin/vocabulary", "/calendars/settings", "/staff/stats",
                 f"/staff/stats/sessions/{session['id']}", f"/staff/sessions/{session['id']}/console"):
        admin.goto(path)
        audit.check(admin, "admin")
    admin.goto("/admin/sessions/new")
    with admin.expect_navigation(wait_until="load"):
        admin.locator("main form button[type=submit]").first.click()
    audit.check(admin, "new session refused with field errors")
    for listing, link in (("/admin/users", "main a[href^='/admin/users/']:not([href$='/new'])"),
                          ("/admin/vocabulary", "main a[href$='/edit']")):
        admin.goto(listing)
        with admin.expect_navigation(wait_until="load"):
            admin.locator(link).first.click()
        audit.check(admin, f"opened from {listing}")
    audit.assert_clean()


def test_the_audit_itself_reports_an_unlabelled_field_and_low_contrast(browsing):
    """A check that can never fail proves nothing: break a page on purpose and axe must say so."""
    page = browsing.page(PHONE)
    page.goto("/help")
    page.evaluate("""() => {
        const main = document.querySelector('main');
        main.append(document.createElement('input'));
        const faint = document.createElement('p');
        faint.textContent = 'うすい文字';
        faint.style.color = '#cccccc';
        main.append(faint);
    }""")
    found = {v["id"] for v in violations(page)}
    assert {"label", "color-contrast"} <= found, found
