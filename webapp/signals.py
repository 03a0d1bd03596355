"""Signals that keep domains apart (blinker)."""
from blinker import Namespace

_signals = Namespace()

#: Sent with the `Session` as sender after it is created or changed and committed.
session_changed = _signals.signal("session-changed")

#: Sent with the `Reservation` as sender after it is made or cancelled and committed.
reservation_changed = _signals.signal("reservation-changed")
