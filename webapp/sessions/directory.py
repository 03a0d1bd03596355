"""The city's directory of consultation windows residents are shown: the agencies of the outcome vocabulary.

One list: the agencies promoters refer residents to (outcome `referred_to`, edited by admins at
/admin/vocabulary) are the places the help page lists, and the same count is said wherever the
directory is named, so no page promises more places than it lists. The catch-all "other" is
not a place, and retired agencies are no longer offered.
"""
from __future__ import annotations

from webapp.checkins.models import Term
from webapp.directory import details
from webapp.profile.model import Profile
from webapp.stats import vocabulary

#: The agency key that stands for "another agency", not a place one can go to.
CATCH_ALL = "other"


def agencies() -> list[Term]:
    """The places of the directory, in the admin's order."""
    return [term for term in vocabulary.choices("agency") if term.key != CATCH_ALL]


def with_details(profile: Profile) -> list[tuple[Term, details.Details]]:
    """Each place with its field, phone, URL and hours: the admin's where set (webapp/directory/details.py),
    else the profile's of the same id. The name is always the term's, as the admin last edited it."""
    places = agencies()
    return list(zip(places, details.shown(places, profile), strict=True))
