"""Nothing that reaches a person: a topic holding a phone number or an e-mail address is not stored.

Residents stay anonymous; a contact written into 相談したいこと would be the one personal datum in
the database. Checked on the text as typed, after folding full-width digits and signs (NFKC).
"""
from __future__ import annotations

import re
import unicodedata

#: A Japanese phone number written with or without separators: 0 and 9-10 more digits, or +81.
_PHONE = re.compile(r"(?<!\d)(?:0|\+81)\d{9,10}(?!\d)")
#: Separators people put inside phone numbers.
_PHONE_SEPARATORS = re.compile(r"[\s\-‐‑–—―ー()（）.]")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def contact_in(text: str | None) -> bool:
    """True when the text looks like it holds a phone number or an e-mail address."""
    if not text:
        return False
    folded = unicodedata.normalize("NFKC", text)
    return bool(_EMAIL.search(folded) or _PHONE.search(_PHONE_SEPARATORS.sub("", folded)))
