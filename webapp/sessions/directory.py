"""The いこまる相談窓口 directory residents are shown: the agencies of the outcome vocabulary.

One list: the agencies promoters refer residents to (outcome `referred_to`, edited by admins at
/admin/vocabulary) are the places the help page lists, and the same count is said wherever the
directory is named, so no page promises more places than it lists. The catch-all "other" is
not a place, and retired agencies are no longer offered.
"""
from __future__ import annotations

from webapp.checkins.models import Term
from webapp.stats import vocabulary

#: The agency key that stands for "another agency", not a place one can go to.
CATCH_ALL = "other"


def agencies() -> list[Term]:
    """The places of the directory, in the admin's order."""
    return [term for term in vocabulary.choices("agency") if term.key != CATCH_ALL]
