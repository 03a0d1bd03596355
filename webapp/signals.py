"""Signals that keep domains apart (blinker)."""
from blinker import Namespace

_signals = Namespace()

#: Sent with the `Session` as sender after it is created or changed and committed.
session_changed = _signals.signal("session-changed")

#: Sent with the `Reservation` as sender after it is made or cancelled and committed.
reservation_changed = _signals.signal("reservation-changed")

#: Sent with the new `CheckIn` as sender after a resident checked in, or staff recorded a visitor, and it
#: was committed.
checkin_created = _signals.signal("checkin-created")

#: Sent with the stored `Message` as sender (kwarg `checkin`: the check-in it was routed by) after a
#: chat line from a resident or from staff was committed.
message_stored = _signals.signal("message-stored")

#: Sent with the `CheckIn` as sender after the resident pressed "leave" and it was committed.
resident_left = _signals.signal("resident-left")

#: Sent with the `CheckIn` as sender after the resident erased their conversation and it was committed.
resident_erased = _signals.signal("resident-erased")

#: Sent with the `User` as sender (kwarg `reason`: "deactivated", "password_changed" or
#: "signed_out_everywhere") after every login session and relay token of the account was ended and
#: committed: its open relay connections are to be closed, on every relay.
staff_access_revoked = _signals.signal("staff-access-revoked")

#: Sent with the `User` as sender after the sessions that account may staff changed and it was
#: committed (assigned to or removed from a session, made admin or promoter): its relay connections
#: follow exactly those sessions from now on.
staff_assignments_changed = _signals.signal("staff-assignments-changed")
# --- What the audit log hears (webapp/audit/receivers.py). `actor`: the `User` who did it, or None when the
# operation does not know (a page, the API or the CLI: the audit log then asks who is acting there).

#: Sent with the new `Session` as sender (kwarg `actor`) after it was created and committed.
session_created = _signals.signal("session-created")

#: Sent with the `Session` as sender (kwargs `actor`, `status_before`) after an admin's edit was committed.
session_updated = _signals.signal("session-updated")

#: Sent with the `Session` as sender (kwargs `actor`, `minutes`) after its end was moved later and committed.
session_extended = _signals.signal("session-extended")

#: Sent with the `CheckIn` as sender (kwarg `actor`: the promoter who took it) after a take was committed.
checkin_taken = _signals.signal("checkin-taken")

#: Sent with the `CheckIn` as sender (kwargs `actor`, `to`: the `User` who has it now) after a transfer.
checkin_transferred = _signals.signal("checkin-transferred")

#: Sent with the `CheckIn` as sender (kwarg `actor`) after staff removed it and it was committed.
checkin_removed = _signals.signal("checkin-removed")

#: Sent with the `CheckIn` as sender (kwargs `actor`, `kind`: the outcome kind) after it was closed and committed.
checkin_closed = _signals.signal("checkin-closed")

#: Sent with the staff `User` as sender (kwargs `change`, `actor`) after a change to the account was committed.
#: `change`: "created", "deactivated", "activated", "password_changed", "token_issued", "tokens_revoked" (and
#: whatever later account operations add; the audit log records each under its own action name).
account_changed = _signals.signal("account-changed")
