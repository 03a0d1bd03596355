"""The query of GET /audit: the same inclusive date range as the session list (days in Japan, Asia/Tokyo)."""
from __future__ import annotations

from webapp.schemas.sessions import SessionRange


class AuditRange(SessionRange):
    """?from=DATE&to=DATE, each optional and inclusive (days in Asia/Tokyo); from must not come after to."""
