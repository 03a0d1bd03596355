"""The errors the domain raises, free of Flask so the relay and the CLI share them (webapp.errors maps them to HTTP)."""
from __future__ import annotations

from sqlalchemy.exc import DBAPIError


class ApiError(Exception):
    """An error the caller can act on: status, snake_case code and a message."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class DomainError(Exception):
    """A rule of the service was broken (slot full, session closed...); views map it to a status."""

    status = 409

    def __init__(self, code: str, message: str, status: int | None = None, field: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        #: The input the rule is about, when the caller should show the message next to it (forms).
        self.field = field
        if status is not None:
            self.status = status

    def details(self) -> dict:
        """Extra keys for the API's error object and the relay's error frame (a subclass may name the input)."""
        return {}


def database_unreachable(err: BaseException) -> bool:
    """True when the database could not be reached or stayed locked (as opposed to a bad statement).

    The web app answers these with 503 and the relay with a `service_unavailable` error frame.
    """
    if not isinstance(err, DBAPIError):
        return False
    text = str(err.orig).lower()
    return err.connection_invalidated or any(word in text for word in (
        "connection", "could not connect", "server closed", "unable to open", "timeout", "database is locked"))
