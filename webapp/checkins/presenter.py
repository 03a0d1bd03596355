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
from webapp.checkins.operations.outcomes import REFERRED
from webapp.db import db_session
from webapp.sessions.models import Session
from webapp.sessions.queries import next_after
from webapp.staff.models import User
from webapp.templating import clock, format_label, lang, with_data
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
        "extended": _("相談会の終了時刻が {time} に延びました。このままお待ちください。"),
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


# --- staff ------------------------------------------------------------------------------------------

def status_text(entry: dict, user: User) -> str:
    if entry.get("not_seen"):
        return _("未対応")
    if entry["status"] == "waiting":
        return _("待機中")
    taker = entry.get("taken_by")
    if taker and taker["login"] == user.login:
        return _("相談中（あなた）")
    if not taker:
        return _("相談中")
    return with_data(_("相談中（%(name)s）"), name=taker["display_name"])


def presence_text(entry: dict) -> str:
    """接続中, or 離席中 since when, for a resident's row (nothing for a visitor recorded by staff)."""
    if entry.get("source") != "resident" or entry["status"] not in operations.OPEN_STATUSES:
        return ""
    if entry.get("connected"):
        return _("接続中")
    since = entry.get("away_since")
    return _("離席中（%(time)s から）", time=clock(dt.datetime.fromisoformat(since))) if since else _("離席中")


def minutes_text(seconds: int) -> str:
    return _("%(m)s分", m=seconds // 60)


def console_strings() -> dict:
    """Every sentence console.js may show, in the page's language."""
    return {
        "waiting": _("待機中"),
        "not_seen": _("未対応"),
        "closing_left": _("あと {m}分{s}秒"),
        "closing_over": _("終了時刻になりました"),
        "closing_end": _("終了予定 {time}"),
        "closing_ended_note": _("待っていた人は「未対応」と表示されます。「来場として記録する」で終えてください。緊急の人はそのまま対応を続けてください。"),  # noqa: E501
        "closing_warning": _("終了まで10分を切りました。延長するときは「15分延長する」か「30分延長する」を押してください。"),  # noqa: E501
        "extended_to": _("終了時刻を {time} に延長しました。"),
        "in_consultation_me": _("相談中（あなた）"),
        "present": _("接続中"),
        "away": _("離席中（{time} から）"),
        "away_unknown": _("離席中"),
        "typing": _("入力中…"),
        "with_number": _("{n}番 {name}"),
        "end_visit": _("来場のみで終了"),
        "close_visit": _("来場として記録する"),
        "note_from": _("{from} からのメモ："),
        "in_consultation_other": _("相談中（{name}）"),
        "in_consultation": _("相談中"),
        "with_nickname": _("{avatar}（{nickname}）"),
        "reserved_yes": _("予約あり"),
        "reserved_no": _("なし"),
        "walkin": _("職員が記録"),
        "waited": _("{m}分{s}秒"),
        "open_chat": _("やりとりを開く"),
        "panel_waiting": _("待機中。メッセージを送れます（推進員全員に見えます）。"),
        "panel_mine": _("あなたが対応中（{mode}）。このやりとりは本人とあなただけに見えます。"),
        "panel_other": _("{name} が対応中です。"),
        "panel_ended": _("このやりとりは終わりました。"),
        "panel_walkin": _("職員が記録した来場者です。記録をして終えてください。"),
        "panel_left": _("相談者が退出しました。記録をして終えてください。"),
        "left_in_consultation": _("{name} が退出しました。記録をして終えてください。"),
        "received": _("{from} から {name} を引き継ぎました。"),
        "you": _("あなた"),
        "resident": _("相談者"),
        "chars_left": _("あと {n} 文字"),
        "connecting": _("接続しています…"),
        "reconnecting": _("再接続しています…"),
        "connected": _("接続中"),
        "login_again": _("接続できません。ログインし直してください。"),
        "offline": _("いまは接続が切れています。再接続を待ってからもう一度どうぞ。"),
        "empty": _("文を入力してください。"),
        "too_long": _("長すぎます。短く分けて送ってください。"),
        "new_arrival": _("新しい来場者：{name}"),
        "new_message": _("{name} からメッセージ"),
        "urgent_arrival": _("緊急：{name}"),
        "taken": _("{name} に対応を始めました。"),
        "transferred": _("{name} を {to} に引き継ぎました。"),
        "closed": _("記録しました。{name} の相談を終えました。"),
        "removed": _("{name} を退出させました。"),
        "erased": _("{name} が書いたメッセージを消しました。"),
        "left": _("{name} が退出しました。"),
        "announced": _("お知らせを送りました。"),
        "walkin_recorded": _("来場者を1人記録しました。"),
        "choose_avatar": _("アバターを選んでください。"),
        "outcome_problems": outcome_problems(),
        "modes": {"text": mode_label("text"), "online": mode_label("online"),
                  "metaverse": mode_label("metaverse"), "in_person": mode_label("in_person")},
        "errors": {
            "already_taken": _("ほかの推進員がすでに対応しています。"),
            "not_your_checkin": _("ほかの推進員が対応中です。"),
            "checkin_closed": _("この人の受付はもう終わっています。"),
            "checkin_changed": _("状態が変わりました。表示を確かめてください。"),
            "invalid_outcome": _("記録の内容を確かめてください。"),
            "invalid_transfer": _("その推進員には引き継げません。"),
            "session_not_open": _("この相談会はいま記録できません。"),
            "too_long": _("長すぎます。短く分けて送ってください。"),
            "rate_limited": _("操作が続きすぎました。少し待ってください。"),
            "forbidden": _("この相談会を担当していません。"),
            "invalid_minutes": _("延長できるのは1分から120分までです。"),
            "invalid_times": _("日付をまたいで延長することはできません。"),
            "generic": _("うまくいきませんでした。もう一度お試しください。"),
        },
    }


def referred_label() -> str:
    """How the vocabulary names the result "referred" now (admins may reword it)."""
    return next((t["label"] for t in terms("result") if t["key"] == REFERRED), _("関係機関につないだ"))


def outcome_problems() -> dict:
    """The console's words for each way an outcome may not add up (outcomes.py `OutcomeProblem.problem`)."""
    referred = referred_label()
    again = _("選べない項目です。画面を読み込み直して、選び直してください。")
    visit = _("「来場のみ」のときは、分野・結果・つないだ先は記録しません。")
    return {
        "topic_needed": _("相談の分野を1つ以上選んでください。"),
        "result_needed": _("相談の結果を選んでください。"),
        "agency_needed": _("結果が「%(referred)s」のときは、つないだ先を選んでください。", referred=referred),
        "referral_needed": _("つないだ先を選んだときは、結果を「%(referred)s」にしてください。つないでいないときは、つないだ先を「なし」にしてください。", referred=referred),  # noqa: E501
        "unknown_topic": again, "unknown_result": again, "unknown_agency": again,
        "visit_has_topics": visit, "visit_has_result": visit, "visit_has_agency": visit,
    }


def console_data(session: Session, user: User) -> dict:
    """The console's first state: table rows for the template, and the JSON data island for JS."""
    checkins = operations.queue(session.id)
    entries = frames.staff_queue(session.id)["entries"]
    visible = {c.id for c in checkins if c.status == "waiting" or c.taken_by_id == user.id}
    messages = {str(cid): [message_view(m) for m in operations.recent_messages(cid)] for cid in visible}
    rendered = []
    for entry in entries:
        avatar = avatar_view(entry["avatar"])
        rendered.append({**entry, "avatar_image": avatar["image_url"], "avatar_label": avatar["label"],
                         "waited_text": minutes_text(entry["waited_s"]), "status_text": status_text(entry, user),
                         "presence_text": presence_text(entry)})
    page_data = {
        "lang": lang(),
        "session_id": session.id,
        "session_format": session.format,
        "ends_at": iso(session.ends_at),
        "me": {"login": user.login, "display_name": user.display_name},
        "message_max": operations.settings.message_max_chars,
        "typing_interval_ms": int(limits.TYPING_INTERVAL_S * 1000),
        "transfer_note_max": limits.TRANSFER_NOTE_MAX,
        "avatars": {a["id"]: a for a in avatar_list()},
        "queue": entries,
        "counts": operations.counts(session.id),
        "messages": messages,
        "strings": console_strings(),
    }
    return {"rendered_queue": rendered, "page_data": page_data}
