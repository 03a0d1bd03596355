"""How long a field may be and which numbers the service deals in, each written once.

The pydantic schemas (API and relay), the WTForms forms, the OpenAPI document and the operations'
own checks all read these names. The schemas read them when they validate, so changing one here
(or monkeypatching it in a test) changes every answer built from the schemas.
Where the pages and the API used to disagree, the stricter value the pages showed was kept (NOTE_MAX).
"""
from __future__ import annotations

#: A resident's optional nickname (check-in and reservation); the column is String(30).
NICKNAME_MAX = 30
#: What a resident wants to talk about, given with a reservation.
TOPIC_MAX = 200
#: A session's place; the column is String(200).
LOCATION_MAX = 200
#: A session's online or metaverse link; the column is String(500).
JOIN_URL_MAX = 500
#: The note residents see on a session (e.g. why it was cancelled): the admin pages' 1,000, not the API's 2,000.
NOTE_MAX = 1000
#: A line to or from a resident; its frame must stay under the relay's 4 KiB (3 bytes a character).
#: Default of the MESSAGE_MAX_CHARS setting.
MESSAGE_MAX = 1000
#: A reservation code as people type it (with dashes, spaces, full-width characters).
CODE_MAX = 40
#: Control characters no text field may hold (a regex character class): C0 but tab, newline and carriage
#: return (allowed only before a newline, webapp/schemas/fields.py), DEL and C1.
CONTROL_CHARACTERS = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f"
#: A staff login.
LOGIN_MAX = 64
#: An agency's details on the help page, as admins set them over the profile's (columns of agency_details).
AGENCY_FIELD_MAX = 30
AGENCY_PHONE_MAX = 20
AGENCY_URL_MAX = 300
AGENCY_HOURS_MAX = 100

#: Years the scheduler deals in (dates, times, fiscal years); keeps datetime arithmetic far from its limits.
YEAR_MIN, YEAR_MAX = 2000, 2100
#: Database ids are 32-bit signed integers.
ID_MAX = 2**31 - 1
#: Minutes of one reservation slot, and seats in it.
SLOT_MINUTES_MIN, SLOT_MINUTES_MAX = 5, 240
CAPACITY_MIN, CAPACITY_MAX = 1, 50
#: Minutes one `extend` frame may add to a running session (the console offers 15 and 30).
EXTEND_MINUTES_MIN, EXTEND_MINUTES_MAX = 1, 120

#: A note a promoter hands over with a resident (`transfer`); it travels in the new promoter's `taken` frame.
TRANSFER_NOTE_MAX = 500
#: At most one `typing` frame per sender in this many seconds reaches anyone; extra ones are dropped.
TYPING_INTERVAL_S = 2.5
