"""Per-connection limits: a token bucket for frames and a flood detector on top of it."""
from __future__ import annotations

import time


class TokenBucket:
    """`rate` frames a second on average, up to `burst` at once; `enabled=False` lets all through."""

    def __init__(self, rate: float, burst: int, enabled: bool = True, clock=time.monotonic):
        self.rate, self.burst, self.enabled, self.clock = rate, burst, enabled, clock
        self.tokens = float(burst)
        self.stamp = clock()
        #: Frames refused in a row; a sustained flood closes the connection.
        self.refused_in_a_row = 0

    def allow(self) -> bool:
        """Take one token if there is one."""
        if not self.enabled:
            return True
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            self.refused_in_a_row = 0
            return True
        self.refused_in_a_row += 1
        return False
