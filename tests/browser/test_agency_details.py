"""An admin gives an agency a phone and a link from the vocabulary page; a bad link is refused and the page
opens on that field; residents then read the new details on the help page. axe-core checks every state."""
from __future__ import annotations

import pytest

from tests.browser.axe import AxeAudit

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_an_admin_edits_an_agencys_details_and_a_refused_link_gets_the_focus(browsing, lang):
    audit = AxeAudit(lang)
    phone = "0120-000-333" if lang == "ja" else "0120-000-444"
    admin = browsing.staff_page("admin", lang)
    admin.goto("/admin/vocabulary")
    with admin.expect_navigation(wait_until="load"):
        admin.locator("main a[href^='/admin/directory/agencies/']").first.click()
    audit.check(admin, "an agency's details")
    admin.locator("#phone").fill(phone)
    admin.locator("#url").fill("javascript:alert(1)")
    with admin.expect_navigation(wait_until="load"):
        admin.locator("main form button[type=submit]").click()
    admin.wait_for_function("() => document.activeElement && document.activeElement.id === 'url'", timeout=30000)
    assert "https://" in admin.locator("#url-error").inner_text()
    audit.check(admin, "an agency's details refused: a bad link")

    admin.locator("#url").fill("https://www.example.jp/agency/")
    with admin.expect_navigation(wait_until="load"):
        admin.keyboard.press("Enter")
    resident = browsing.page(lang=lang)
    resident.goto("/help")
    place = resident.locator(".directory-list li", has_text=phone)
    assert place.count() == 1
    assert place.locator("a[href='https://www.example.jp/agency/']").count() == 1
    audit.assert_clean()
