"""Check-ins, the live queue, hand-offs and outcomes: the public surface every caller uses.

The pages, the JSON API, the CLI and the relay call these functions (`operations.take(...)`),
so each rule lives in one place; the modules of this package each hold one job. No Flask: the
relay runs them in worker threads. Each write is committed before it returns, so whatever a
caller acknowledges is already in the database. What counts as a visit, a consultation and a
wait is defined in `counting`; when a session is open, in `webapp.sessions.queries.is_open`.
"""
from webapp.checkins.operations.access import can_staff, followed_sessions
from webapp.checkins.operations.checkin import check_in
from webapp.checkins.operations.configuration import Settings, configure, settings
from webapp.checkins.operations.conversation import (
    announce,
    post_message,
    recent_announcements,
    recent_messages,
    recent_messages_of,
)
from webapp.checkins.operations.crisis import contains_crisis_word, crisis_contacts
from webapp.checkins.operations.handoff import HANDOFF_MODES, take, transfer
from webapp.checkins.operations.leaving import erase_own, expire_stale, leave, remove, touch
from webapp.checkins.operations.outcomes import RESULT_KEYS, close
from webapp.checkins.operations.presence import (
    arrived,
    connected_ids,
    departed,
    heartbeat,
)
from webapp.checkins.operations.queue import (
    counts,
    estimate_s,
    estimated_wait_s,
    position,
    present_place,
    promoter_count,
    queue,
    queue_rows,
    waiting_count,
    waiting_line,
    waiting_line_places,
)
from webapp.checkins.operations.records import OPEN_STATUSES, _clean, get, token_state
from webapp.sessions.queries import is_open as session_is_open

__all__ = [
    "HANDOFF_MODES", "OPEN_STATUSES", "RESULT_KEYS", "Settings", "_clean", "announce",
    "can_staff", "check_in", "close", "configure", "contains_crisis_word", "counts", "crisis_contacts",
    "erase_own", "estimate_s",
    "estimated_wait_s", "expire_stale", "followed_sessions", "get", "leave", "position", "post_message",
    "promoter_count", "queue", "queue_rows", "recent_announcements", "recent_messages",
    "recent_messages_of", "remove", "session_is_open",
    "settings",
    "take", "token_state", "touch", "transfer", "waiting_count", "waiting_line",
    "arrived", "connected_ids", "departed", "present_place", "heartbeat",
    "waiting_line_places",
]
