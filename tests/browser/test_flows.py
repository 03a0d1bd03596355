"""Whole journeys in the real browser: a resident on a phone, promoters and an admin on office PCs."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from tests.browser.axe import AxeAudit
from tests.browser.conftest import PHONE
from tests.browser.steps import Frames, check_in, reserve

pytestmark = pytest.mark.browser


def remaining_seats(server, session_id: int, slot_id: int) -> int:
    _, session = server.api("GET", f"/sessions/{session_id}")
    return next(slot["remaining"] for slot in session["slots"] if slot["id"] == slot_id)


def test_a_resident_on_a_phone_reserves_anonymously_adds_it_to_the_calendar_and_later_cancels_with_the_code(
        browsing, server):
    session = server.future_session(days=41)
    first_slot = session["slots"][0]
    page = browsing.page(PHONE)

    page.goto("/")
    page.get_by_role("link", name=re.compile("詳しく見る・予約する")).filter(
        has_text=re.compile(re.escape(f"{int(session['date'][5:7])}月{int(session['date'][8:])}日"))).first.click()
    page.wait_for_url(re.compile(rf"/sessions/{session['id']}$"))
    assert page.get_by_role("heading", level=1).inner_text().endswith("の相談会")
    # Nothing on the form asks who the resident is.
    page.locator("li.slot-open summary").first.click()
    labels = " ".join(page.locator("li.slot-open").first.locator("label").all_inner_texts())
    assert not re.search("氏名|お名前（必須）|電話|メール|住所", labels), labels

    code = reserve(page, session["id"], nickname="ひまわり", topic="仕事が続かないこと")
    assert page.locator("h1").inner_text() == "ご予約の内容"
    assert "予約しました" in page.locator(".flashes").inner_text()
    assert "ひまわり" in page.locator("main").inner_text()
    assert remaining_seats(server, session["id"], first_slot["id"]) == first_slot["capacity"] - 1

    with page.expect_download() as download:
        page.get_by_role("link", name="カレンダーに追加", exact=True).click()
    [event] = Calendar.from_ical(open(download.value.path(), "rb").read()).walk("VEVENT")
    assert event.decoded("dtstart") == dt.datetime.fromisoformat(first_slot["starts_at"])
    assert event.decoded("dtend") == dt.datetime.fromisoformat(first_slot["ends_at"])

    # Days later, on the same phone but a fresh browser: only the code, typed loosely.
    later = browsing.page(PHONE)
    later.goto("/")
    later.get_by_role("link", name="予約の確認・取消", exact=True).click()
    later.get_by_label(re.compile("予約番号")).fill(code.lower().replace("-", ""))
    later.get_by_role("button", name="確認する", exact=True).click()
    later.wait_for_url(re.compile(rf"/reservations/{code}$"))
    assert later.locator("#reservation-code").inner_text().strip() == code
    later.get_by_role("link", name="予約を取り消す", exact=True).click()
    later.wait_for_url(re.compile(r"/cancel$"))
    assert "予約を取り消しますか" in later.locator("h1").inner_text()
    later.get_by_role("button", name="予約を取り消す", exact=True).click()
    later.wait_for_url(re.compile(rf"/reservations/{code}$"))
    assert later.locator("h1").inner_text() == "この予約は取り消し済みです"
    assert "予約を取り消しました" in later.locator(".flashes").inner_text()
    assert later.get_by_role("link", name="カレンダーに追加", exact=True).count() == 0
    assert remaining_seats(server, session["id"], first_slot["id"]) == first_slot["capacity"]


def test_a_resident_checks_in_waits_writes_is_handed_over_and_talks_with_the_promoter_who_closes_it(
        browsing, server):
    session = server.open_session()
    sid = session["id"]
    _, before = server.api("GET", f"/sessions/{sid}/counts")

    promoter = browsing.staff_page("sato")
    relay = Frames(promoter)
    promoter.goto(f"/staff/sessions/{sid}/console")
    relay.wait_for("queue", session_id=sid)

    resident = browsing.page(PHONE)
    resident.goto("/")
    resident.locator(".panel-now").get_by_role("link", name="今すぐ参加する").first.click()
    resident.wait_for_url(re.compile(rf"/sessions/{sid}/checkin"))
    check_in(resident, sid, avatar_index=2, nickname="ゆう")
    avatar = resident.locator(".who strong").inner_text()
    assert re.search(r"\d+ 番目|次があなたの番", resident.locator("#queue-position").inner_text())

    resident.get_by_label("推進員へのメッセージ").fill("仕事のことで少し話したいです")
    resident.get_by_role("button", name="送る", exact=True).click()
    resident.locator("#conversation .bubble-resident", has_text="仕事のことで少し話したいです").wait_for()

    row = promoter.locator("#queue-body tr", has_text="ゆう")
    row.wait_for()
    assert avatar in row.inner_text()
    row.locator(".row-mode").select_option("text")
    row.get_by_role("button", name="対応する").click()
    panel = promoter.locator("#panels .chat-panel", has_text="ゆう")
    panel.wait_for()
    # What the resident wrote while waiting comes along with them.
    panel.locator(".bubble-resident", has_text="仕事のことで少し話したいです").wait_for()

    handoff = resident.locator("#handoff")
    handoff.wait_for(state="visible")
    assert "主任推進員 さとう" in handoff.inner_text()
    assert resident.locator("#queue-panel").is_hidden()

    panel.get_by_label("この人へのメッセージ").fill("さとうです。ゆっくりで大丈夫ですよ。")
    panel.get_by_role("button", name="送る", exact=True).click()
    resident.locator("#conversation .bubble-staff", has_text="ゆっくりで大丈夫ですよ").wait_for()
    resident.get_by_label("推進員へのメッセージ").fill("ありがとうございます")
    resident.get_by_label("推進員へのメッセージ").press("Enter")
    panel.locator(".bubble-resident", has_text="ありがとうございます").wait_for()

    panel.get_by_label("相談", exact=True).check()
    panel.locator("input[name^=topics-]").first.check()
    panel.locator("input[name^=result-]").nth(1).check()
    panel.get_by_role("button", name="記録して終える", exact=True).click()
    panel.wait_for(state="detached")

    resident.locator("#ended").wait_for(state="visible")
    assert resident.evaluate("document.activeElement.id") == "ended"
    resident.get_by_role("link", name="終わる", exact=True).click()
    resident.wait_for_url(re.compile(r"/checkins/done"))
    assert resident.locator("h1").inner_text() == "ありがとうございました"

    _, after = server.api("GET", f"/sessions/{sid}/counts")
    assert after["visits"] == before["visits"] + 1
    assert after["consultations"] == before["consultations"] + 1
    promoter.locator("#count-consultations").filter(has_text=str(after["consultations"])).wait_for()


def test_the_staff_console_queue_and_counts_update_live_without_a_reload(browsing, server):
    sid = server.open_session()["id"]
    console = browsing.staff_page("tanaka")
    console.goto(f"/staff/sessions/{sid}/console")
    console.evaluate("window.__sameDocument = true")
    waiting = int(console.locator("#count-waiting").inner_text())
    visits = int(console.locator("#count-visits").inner_text())

    first, second = browsing.page(PHONE), browsing.page(PHONE)
    check_in(first, sid, nickname="みどり")
    console.locator("#queue-body tr", has_text="みどり").wait_for()
    console.locator("#count-waiting").filter(has_text=re.compile(rf"^{waiting + 1}$")).wait_for()
    console.locator("#count-visits").filter(has_text=re.compile(rf"^{visits + 1}$")).wait_for()
    check_in(second, sid, nickname="あおい")
    console.locator("#queue-body tr", has_text="あおい").wait_for()
    console.locator("#count-waiting").filter(has_text=re.compile(rf"^{waiting + 2}$")).wait_for()
    # The arrival is also said in the console's polite live region.
    console.locator("#console-live").filter(has_text="あおい").wait_for()

    second_position = second.locator("#queue-position").inner_text()
    first.get_by_role("link", name="退出する", exact=True).click()
    first.get_by_role("button", name="はい、退出します", exact=True).click()
    first.wait_for_url(re.compile(r"/checkins/done"))
    console.locator("#queue-body tr", has_text="みどり").wait_for(state="detached")
    console.locator("#count-waiting").filter(has_text=re.compile(rf"^{waiting + 1}$")).wait_for()
    # The one behind moved up, on their phone, without reloading either.
    second.locator("#queue-position").filter(has_not_text=second_position).wait_for()

    assert console.evaluate("window.__sameDocument") is True
    assert console.locator("#queue-empty").is_hidden()


def test_an_admin_creates_a_fiscal_year_and_cancels_a_session_which_the_public_page_then_shows(browsing, server):
    soon = server.future_session(days=20)
    admin = browsing.staff_page("admin")
    audit = AxeAudit("ja")

    admin.get_by_role("link", name=re.compile("相談会の管理")).first.click()
    admin.get_by_role("link", name="年度の予定をまとめて作成する", exact=True).click()
    year = int(admin.get_by_label(re.compile("年度")).input_value())
    admin.get_by_label(re.compile("年度")).fill(str(year))
    admin.get_by_label(re.compile("さとう")).check()
    admin.get_by_role("button", name="作成する", exact=True).click()
    audit.check(admin, "fiscal year created")
    assert "12" in admin.locator("main").inner_text()
    status, sessions = server.api("GET", f"/sessions?from={year}-04-01&to={year + 1}-03-31")
    assert status == 200 and len(sessions) == 12
    assert all(dt.date.fromisoformat(s["date"]).weekday() == 1 for s in sessions)
    admin.goto(f"/admin/sessions?year={year}")
    assert admin.locator("table.admin-sessions tbody tr").count() == 12

    admin.goto(f"/admin/sessions/{soon['id']}/cancel")
    admin.get_by_label(re.compile("お知らせ|理由|メモ|備考")).fill("台風のため中止します。")
    admin.get_by_role("button", name="中止する", exact=True).click()
    assert "中止にしました" in admin.locator(".flashes").inner_text()
    audit.check(admin, "after cancelling")
    audit.assert_clean()

    resident = browsing.page(PHONE)
    resident.goto("/")
    card = resident.locator("li.session-card").filter(
        has=resident.locator(f"a[href='/sessions/{soon['id']}']"))
    assert "中止" in card.locator(".badge-cancelled").inner_text()
    assert "台風のため中止します。" in card.inner_text()
    resident.goto(f"/sessions/{soon['id']}")
    assert "この回は中止になりました" in resident.locator("main").inner_text()
    assert resident.locator("li.slot-open").count() == 0
    _, cancelled = server.api("GET", f"/sessions/{soon['id']}")
    assert cancelled["status"] == "cancelled"


def test_the_language_switch_goes_to_english_and_back_to_japanese_on_the_same_page(browsing, server):
    page = browsing.page(PHONE)
    page.goto("/help")
    assert page.evaluate("document.documentElement.lang") == "ja"
    assert page.locator("h1").inner_text() == "ほかの相談先"

    page.get_by_role("link", name="English", exact=True).click()
    page.wait_for_url(re.compile(r"/help$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    english_title = page.locator("h1").inner_text()
    assert english_title != "ほかの相談先" and re.search("[A-Za-z]", english_title)
    assert not re.search(r"[\u3040-\u30ff]", page.locator("nav.main-nav").inner_text())

    # The choice stays while moving around. A click starts a navigation, so wait for the
    # page it leads to (the document is briefly empty in between).
    page.locator("nav.main-nav a").first.click()
    page.wait_for_url(re.compile(r"/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.get_by_role("link", name="日本語", exact=True).get_attribute("lang") == "ja"

    page.get_by_role("link", name="日本語", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator("h1")).to_have_text("いこまる相談会")
    assert page.get_by_role("link", name="English", exact=True).get_attribute("lang") == "en"
