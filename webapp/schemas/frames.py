"""The relay's incoming frames, one model per `"type"`, for residents and for staff (CONTRACT.md section 5).

Extra keys (such as a client's `ref`) are allowed: the relay echoes some back and ignores the rest.
What a frame may do (who may take, which outcome words exist) is the operations' rule.
"""
from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from webapp.schemas.base import Input
from webapp.schemas.fields import Between, Id, MaxChars, Nickname


class Frame(Input):
    model_config = ConfigDict(strict=True, extra="allow")


class ResidentMessage(Frame):
    type: Literal["message"]
    text: str  # its length is a setting (MESSAGE_MAX_CHARS), checked by the operation


class Leave(Frame):
    type: Literal["leave"]


class Erase(Frame):
    type: Literal["erase"]


class Ping(Frame):
    type: Literal["ping"]


class Announce(Frame):
    type: Literal["announce"]
    session_id: Id
    text: str


class Take(Frame):
    type: Literal["take"]
    checkin_id: Id
    mode: str | None = None


class StaffMessage(Frame):
    type: Literal["message"]
    checkin_id: Id
    text: str


class Close(Frame):
    type: Literal["close"]
    checkin_id: Id
    outcome: dict = Field(description="{kind, topics, result, referred_to}")


class Walkin(Frame):
    type: Literal["walkin"]
    session_id: Id
    avatar: str
    nickname: Nickname | None = None
    outcome: dict | None = None


class Transfer(Frame):
    type: Literal["transfer"]
    checkin_id: Id
    to_login: str
    note: Annotated[str, MaxChars("TRANSFER_NOTE_MAX")] | None = Field(
        None, description="for the new promoter (in their `taken` frame); not stored")


class ResidentTyping(Frame):
    """The resident is writing (never any text); at most one every TYPING_INTERVAL_S is passed on."""

    type: Literal["typing"]


class StaffTyping(Frame):
    """The promoter is writing to a resident they took (never any text)."""

    type: Literal["typing"]
    checkin_id: Id


class Remove(Frame):
    type: Literal["remove"]
    checkin_id: Id


class History(Frame):
    type: Literal["history"]
    checkin_id: Id


class QueueSnapshot(Frame):
    """A console asks for the full `queue` (and `counts`) of a session it follows, e.g. after a gap."""

    type: Literal["queue"]
    session_id: Id


class Extend(Frame):
    """Move the session's end later: 1-120 minutes (webapp/limits.py EXTEND_MINUTES_*)."""

    type: Literal["extend"]
    session_id: Id
    minutes: Annotated[int, Between("EXTEND_MINUTES_MIN", "EXTEND_MINUTES_MAX", "invalid_minutes")]


ResidentFrame = Annotated[ResidentMessage | Leave | Erase | ResidentTyping | Ping, Field(discriminator="type")]
StaffFrame = Annotated[Announce | Take | StaffMessage | Close | Walkin | Transfer | Remove | History | Extend
                       | StaffTyping | QueueSnapshot | Ping, Field(discriminator="type")]
RESIDENT_FRAMES = TypeAdapter(ResidentFrame)
STAFF_FRAMES = TypeAdapter(StaffFrame)


def _by_type(union) -> dict[str, type[BaseModel]]:
    return {get_args(model.model_fields["type"].annotation)[0]: model for model in get_args(get_args(union)[0])}


MODELS = {"resident": _by_type(ResidentFrame), "staff": _by_type(StaffFrame)}


def read_frame(frame: dict, sender: str) -> BaseModel:
    """The frame as its model (`sender` is "resident" or "staff"); raises pydantic's ValidationError."""
    return (STAFF_FRAMES if sender == "staff" else RESIDENT_FRAMES).validate_python(frame)
