"""Sessions: the list query, the body of POST /sessions and of PATCH /sessions/{id}."""
from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from webapp.schemas.base import Input, Query, one_of
from webapp.schemas.fields import Between, Day, JoinUrl, Location, Login, Moment, Note, fail

SlotMinutes = Annotated[int, Between("SLOT_MINUTES_MIN", "SLOT_MINUTES_MAX", "invalid_slot_minutes")]
Capacity = Annotated[int, Between("CAPACITY_MIN", "CAPACITY_MAX", "invalid_capacity")]


def _formats():
    from webapp.sessions.models import FORMATS

    return FORMATS


def _statuses():
    from webapp.sessions.models import STATUSES

    return STATUSES


class SessionRange(Query):
    """?from=DATE&to=DATE, each optional and inclusive; from must not come after to."""

    first: Day | None = Field(None, alias="from")
    last: Day | None = Field(None, alias="to")

    @model_validator(mode="after")
    def _in_order(self):
        if self.first and self.last and self.first > self.last:
            raise fail("invalid_range", "from must not be after to.")
        return self


class SessionCreate(Input):
    """A new session; its slots are cut from `slot_minutes` (the rules on times and sizes are the operation's)."""

    date: Day
    starts_at: Moment
    ends_at: Moment
    format: str = Field(json_schema_extra=one_of(_formats))
    location: Location | None = Field(
        None, description="Left out or null: the usual place for the format (the profile's [locations]).")
    join_url: JoinUrl | None = Field(None, description="http(s) URL or empty.")
    slot_minutes: SlotMinutes = Field(description="Slots are cut from starts_at; a shorter rest is left for walk-ins.")
    capacity: Capacity = Field(description="Seats per slot.")
    promoters: list[Login] = Field(description="Logins of active staff.")


class SessionPatch(Input):
    """Any of the changes an admin may make; null location, link or note means empty."""

    status: str = Field(None, json_schema_extra=one_of(_statuses),
                        description='"cancelled" cancels (the session stays listed); "scheduled" restores it.')
    starts_at: Moment = None
    ends_at: Moment = None
    format: str = Field(None, json_schema_extra=one_of(_formats))
    location: Location | None = None
    join_url: JoinUrl | None = None
    promoters: list[Login] = None
    note: Note | None = None

    def changes(self) -> dict:
        """The fields that were sent, null text as ""; times stay as sent (a Moment)."""
        sent = self.model_dump(include=self.model_fields_set)
        return {field: "" if value is None else value for field, value in sent.items()}
