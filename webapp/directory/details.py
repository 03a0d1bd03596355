"""An agency's details residents are shown (field, phone, link, hours): the admin's where set, else the profile's.

Kept per agency in agency_details. A value the admin leaves as the profile has it is stored as None,
so it keeps following the profile; a value cleared is stored as "" and shows nothing. Every change is
kept in the directory's history with the values residents saw before and after.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields

from sqlalchemy import select

from webapp import limits
from webapp.checkins.models import Term
from webapp.db import db_session
from webapp.directory import history
from webapp.directory.models import AgencyDetails
from webapp.exceptions import DomainError
from webapp.profile.model import Profile
from webapp.schemas.fields import contact_link_problem, text_problem

_MAX = {"field": limits.AGENCY_FIELD_MAX, "phone": limits.AGENCY_PHONE_MAX, "url": limits.AGENCY_URL_MAX,
        "hours": limits.AGENCY_HOURS_MAX}
#: Digits and dashes as people write them (an optional leading +): the help page dials it without the dashes.
_PHONE = re.compile(r"\+?[0-9][0-9-]{1,19}")


@dataclass(frozen=True)
class Details:
    """What residents read of one agency besides its name."""

    field: str = ""
    phone: str = ""
    url: str = ""
    hours: str = ""


NAMES = tuple(f.name for f in fields(Details))


def in_profile(term: Term, profile: Profile) -> Details:
    """The profile's details of the agency with the term's key (nothing for one added in the app)."""
    agency = next((a for a in profile.agencies if a.id == term.key), None)
    return Details(**{name: getattr(agency, name) for name in NAMES}) if agency else Details()


def _over(base: Details, stored: AgencyDetails | None) -> Details:
    if stored is None:
        return base
    return Details(**{name: getattr(base, name) if getattr(stored, name) is None else getattr(stored, name)
                      for name in NAMES})


def shown(terms: list[Term], profile: Profile) -> list[Details]:
    """Each agency's details as residents see them, in the order of `terms` (one query)."""
    query = select(AgencyDetails).where(AgencyDetails.term_id.in_([term.id for term in terms]))
    stored = {row.term_id: row for row in db_session.scalars(query)}
    return [_over(in_profile(term, profile), stored.get(term.id)) for term in terms]


def _clean(data: dict) -> Details:
    """The submitted details, spaces tidied, or a DomainError naming the field at fault."""
    values = {name: " ".join(str(data.get(name) or "").split()) for name in NAMES}
    for name, text in values.items():
        if len(text) > _MAX[name]:
            raise DomainError("invalid_field", f"{name} must be at most {_MAX[name]} characters.", 400, name)
        if text_problem(text):
            raise DomainError("invalid_text", f"{name} {text_problem(text)}", 400, name)
    if values["phone"] and not _PHONE.fullmatch(values["phone"]):
        raise DomainError("invalid_field", "phone must be digits and dashes.", 400, "phone")
    problem = contact_link_problem(values["url"])
    if problem:
        raise DomainError("invalid_field", f"url {problem}", 400, "url")
    return Details(**values)


def update(term: Term, data: dict, profile: Profile) -> Details:
    """Set what residents read of an agency (one of the profile's or one added in the app), kept in the history."""
    if term.kind != "agency":
        raise DomainError("not_an_agency", "Only agencies have contact details.", 404)
    after = _clean(data)
    base, before = in_profile(term, profile), shown([term], profile)[0]
    row = db_session.get(AgencyDetails, term.id) or AgencyDetails(term_id=term.id)
    for name in NAMES:
        value = getattr(after, name)
        setattr(row, name, None if value == getattr(base, name) else value)
    db_session.add(row)
    history.record("agency", term.key, term.label_ja, "update", asdict(before), asdict(after))
    db_session.commit()
    return after
