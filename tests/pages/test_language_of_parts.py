"""English pages mark Japanese parts with lang="ja" (WCAG 2.1 SC 3.1.2) and read as English.

Places, display names, nicknames, holiday names and notes are typed in Japanese by people; an
English page must wrap them in an element with lang="ja" so a screen reader switches voice, and
must not leave Japanese punctuation (〜 、 （ ） ・) in its own English sentences.
"""
from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import flask_babel
import pytest
from sqlalchemy import select

from webapp.checkins import operations as checkins
from webapp.checkins.models import CheckIn, Term
from webapp.clock import now_tokyo
from webapp.db import db_session
from webapp.reservations.operations import reserve
from webapp.sessions.operations import cancel_session, update_session
from webapp.staff.operations import by_login
from webapp.timeutil import TOKYO, fiscal_year_of

from .conftest import csrf_from, text_of

#: Japanese script, written out here on its own so the test does not trust the code it checks:
#: CJK punctuation, hiragana, katakana, CJK ideographs, full-width forms.
JAPANESE = re.compile("[\u3000-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
ATTRIBUTES = ("alt", "title", "aria-label", "placeholder")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
HOLIDAY = dt.date(2029, 3, 20)  # a third Tuesday that is 春分の日

PLACE = "生駒市役所 4階 401会議室"
METAVERSE = "メタバース空間「いこまるひろば」"
NOTE = "台風のため中止します。次回は来月第3火曜日です。"


class JapaneseOutsideLangJa(HTMLParser):
    """Text and read-aloud attributes holding Japanese that no element with lang="ja" encloses."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, str]] = []  # (tag, language in force inside it)
        self.root_lang = ""
        self.leaks: list[str] = []

    def language(self) -> str:
        return self.open[-1][1] if self.open else ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.root_lang = attrs.get("lang", "")
        lang = attrs.get("lang", self.language())
        for name in ATTRIBUTES:
            value = attrs.get(name) or ""
            if JAPANESE.search(value) and not lang.startswith("ja"):
                self.leaks.append(f"<{tag} {name}={value!r}>")
        if tag not in VOID:
            self.open.append((tag, lang))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.open.pop()

    def handle_endtag(self, tag):
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i][0] == tag:
                del self.open[i:]
                return

    def handle_data(self, data):
        if any(tag in ("script", "style") for tag, _ in self.open):
            return
        if JAPANESE.search(data) and not self.language().startswith("ja"):
            path = "/".join(tag for tag, _ in self.open[-3:])
            self.leaks.append(f"{path}: {' '.join(data.split())!r}")


def audit(html: str) -> JapaneseOutsideLangJa:
    parser = JapaneseOutsideLangJa()
    parser.feed(html)
    parser.close()
    return parser


def assert_english(client, path: str, must_show: tuple[str, ...] = ()) -> str:
    """GET `path` in English; fail on any Japanese part not marked lang="ja". Returns the HTML."""
    response = client.get(path + ("&" if "?" in path else "?") + "lang=en")
    assert response.status_code == 200, path
    html = response.get_data(as_text=True)
    found = audit(html)
    assert found.root_lang == "en", path
    assert not found.leaks, f"{path}: Japanese outside lang=\"ja\":\n" + "\n".join(found.leaks)
    for text in must_show:
        assert text in html, f"{path}: {text!r} not shown"
    return html


@pytest.fixture
def world(client, make_user, make_session, open_session):
    """Staff with Japanese display names, a session running now, one to come, a holiday, a cancelled one,
    a reservation with a Japanese nickname, and a resident in the waiting room who got a reply."""
    make_user("admin1", role="admin", display_name="管理者（地域共生社会推進課）")
    make_user("sato", display_name="主任推進員 さとう")
    make_user("tanaka", display_name="主任推進員 たなか")
    now = open_session(fmt="in_person", location=PLACE, promoters=["sato", "tanaka"])
    later = make_session(day=dt.date(2030, 5, 21), fmt="metaverse", location=METAVERSE, promoters=["sato", "tanaka"])
    update_session(later, {"note": "会場の入口は北側です。"})
    holiday = make_session(day=HOLIDAY, promoters=["sato"])
    cancelled = cancel_session(make_session(day=dt.date(2030, 6, 18)), note=NOTE)
    booking = reserve(later.slots[0].id, nickname="たろう", topic="家族のこと")

    # A resident checks in through the page (so this client holds the check-in), is taken and answered.
    page = client.get(f"/sessions/{now.id}/checkin").get_data(as_text=True)
    client.post(f"/sessions/{now.id}/checkin", data={"csrf_token": csrf_from(page), "avatar": "cat",
                                                      "nickname": "はなこ", "reservation_code": ""})
    resident = db_session.scalars(select(CheckIn).where(CheckIn.nickname == "はなこ")).one()
    checkins.take(resident.id, by_login("sato"))
    checkins.post_message(resident.id, "こんにちは、さとうです。", staff=by_login("sato"))
    # Another one waits in the queue, and a finished consultation gives the records something to show.
    checkins.check_in(now.id, "rabbit", nickname="みどり")
    done = checkins.check_in(now.id, "dog", nickname="じろう")
    checkins.take(done.id, by_login("tanaka"))
    checkins.close(done.id, by_login("tanaka"), "consultation", ["elderly"], "listened", None)
    return {"now": now, "later": later, "holiday": holiday, "cancelled": cancelled, "booking": booking}


def test_public_pages_in_english_mark_every_japanese_part(app, client, world):
    now, later = world["now"], world["later"]
    html = assert_english(client, "/", must_show=(
        f'<span lang="ja">{PLACE}</span>', f'<span lang="ja">{METAVERSE}</span>', f'<span lang="ja">{NOTE}</span>'))
    assert "〜" not in html and "（" not in html
    assert re.search(r'<a href="/lang/ja[^"]*" lang="ja" hreflang="ja">日本語</a>', html)  # the way back is Japanese
    page = text_of(client.get("/?lang=en"))
    assert re.search(r"In person · \d\d:\d\d–\d\d:\d\d · " + PLACE, page)
    assert "(Tue 21 May 2030)" in page
    assert_english(client, f"/sessions/{later.id}", must_show=("13:30–14:00", "(13:30–14:00)"))
    assert_english(client, f"/sessions/{world['cancelled'].id}")
    assert_english(client, f"/sessions/{world['holiday'].id}", must_show=('<span lang="ja">春分の日</span>',))
    assert_english(client, f"/sessions/{later.id}/checkin")
    assert_english(client, f"/sessions/{world['cancelled'].id}/checkin", must_show=(f'<span lang="ja">{NOTE}</span>',))
    assert_english(app.test_client(), f"/sessions/{now.id}/checkin")  # this client is already checked in
    assert_english(client, "/help")
    assert_english(client, "/reservations")
    assert_english(client, f"/reservations/{world['booking'].code}",
                   must_show=('<span lang="ja">たろう</span>', '<span lang="ja">家族のこと</span>'))
    assert_english(client, f"/reservations/{world['booking'].code}/cancel")
    year = fiscal_year_of(now_tokyo().date()) - 1
    html = assert_english(client, f"/stats/public?fiscal_year={year}")
    assert f"FY{year} (Reiwa {year - 2018})" in html and "令和" not in html


def test_the_waiting_room_in_english_marks_the_promoter_place_and_reply(client, world):
    assert_english(client, "/checkins/wait", must_show=(
        '(<span lang="ja">はなこ</span>)', '<span lang="ja">主任推進員 さとう</span>',
        f'<span lang="ja">{PLACE}</span>', '<span lang="ja">こんにちは、さとうです。</span>'))
    assert_english(client, "/checkins/leave")
    assert_english(client, "/checkins/done")


def test_staff_and_admin_pages_in_english_mark_every_japanese_part(client, auth, make_session, submit, world):
    now = world["now"]
    auth.login("tanaka")  # sato has taken はなこ: tanaka's console names him
    assert_english(client, "/staff/", must_show=(
        '<span lang="ja">主任推進員 さとう</span> and <span lang="ja">主任推進員 たなか</span>',))
    html = assert_english(client, f"/staff/sessions/{now.id}/console", must_show=(
        '<span lang="ja">みどり</span>', 'In consultation (<span lang="ja">主任推進員 さとう</span>)'))
    assert '<option value="sato" lang="ja">主任推進員 さとう</option>' in html
    year = fiscal_year_of(now.date)
    html = assert_english(client, f"/staff/stats?fiscal_year={year}")
    assert f"FY{year} (Reiwa {year - 2018})" in html
    assert_english(client, f"/staff/stats/sessions/{now.id}", must_show=('<span lang="ja">じろう</span>',))
    auth.logout()
    auth.login("admin1")
    year = fiscal_year_of(world["later"].date)
    html = assert_english(client, f"/admin/sessions?year={year}", must_show=(
        f"Manage sessions: FY{year} (Reiwa {year - 2018})", "13:30–16:30", "(2030-05-21)"))
    assert "令和" not in html
    holiday_year = fiscal_year_of(HOLIDAY)
    assert_english(client, f"/admin/sessions?year={holiday_year}", must_show=('<span lang="ja">春分の日</span>',))
    assert_english(client, "/admin/sessions/new")
    assert_english(client, f"/admin/sessions/{world['holiday'].id}/edit")
    edit = assert_english(client, f"/admin/sessions/{world['later'].id}/edit")
    assert re.search(r'<textarea[^>]*lang="ja"[^>]*>\s*会場の入口は北側です。', edit)  # a Japanese note being edited
    assert_english(client, f"/admin/sessions/{world['later'].id}/cancel")
    assert_english(client, "/admin/sessions/generate")
    # Fiscal 2032: 2032-09-21 (国民の休日) is a holiday; two dates already have sessions.
    make_session(day=dt.date(2032, 4, 20))
    make_session(day=dt.date(2032, 5, 18))
    generated = submit("/admin/sessions/generate?lang=en", "/admin/sessions/generate?lang=en",
                       {"fiscal_year": "2032", "promoters": ["sato"]}).get_data(as_text=True)
    found = audit(generated)
    assert found.root_lang == "en" and not found.leaks, found.leaks
    assert "FY2032 (Reiwa 14)" in generated and '<span lang="ja">国民の休日</span>' in generated
    assert "2032-04-20 and 2032-05-18" in generated and "(2032-09-21)" in generated
    assert_english(client, "/admin/users", must_show=('<span lang="ja">管理者（地域共生社会推進課）</span>',))
    assert_english(client, "/admin/users/new", must_show=('<span lang="ja">主任推進員 さとう</span>',))
    assert_english(client, f"/admin/users/{by_login('sato').id}")
    assert_english(client, "/admin/vocabulary", must_show=('<span lang="ja">ひきこもり</span>',))
    term = db_session.scalars(select(Term).where(Term.key == "hikikomori")).one()
    assert_english(client, f"/admin/vocabulary/{term.id}/edit", must_show=('<span lang="ja">ひきこもり</span>',))
    assert_english(client, "/calendars/settings")


def test_japanese_pages_stay_as_they_were(client, auth, world):
    home = client.get("/").get_data(as_text=True)
    assert 'lang="ja">' not in home.replace('<html lang="ja">', "")
    page = text_of(client.get("/"))
    assert re.search(r"対面 ・\d\d:\d\d〜\d\d:\d\d・" + PLACE, page)
    assert "2030年5月21日（火） 13:30〜16:30" in page and "（2030年5月21日（火））" in page
    auth.login("admin1")
    year = fiscal_year_of(world["later"].date)
    page = text_of(client.get(f"/admin/sessions?year={year}"))
    assert f"相談会の管理: 令和{year - 2018}年度" in page
    assert "13:30〜16:30 🌐 メタバース 開催予定 主任推進員 さとう、主任推進員 たなか" in page
    assert f"令和{year - 2018}年度（{year}）" in page
    stats = text_of(client.get(f"/staff/stats?fiscal_year={year}"))
    assert f"令和{year - 2018}年度（{year}年度）" in stats
    assert 'lang="ja">' not in client.get(f"/staff/stats?fiscal_year={year}").get_data(as_text=True).replace(
        '<html lang="ja">', "")


def test_the_audit_finds_unmarked_japanese_and_ignores_scripts():
    found = audit('<html lang="en"><body><p>Place: 生駒</p><p><span lang="ja">生駒</span></p>'
                  '<img alt="猫"><b title="x">ok</b><script>let s = "日本";</script>'
                  '<p lang="ja-JP">日本</p></body></html>')
    assert found.root_lang == "en"
    assert found.leaks == ["html/body/p: 'Place: 生駒'", "<img alt='猫'>"]


def test_the_helpers_follow_the_page_language(app):
    from webapp.templating import fiscal_label, ja, list_join, paren, time_range

    start = dt.datetime(2030, 5, 21, 13, 30, tzinfo=TOKYO)
    end = dt.datetime(2030, 5, 21, 16, 30, tzinfo=TOKYO)
    with app.test_request_context("/?lang=en"):
        assert time_range(start, end) == "13:30–16:30"
        assert ja("<生駒>") == '<span lang="ja">&lt;生駒&gt;</span>'
        assert ja("Ikoma") == "Ikoma" and ja(None) == ""
        assert list_join(["a", ja("さとう")]) == 'a and <span lang="ja">さとう</span>'
        assert paren("2030-05-21") == " (2030-05-21)"
        assert fiscal_label(2025) == "FY2025 (Reiwa 7)" and fiscal_label(2019, western=True) == "FY2019 (Reiwa 1)"
        assert fiscal_label(2018) == "FY2018 (Heisei 30)"
    with app.test_request_context("/"):
        flask_babel.refresh()  # the test keeps one app context, so the English choice is cached on `g`
        assert time_range(start, end) == "13:30〜16:30"
        assert ja("<生駒>") == "&lt;生駒&gt;"
        assert list_join(["さとう", "たなか"]) == "さとう、たなか"
        assert paren("2030-05-21") == "（2030-05-21）"
        assert fiscal_label(2025) == "令和7年度" and fiscal_label(2025, western=True) == "令和7年度（2025年度）"
        assert fiscal_label(2019) == "令和元年度"



def test_flashed_sentences_in_english_mark_the_japanese_name_they_embed(client, auth, make_user, submit):
    """A flash waits in the session cookie between the POST and the page that shows it: our sentence must
    come back as markup, with the holiday or label in lang="ja" and whatever was typed still escaped."""
    make_user("admin1", role="admin", display_name="管理者")
    make_user("sato", display_name="主任推進員 さとう")
    auth.login("admin1")
    client.set_cookie("lang", "en")

    def shown(response) -> str:
        html = response.get_data(as_text=True)
        found = audit(html)
        assert found.root_lang == "en" and not found.leaks, found.leaks
        assert "&lt;span" not in html  # the cookie round trip kept our markup as markup
        return html

    created = submit("/admin/sessions/new", "/admin/sessions/new", {
        "date": HOLIDAY.isoformat(), "start": "13:30", "end": "16:30", "format": "online", "location": "",
        "join_url": "", "slot_minutes": "30", "capacity": "2", "promoters": ["sato"]})
    assert created.request.path == "/admin/sessions"
    assert 'is a national holiday (<span lang="ja">春分の日</span>).' in shown(created)

    typed = "<b>ゲーム</b>依存"
    marked = '<span lang="ja">&lt;b&gt;ゲーム&lt;/b&gt;依存</span>'
    added = submit("/admin/vocabulary", "/admin/vocabulary/topic", {
        "topic-label_ja": typed, "topic-label_en": "Gaming", "topic-key": "gaming"}, prefix="topic-")
    assert f"Added “{marked}”." in shown(added)
    term = db_session.scalars(select(Term).where(Term.key == "gaming")).one()
    saved = submit(f"/admin/vocabulary/{term.id}/edit", f"/admin/vocabulary/{term.id}/edit",
                   {"label_ja": typed, "label_en": "Gaming", "position": "50"})
    assert f"Saved “{marked}”." in shown(saved)
    retired = submit("/admin/vocabulary", f"/admin/vocabulary/{term.id}/retire")
    assert f"Retired “{marked}”. Past records keep it." in shown(retired)
    deleted = submit("/admin/vocabulary", f"/admin/vocabulary/{term.id}/delete")
    assert f"Deleted “{marked}”." in shown(deleted)

    client.set_cookie("lang", "ja")  # Japanese pages: the same sentence, plain and escaped
    again = submit("/admin/vocabulary", "/admin/vocabulary/topic", {
        "topic-label_ja": typed, "topic-label_en": "", "topic-key": "gaming2"}, prefix="topic-")
    assert "「&lt;b&gt;ゲーム&lt;/b&gt;依存」を追加しました。" in again.get_data(as_text=True)
