"""What the check-in pages show: state shaped for templates and the JSON data islands read by JS.

Everything here only reads; writes go through `operations`. The shapes follow the relay's frames
(CONTRACT.md section 5), so the page rendered by the server and the page kept live by JS agree.
"""
from __future__ import annotations

import datetime as dt
import math

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from realtime import frames
from webapp import limits
from webapp.checkins import avatars, operations
from webapp.checkins.models import CheckIn, Message, Term
from webapp.db import db_session
from webapp.sessions.models import Session
from webapp.sessions.queries import next_after
from webapp.templating import clock, format_label, lang
from webapp.timeutil import iso

# --- shared ---------------------------------------------------------------------------------------

def avatar_view(avatar_id: str) -> dict:
    """One avatar as templates and JS use it (image URL relative to this site)."""
    avatar = avatars.get(avatar_id)
    if avatar is None:  # an id retired after check-in: still show something
        return {"id": avatar_id, "label_ja": avatar_id, "label_en": avatar_id, "image_url": "", "label": avatar_id}
    return {"id": avatar.id, "label_ja": avatar.label_ja, "label_en": avatar.label_en,
            "image_url": url_for("static", filename=avatar.static_path), "label": avatar.label(lang())}


def avatar_list() -> list[dict]:
    return [avatar_view(a.id) for a in avatars.AVATARS]


def message_view(message: Message) -> dict:
    """A stored message in the relay's `message` frame shape."""
    staff = message.staff_user
    return {"from": message.sender, "sender": message.sender, "text": message.text or "", "at": iso(message.created_at),
            "clock": clock(message.created_at), "display_name": staff.display_name if staff else None}


def wait_text(seconds: int | None) -> str:
    if seconds is None:
        return ""
    if seconds < 60:
        return _("まもなくです。")
    return _("待ち時間の目安：約 %(n)s 分", n=math.ceil(seconds / 60))


def mode_label(mode: str) -> str:
    return _("文字チャット") if mode == "text" else format_label(mode)


def modes(session: Session) -> list[tuple[str, str]]:
    """Hand-off modes a promoter may choose: the session's own format first, then text chat."""
    return [(session.format, mode_label(session.format)), ("text", mode_label("text"))]


def terms(kind: str) -> list[dict]:
    """The choosable (non-retired) words of one outcome vocabulary, in display order."""
    rows = db_session.scalars(
        select(Term).where(Term.kind == kind, Term.retired.is_(False)).order_by(Term.position, Term.id))
    return [{"key": t.key, "label": t.label_en if lang() == "en" else t.label_ja} for t in rows]


# --- resident ---------------------------------------------------------------------------------------

def closed_reason(session: Session, now: dt.datetime) -> str:
    """Why check-in is closed: "cancelled", "not_started" or "ended"."""
    if session.status == "cancelled":
        return "cancelled"
    return "not_started" if now < session.starts_at else "ended"


def resident_state(checkin: CheckIn) -> dict:
    """What the waiting room shows before JS connects."""
    place = operations.position(checkin)
    return {
        **where_to_turn(checkin),
        "position": place,
        "wait_text": wait_text(operations.estimated_wait_s(checkin)),
        "handoff": frames.handoff(checkin) if checkin.status == "in_consultation" else None,
        "handoff_changed": checkin.status == "in_consultation" and len(checkin.handlers) > 1,
        "messages": [message_view(m) for m in operations.recent_messages(checkin.id)],
        "avatar": avatar_view(checkin.avatar),
    }


def where_to_turn(checkin: CheckIn | None) -> dict:
    """The crisis contacts and the next session, shown once a check-in is over (page and done page)."""
    return {"contacts": operations.crisis_contacts(),
            "next_session": next_after(checkin.session if checkin is not None else None)}


def end_texts() -> dict:
    """Why a check-in ended, as the resident is told (waiting room and done page say the same).

    Keyed by the `closed` frame's reason; "closed_visit" is a `closed` that was no consultation.
    Only a consultation is thanked for talking; whoever did not talk is not told they did.
    """
    return {
        "closed": _("推進員との相談を終えました。お話ししてくださって、ありがとうございました。話し足りないことや、あとから気になったことがあれば、いつでも相談してください。"),  # noqa: E501
        "closed_visit": _("推進員が受付を終えました。来てくださって、ありがとうございました。話したいことがあるときは、いつでも下の窓口や次の相談会を頼ってください。"),  # noqa: E501
        "left": _("退出しました。来てくださって、ありがとうございました。話したいことがあるときは、いつでも下の窓口や次の相談会を頼ってください。"),  # noqa: E501
        "erased": _("書いたメッセージを消して、退出しました。推進員の画面からも消えています。話したいことがあるときは、いつでも下の窓口や次の相談会を頼ってください。"),  # noqa: E501
        "removed": _("この受付は、推進員が終了しました。話したいことがあるときは、下の窓口でいつでも話せます。"),
        "timeout": _("しばらく接続がなかったため、受付を終了しました。話したいことがあるときは、いつでも下の窓口や次の相談会を頼ってください。"),  # noqa: E501
        "session_ended": _("本日の相談会は終了の時刻になりました。お待たせしたまま、お話しできずにごめんなさい。下の窓口なら、いまからでも話せます。次の相談会にも、どうぞお越しください。"),  # noqa: E501
        "": _("話したいことがあるときは、いつでも下の窓口や次の相談会を頼ってください。"),
    }


def end_text(reason: str | None, consulted: bool) -> str:
    """The sentence the done page shows for this ending (the waiting room picks the same in JS)."""
    key = "closed_visit" if reason == "closed" and not consulted else (reason or "")
    texts = end_texts()
    return texts.get(key, texts[""])


def end_heading(reason: str | None) -> str:
    """The done page's title: thanks where the resident chose to end, a plain statement otherwise."""
    return _("受付が終わりました") if reason in ("removed", "timeout", "session_ended") else _("ありがとうございました")


def end_reason(checkin: CheckIn | None) -> str | None:
    """Why a check-in is over, in the words of the relay's `closed` frame (None: not known or not over)."""
    if checkin is None or checkin.status in operations.OPEN_STATUSES:
        return None
    return frames.end_reason(checkin)


def waiting_room_strings() -> dict:
    """Every sentence waiting-room.js may show, in the page's language."""
    return {
        "position_next": _("次があなたの番です。"),
        "position_n": _("あなたは {n} 番目です。"),
        "checking": _("順番を確かめています…"),
        "wait_soon": _("まもなくです。"),
        "wait_minutes": _("待ち時間の目安：約 {n} 分"),
        "you": _("あなた"),
        "staff": _("推進員"),
        "chars_left": _("あと {n} 文字"),
        "reconnecting": _("再接続しています…"),
        "offline_send": _("いまは送れません。つながり直すまで少しお待ちください。"),
        "too_long": _("長すぎるため送れません。短く分けて送ってください。"),
        "empty": _("メッセージを入力してください。"),
        "error_generic": _("うまく送れませんでした。もう一度お試しください。"),
        "error_too_long": _("長すぎるため送れません。短く分けて送ってください。"),
        "error_rate_limited": _("続けて送りすぎました。少し待ってからお送りください。"),
        "error_empty_text": _("メッセージを入力してください。"),
        "error_checkin_closed": _("この受付は終わっています。"),
        **{f"ended_{key}": text for key, text in end_texts().items()},
        "closing_soon": _("本日の相談会は {time} に終わります。順番が来なかったときは、ほかの相談先をご案内します。"),
        "extended": _("相談会の終了時刻が {time} に変わりました。このままお待ちください。"),
        "handoff_promoter": _("担当：{name}"),
        "handoff_changed": _("担当が {name} にかわりました。"),
        "typing": _("入力中…"),
        "number": _("受付番号 {n}"),
        "handoff_text": _("このまま、下の欄で推進員と文字でお話しできます。ほかの人には見えません。"),
        "handoff_room": _("下のボタンから相談の部屋に入ってください。"),
        "join": _("部屋に入る"),
        "join_hint": _("部屋に入りにくいときは、下の欄に書いてお知らせください。"),
        "handoff_in_person": _("会場の推進員のところへお越しください。"),
        "place": _("場所：{place}"),
        "in_person_hint": _("この画面のアバターを見せていただければ大丈夫です。"),
        "crisis_title": _("あなたのことが心配です"),
        "crisis_body": _("つらい気持ちを書いてくださって、ありがとうございます。いますぐ話せる窓口があります。"),
        "crisis_stay": _("推進員にもお知らせしました。このまま待合室にいても大丈夫です。"),
    }


def waiting_room_data(checkin: CheckIn) -> dict:
    """The waiting room's JSON data island."""
    return {
        "lang": lang(),
        "strings": waiting_room_strings(),
        "message_max": operations.settings.message_max_chars,
        "typing_interval_ms": int(limits.TYPING_INTERVAL_S * 1000),
        "location": checkin.session.location,
    }
