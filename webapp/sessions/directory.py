"""The city's directory of consultation windows residents are shown: the agencies of the outcome vocabulary.

One list: the agencies promoters refer residents to (outcome `referred_to`, edited by admins at
/admin/vocabulary) are the places the help page lists, and the same count is said wherever the
directory is named, so no page promises more places than it lists. The catch-all "other" is
not a place, and retired agencies are no longer offered.
"""
from __future__ import annotations

from webapp.checkins.models import Term
from webapp.profile.model import Agency, Profile
from webapp.stats import vocabulary

#: The agency key that stands for "another agency", not a place one can go to.
CATCH_ALL = "other"


def agencies() -> list[Term]:
    """The places of the directory, in the admin's order."""
    return [term for term in vocabulary.choices("agency") if term.key != CATCH_ALL]


def with_details(profile: Profile) -> list[tuple[Term, Agency | None]]:
    """Each place with the profile's details of the same id (field, phone, URL, hours), None for one
    an admin added in the app. The name is always the term's, as the admin last edited it."""
    listed = {agency.id: agency for agency in profile.agencies}
    return [(term, listed.get(term.key)) for term in agencies()]
