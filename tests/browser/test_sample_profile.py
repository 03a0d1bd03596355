"""Another city's look in a real browser: under the sample profile (みどり野市) the pages wear its colours
and logo, and still pass axe-core's WCAG 2.1 A/AA rules in Japanese and English."""
from __future__ import annotations

import pytest

from tests.browser.axe import AxeAudit
from tests.browser.conftest import DESKTOP, PHONE, ROOT, browsing_on, serving

pytestmark = pytest.mark.browser
SAMPLE = ROOT / "profiles" / "sample.toml"


@pytest.fixture(scope="module")
def sample_server(tmp_path_factory):
    with serving(tmp_path_factory.mktemp("sample-server"), PROFILE=str(SAMPLE)) as running:
        yield running


@pytest.fixture
def sample_browsing(browser, sample_server):
    yield from browsing_on(browser, sample_server)


def _colour(page, selector: str, prop: str) -> str:
    return page.locator(selector).first.evaluate(f"e => getComputedStyle(e).{prop}")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_sample_citys_pages_wear_its_colours_and_logo_and_stay_accessible(sample_browsing, sample_server, lang):
    audit = AxeAudit(lang)
    page = sample_browsing.page(PHONE, lang)
    for path in ("/", "/help", "/reservations", "/stats/public", "/staff/login"):
        page.goto(path)
        audit.check(page)
    page.goto("/")
    assert _colour(page, "body", "color") == "rgb(34, 34, 34)"  # [look] text = "#222222"
    assert _colour(page, "main a:not(.button)", "color") == "rgb(23, 71, 126)"  # primary_dark, derived from #1f5fa8
    logo = page.locator("header img.brand-logo")
    assert logo.evaluate("img => img.complete && img.naturalWidth > 0")
    assert page.locator("header .brand").inner_text().strip() == (
        "みどりの よろず相談会" if lang == "ja" else "Midorino drop-in consultations")
    staff = sample_browsing.staff_page("admin", lang, DESKTOP)
    for path in ("/admin/sessions", "/admin/vocabulary", "/admin/crisis", "/admin/directory/history", "/staff/stats"):
        staff.goto(path)
        audit.check(staff)
    audit.assert_clean()
