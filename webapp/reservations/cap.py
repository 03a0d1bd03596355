"""One phone cannot book out a session: at most N reservations per client per session, M per session an hour.

Counted in the rate-limit storage (webapp/caps.py) under the keyed hash of the client address that
webapp/ratelimit.py uses, so no address is stored anywhere and nothing of it reaches the database.
`RESERVATIONS_PER_CLIENT_PER_SESSION` sets N and `RESERVATIONS_PER_SESSION_PER_HOUR` sets M (0: no
cap); like every rate limit they are off with `RATELIMIT_ENABLED=false` (load tests reserve from one address).
"""
from __future__ import annotations

from flask import current_app

from webapp import caps
from webapp.db import utcnow
from webapp.ratelimit import anonymous_client_key
from webapp.sessions.models import Session

DEFAULT_CAP = 2
DEFAULT_PER_SESSION_PER_HOUR = 60
#: Kept a day past the session's end, then the storage forgets it by itself.
KEEP_AFTER_END_S = 24 * 3600
HOUR_S = 3600


def limit() -> int:
    """Reservations one client may hold in one session (0: no cap)."""
    return int(current_app.config.get("RESERVATIONS_PER_CLIENT_PER_SESSION", DEFAULT_CAP))


def _per_client(session: Session) -> caps.Cap:
    expiry = int(max(60, (session.ends_at - utcnow()).total_seconds() + KEEP_AFTER_END_S))
    return caps.Cap(caps.key("reservations", session.id, anonymous_client_key()), limit(), expiry,
                    "too_many_reservations", f"One device can hold at most {limit()} reservations in a session.")


def _per_session_hour(session: Session) -> caps.Cap:
    per_hour = int(current_app.config.get("RESERVATIONS_PER_SESSION_PER_HOUR", DEFAULT_PER_SESSION_PER_HOUR))
    return caps.Cap(caps.key("reservations", session.id, "hour", caps.window(HOUR_S)), per_hour, HOUR_S + 60,
                    "session_busy", "This session is taking very many reservations just now; please try again "
                                    "in a while.")


def counted(session: Session):
    """Count one reservation of this client in this session around the block; refuse one past a cap (429).

    The count is taken first and given back when the block fails (a full slot, say), so two quick
    presses cannot both slip under the cap. A storage that does not answer never stops a reservation.
    """
    return caps.counted(_per_client(session), _per_session_hour(session))


def released(session: Session) -> None:
    """This client cancelled one of its reservations in the session: it may book another."""
    caps.give_back(_per_client(session))
