"""Every model in one import, so Alembic and the relay see the whole schema."""
from webapp.audit.models import AuditEvent  # noqa: F401
from webapp.checkins.crisis_models import CrisisContact, CrisisPhrase  # noqa: F401
from webapp.checkins.models import (  # noqa: F401
    Announcement,
    CheckIn,
    CheckinPresence,
    CheckinPromoter,
    Message,
    Outcome,
    RelayHeartbeat,
    Term,
)
from webapp.db import Base  # noqa: F401
from webapp.directory.models import AgencyDetails, DirectoryEdit  # noqa: F401
from webapp.reservations.models import Reservation  # noqa: F401
from webapp.rooms.models import RoomPractice  # noqa: F401
from webapp.sessions.models import Session, Slot  # noqa: F401
from webapp.staff.models import ApiToken, StaffSession, User  # noqa: F401
from webapp.staff.twofactor.models import RecoveryCode, TwoFactor  # noqa: F401
