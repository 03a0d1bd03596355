"""What the room page hands its scripts: the mode, who you are, and every sentence in the page's language."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from webapp.checkins import avatars, operations
from webapp.checkins import presenter as checkin_presenter
from webapp.i18n import select_locale
from webapp.sessions.models import Session


def zone_names() -> dict[str, str]:
    """A zone's name by its kind (booths are numbered by the page: 相談ブース 1, 2…)."""
    return {"entrance": _("入口"), "lounge": _("ラウンジ"), "board": _("掲示板"), "booth": _("相談ブース {n}")}


def emote_names() -> dict[str, str]:
    """The fixed stamps' words; an id the relay adds later shows as itself until it is named here."""
    return {"wave": _("こんにちは"), "hello": _("こんにちは"), "bow": _("よろしくお願いします"),
            "thanks": _("ありがとう"), "smile": _("にっこり"), "ok": _("OK"), "clap": _("はくしゅ"),
            "heart": _("うれしい"), "bye": _("またね")}


def page_data(session: Session, mode: str, checkin=None, staff=None) -> dict:
    """The room's JSON data island."""
    own = None
    if checkin is not None:
        avatar = avatars.get(checkin.avatar)
        own = {"avatar": checkin.avatar, "nickname": checkin.nickname or "", "status": checkin.status,
               "label": avatar.label(select_locale()) if avatar else ""}
    if staff is not None:
        own = {"avatar": None, "nickname": staff.display_name, "status": "staff", "label": staff.display_name}
    return {
        "mode": mode,
        "session_id": session.id,
        "lang": select_locale(),
        "map_url": f"/api/v1/sessions/{session.id}/room",
        "avatar_url": url_for("static", filename="avatars/"),
        "avatars": {a.id: a.label(select_locale()) for a in avatars.AVATARS},
        "own": own,
        "message_max": operations.settings.message_max_chars,
        "zones": zone_names(),
        "emotes": emote_names(),
        "strings": {**checkin_presenter.waiting_room_strings(), **room_strings()},
    }


def room_strings() -> dict[str, str]:
    """Sentences the scripts fill in ({name}, {place}, {n} placeholders)."""
    return {
        "entered_place": _("{name}が{place}に入りました"),
        "you_in_place": _("あなたは{place}にいます"),
        "resident_name": _("{name}さん"),
        "staff_badge": _("主任推進員"),
        "go_here": _("ここへ行く"),
        "go_near": _("そばへ行く"),
        "nobody": _("だれもいません"),
        "people_n": _("{n}人："),
        "list_sep": _("、"),
        "about": _("：{name}"),
        "stamp_said": _("{name}：{stamp}"),
        "booth_taken": _("このブースは使用中です"),
        "in_use": _("（使用中）"),
        "asked": _("相談の順番に並びました。"),
        "in_booth": _("相談ブースで、担当の推進員と文字で話せます。ほかの人には見えません。"),
        "left": _("{name}がルームを出ました"),
        "muted": _("スタンプを止めました"),
        "mute": _("スタンプを止める"),
        "unmute": _("スタンプを戻す"),
        "remove": _("退出させる"),
        "remove_really": _("本当に退出させますか？"),
        "cancel": _("やめる"),
        "unmuted": _("スタンプを戻しました"),
        "stamps_muted": _("スタンプは使えません"),
        "crisis_board": _("掲示板の連絡先を見る"),
        "map_missing": _("地図を読み込めませんでした。ページを開き直してください。"),
        "tour_next": _("次へ"),
        "tour_done": _("練習を終える"),
        "tour_1": _("矢印キーか W・A・S・D で歩けます。地図をタップしたところへも歩いて行きます。"),
        "tour_2": _("「場所の一覧」の「ここへ行く」ボタンでも、その場所へ行けます。"),
        "tour_3": _("スタンプのボタンで、ほかの人にあいさつできます。文字のやりとりはありません。"),
        "tour_4": _("相談したいときは「相談する」を押すか、相談ブースへ歩いて行きます。練習では並びません。"),
        "tour_end": _("練習はここまでです。相談会の時間に、またお越しください。"),
        "practice_ask": _("練習なので、順番には並びません。相談会の時間に押すと、順番に並びます。"),
    }
