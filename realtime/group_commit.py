"""Group commit of chat lines: the lines that arrive while one batch is being written go in the next
(realtime/gathering.py).

At a few lines a second every batch holds one line and costs what a single line did; under load
a batch holds everything that arrived during the previous commit, so the database pays one
transaction per batch instead of one per line (bench/relay.py). Each line's sender is answered only
after the commit that stored it (its future resolves then), so an acknowledged line is stored.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable

from realtime import events
from realtime.gathering import Gathering
from webapp.checkins import operations
from webapp.checkins.operations.chat_lines import Line, store_lines
from webapp.exceptions import DomainError

#: The most lines in one transaction (one INSERT of that many rows).
BATCH_MAX = 200


def store_and_route(lines: list[Line]) -> list[events.Events | DomainError]:
    """One unit of database work: store the batch, and for each stored line whom to tell (same thread)."""
    results = store_lines(lines)
    contacts = None
    routed = []
    for result in results:
        if isinstance(result, DomainError):
            routed.append(result)
        elif result.sender == "resident":
            contacts = operations.crisis_contacts() if contacts is None and result.checkin.urgent else contacts
            routed.append(events.resident_wrote(result, result.checkin, contacts or []))
        else:
            routed.append(events.line_stored(result, result.checkin))
    return routed


class GroupCommit(Gathering):
    """Collects chat lines and writes them a batch at a time through the relay's database workers."""

    def __init__(self, db: Callable[..., Awaitable], unit: Callable[[list[Line]], list] = store_and_route):
        super().__init__(db, unit, BATCH_MAX)

    async def store(self, line: Line) -> events.Events:
        """Store `line` in the next batch; whom to tell about it once committed (or the DomainError raised)."""
        return await self.ask(line)
