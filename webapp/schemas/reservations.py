"""The body of POST /slots/{id}/reservations: nothing personal, and all of it optional."""
from __future__ import annotations

from pydantic import Field

from webapp.schemas.base import Input
from webapp.schemas.fields import Nickname, Topic


class ReservationRequest(Input):
    """Nothing personal: no name, no contact. The whole body may be left out."""

    nickname: Nickname | None = Field(None, examples=["さくら"])
    topic: Topic | None = Field(None, examples=["親の介護のこと"])
