"""Noting residents as connected: one UPDATE (and commit) for everyone who arrives meanwhile."""
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from realtime.hub import Hub
from webapp.checkins import operations

log = logging.getLogger("realtime")


class Arrivals:
    """Residents who connected and are not yet noted as seen, touched in batches."""

    def __init__(self, hub: Hub, db: Callable[..., Awaitable]):
        self.hub = hub
        self.db = db
        self._arrived: set[int] = set()
        self._touching = False

    def note(self, checkin_id: int) -> None:
        """Touch a resident who just connected, together with everyone who connects meanwhile (a commit
        each was a third of a connection's database time). Upkeep touches every connected resident
        itself before it lets anyone time out, so a pending note here never lets a connected one go."""
        self._arrived.add(checkin_id)
        if not self._touching:
            self._touching = True
            self.hub.spawn(self._touch_arrivals())

    async def _touch_arrivals(self) -> None:
        try:
            while self._arrived:  # those who arrived during one UPDATE go in the next
                ids, self._arrived = list(self._arrived), set()
                await self.touch(ids)
        finally:
            self._touching = False

    async def touch(self, checkin_ids: list[int]) -> None:
        """Note these residents as connected now."""
        try:
            await self.db(operations.touch, checkin_ids)
        except Exception:  # noqa: BLE001  (a missed touch only shortens a timeout; log and go on)
            log.exception("could not note residents as connected")
