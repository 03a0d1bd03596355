"""Pure functions from sessions to iCalendar bytes (RFC 5545, RFC 7986).

Nothing here touches the database: callers hand in the sessions, the counts and
how to link to a session, so the same input (in the same language) always gives
the same bytes, which is what lets the feeds carry stable ETags.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
from collections.abc import Callable, Iterable, Mapping

from flask_babel import gettext as _
from icalendar import Alarm, Calendar, Event, Timezone, vDuration

from webapp import city
from webapp.sessions.models import FORMATS
from webapp.templating import clock, format_label
from webapp.timeutil import TOKYO, local

#: How often calendar apps are asked to fetch the feed again.
REFRESH_INTERVAL = dt.timedelta(hours=1)
ALARMS = (dt.timedelta(days=1), dt.timedelta(minutes=30))

SessionUrl = Callable[[object], str]


@dataclasses.dataclass(frozen=True)
class SessionCounts:
    """What a promoter sees about a session's demand in their own feed."""

    reservations: int = 0
    checkins: int = 0


@functools.cache
def tokyo_vtimezone() -> Timezone:
    """The Asia/Tokyo VTIMEZONE, generated once from the tz database by icalendar."""
    return Timezone.from_tzid(str(TOKYO), last_date=dt.date(2101, 1, 1))


def session_uid(session_id: int) -> str:
    """The UID of a session's event; it never changes, so clients update instead of duplicating."""
    return f"session-{session_id}@{city.uid_domain()}"


def reservation_uid(code: str) -> str:
    """A stable UID that neither reveals the code nor how many reservations exist."""
    return f"reservation-{hashlib.sha256(code.encode()).hexdigest()[:24]}@{city.uid_domain()}"


def public_calendar(sessions: Iterable, *, session_url: SessionUrl) -> bytes:
    """The feed anyone may subscribe to: times, format and place, nothing about people."""
    names = city.texts()
    cal = _calendar(_("%(programme)s（%(city)s）", **names),
                    _("%(city)sの%(programme)sの開催予定です。どこに相談したらよいか分からない悩みや、"
                      "言葉にしにくい気持ちを、%(listeners)sがお聞きします。変更や中止は自動で反映されます。", **names))
    summaries, intro = _summaries(), _("予約なしでも参加できます。お名前はうかがいません。")
    events = []
    for session in sessions:
        page = session_url(session)
        description = "\n".join([intro, *_status_lines(session), _("くわしく・予約: %(url)s", url=page)])
        events.append(_session_event(session, summaries, description, url=page))
    return _assemble(cal, events)


def staff_calendar(sessions: Iterable, *, staff_name: str, counts: Mapping[int, SessionCounts],
                   session_url: SessionUrl, console_url: SessionUrl | None = None) -> bytes:
    """One promoter's feed: their sessions with reservation and visit counts, the join link and the console.

    Each event's URL is that session's console (`console_url`), where the promoter works on the day.
    """
    programme = city.programme()
    cal = _calendar(_("%(programme)s（担当: %(name)s）", programme=programme, name=staff_name),
                    _("%(name)s さんが担当する%(programme)sです。予約・受付の件数はカレンダーの更新時点のものです。",
                      programme=programme, name=staff_name))
    summaries, events = _summaries(), []
    for session in sessions:
        page = session_url(session)
        console = console_url(session) if console_url else None
        description = _staff_description(session, counts.get(session.id, SessionCounts()), page, console)
        events.append(_session_event(session, summaries, description, url=console or session.join_url or page))
    return _assemble(cal, events)


def reservation_calendar(reservation, session, *, manage_url: str, session_page: str) -> bytes:
    """A resident's own slot: one event, two reminders, the code; no nickname, no topic.

    The join link is left out on purpose: residents check in on the session page
    and are handed the link by the promoter who takes them.
    """
    slot = reservation.slot
    cancelled = reservation.status != "active" or session.status == "cancelled"
    summary = _("%(programme)s（ご予約）", programme=city.programme())
    event = Event()
    event.add("uid", reservation_uid(reservation.code))
    event.add("dtstamp", max(filter(None, (session.updated_at, reservation.created_at, reservation.cancelled_at))))
    event.add("sequence", session.sequence + (1 if reservation.status != "active" else 0))
    event.add("dtstart", local(slot.starts_at))
    event.add("dtend", local(slot.ends_at))
    event.add("summary", (_("【中止】") + summary) if cancelled else summary)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    # PRIVATE: a calendar shared with family or colleagues shows only "busy".
    event.add("class", "PRIVATE")
    if session.location:
        event.add("location", session.location)
    event.add("url", session_page)
    event.add("description", _reservation_description(reservation, session, manage_url, session_page, cancelled))
    if not cancelled:
        for before in ALARMS:
            event.add_component(_alarm(before, slot.starts_at))
    cal = _base_calendar()
    cal.add_component(event)
    return cal.to_ical()


def _base_calendar() -> Calendar:
    """A VCALENDAR carrying the Asia/Tokyo VTIMEZONE its events' TZID points to."""
    cal = Calendar()
    cal.add("prodid", city.prodid())
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add_component(tokyo_vtimezone())
    return cal


def _calendar(name: str, description: str) -> Calendar:
    """A feed's VCALENDAR, with what every subscribing client looks for (contract section 4)."""
    cal = _base_calendar()
    cal.add("x-wr-calname", name)
    cal.add("name", name)
    cal.add("x-wr-caldesc", description)
    cal.add("x-wr-timezone", str(TOKYO))
    # VALUE=DURATION must be explicit: RFC 7986 requires it for REFRESH-INTERVAL.
    cal.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    # Outlook reads this one; an X- property must be told it holds a duration.
    cal.add("x-published-ttl", vDuration(REFRESH_INTERVAL))
    return cal


@dataclasses.dataclass(frozen=True)
class SessionEvent:
    """Everything one session's VEVENT says; hashable, so its serialization can be remembered."""

    uid: str
    dtstamp: dt.datetime
    sequence: int
    start: dt.datetime
    end: dt.datetime
    summary: str
    status: str
    location: str
    url: str
    description: str


def _summaries() -> dict[tuple[str, bool], str]:
    """Every event title by (format, cancelled), translated once per feed rather than once per event."""
    titles, programme = {}, city.programme()
    for fmt in FORMATS:
        title = _("%(programme)s（%(format)s）", programme=programme, format=format_label(fmt))
        # Some apps ignore STATUS in subscriptions, so the title says it too.
        titles[fmt, False], titles[fmt, True] = title, _("【中止】") + title
    return titles


def _session_event(session, summaries: Mapping, description: str, *, url: str) -> SessionEvent:
    """A session's event; SEQUENCE and DTSTAMP come from the session, so every fetch agrees."""
    cancelled = session.status == "cancelled"
    return SessionEvent(
        uid=session_uid(session.id), dtstamp=session.updated_at, sequence=session.sequence,
        start=local(session.starts_at), end=local(session.ends_at), summary=summaries[session.format, cancelled],
        status="CANCELLED" if cancelled else "CONFIRMED", location=session.location, url=url,
        description=description,
    )


@functools.lru_cache(maxsize=4096)
def _vevent_bytes(item: SessionEvent) -> bytes:
    """The VEVENT as icalendar writes it, computed once per distinct content.

    Serializing is most of a feed's cost; after one session changes, only its
    event is written again and the other events of every feed are reused.
    """
    event = Event()
    event.add("uid", item.uid)
    event.add("dtstamp", item.dtstamp)
    event.add("last-modified", item.dtstamp)
    event.add("sequence", item.sequence)
    event.add("dtstart", item.start)
    event.add("dtend", item.end)
    event.add("summary", item.summary)
    event.add("status", item.status)
    if item.location:
        event.add("location", item.location)
    if item.url:
        event.add("url", item.url)
    event.add("description", item.description)
    return event.to_ical()


def forget_serialized() -> None:
    """Drop every remembered VEVENT (a benchmark measuring a cold start needs this)."""
    _vevent_bytes.cache_clear()


def _assemble(cal: Calendar, events: list[SessionEvent]) -> bytes:
    """The calendar's own lines with the events' lines placed before its END line.

    Byte for byte what `cal.add_component(...)` for each event and `cal.to_ical()` would give.
    """
    end = b"END:VCALENDAR\r\n"
    head = cal.to_ical()
    return head[:-len(end)] + b"".join(_vevent_bytes(e) for e in events) + end


def _staff_description(session, counts: SessionCounts, page: str, console: str | None) -> str:
    lines = _status_lines(session)
    lines.append(_("予約: %(reservations)d件 / 受付: %(checkins)d件（カレンダー更新時点）",
                   reservations=counts.reservations, checkins=counts.checkins))
    if session.format == "in_person":
        lines.append(_("会場: %(place)s", place=session.location or "-"))
    elif session.join_url:
        lines.append(_("参加リンク: %(url)s", url=session.join_url))
    else:
        lines.append(_("参加リンクはまだ登録されていません。"))
    if console:
        lines.append(_("当日の画面（コンソール）: %(url)s", url=console))
    lines.append(_("相談会のページ: %(url)s", url=page))
    return "\n".join(lines)


def _status_lines(session) -> list[str]:
    """Cancellation, holiday and the admin's note: the same for residents and staff."""
    lines = []
    if session.status == "cancelled":
        lines.append(_("この回は中止になりました。"))
    if session.holiday:
        lines.append(_("祝日（%(name)s）の開催です。", name=session.holiday_name))
    if session.note:
        lines.append(session.note)
    return lines


def _reservation_description(reservation, session, manage_url: str, session_page: str, cancelled: bool) -> str:
    lines = [_("予約番号: %(code)s", code=reservation.code)]
    if cancelled:
        lines.append(_("このご予約は取り消されたか、相談会が中止になりました。"))
    elif session.format == "in_person":
        lines.append(_("当日は会場の受付でこの予約番号をお伝えください。"))
    else:
        lines.append(_("当日は相談会のページから受付をして、この予約番号を入力してください。"))
    lines.append(_("相談会の時間: %(start)s〜%(end)s（%(format)s）", start=clock(session.starts_at),
                   end=clock(session.ends_at), format=format_label(session.format)))
    lines.append(_("相談会のページ: %(url)s", url=session_page))
    lines.append(_("予約の確認・取消: %(url)s", url=manage_url))
    return "\n".join(lines)


def _alarm(before: dt.timedelta, starts_at: dt.datetime) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", -before)
    if before >= dt.timedelta(days=1):
        text = _("明日 %(time)s から、%(programme)sのご予約があります。", time=clock(starts_at),
                 programme=city.programme())
    else:
        text = _("%(minutes)d分後に、%(programme)sのご予約の時間です。", minutes=int(before.total_seconds() // 60),
                 programme=city.programme())
    alarm.add("description", text)
    return alarm
