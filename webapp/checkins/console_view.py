"""What the staff console shows: its rows, strings and data island (the resident pages: presenter.py).

Everything here only reads; writes go through `operations`. Entries follow the relay's staff frames
(CONTRACT.md section 5), so the console rendered by the server and the one kept live by JS agree.
"""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _

from realtime import frames
from webapp import limits
from webapp.checkins import operations
from webapp.checkins.operations.outcomes import REFERRED
from webapp.checkins.presenter import avatar_list, avatar_view, message_view, mode_label, terms
from webapp.sessions.models import Session
from webapp.staff.models import User
from webapp.templating import clock, lang, with_data
from webapp.timeutil import iso


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
    recent = operations.recent_messages_of(visible)
    messages = {str(cid): [message_view(m) for m in recent.get(cid, [])] for cid in visible}
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
