"""The profile's referral directory applied to the outcome vocabulary (the agencies promoters pick).

Agencies are kept by id: a profile's agency missing from the database is added, one whose name
changed is renamed, and an agency the profile no longer lists is retired, never deleted, so old
outcomes still read with its name. Admins' own additions in the app are left alone unless the
profile names the same id.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from webapp.profile import contact_entries
from webapp.profile.model import Profile
from webapp.stats import vocabulary


@dataclass
class Applied:
    added: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)


def apply_agencies(profile: Profile, retire_unlisted: bool = True) -> Applied:
    """Make the database's agencies follow the profile; returns what changed, by id."""
    done = Applied()
    existing = {t.key: t for t in vocabulary.terms("agency")}
    for position, agency in enumerate(profile.agencies, start=1):
        term = existing.get(agency.id)
        if term is None:
            vocabulary.add_term("agency", agency.name, agency.name_en, key=agency.id, position=position)
            done.added.append(agency.id)
            continue
        if (term.label_ja, term.label_en, term.position) != (agency.name, agency.name_en, position):
            vocabulary.update_term(term, agency.name, agency.name_en, position)
            done.renamed.append(agency.id)
        if term.retired:
            vocabulary.restore_term(term)
            done.restored.append(agency.id)
    listed = {a.id for a in profile.agencies}
    for key, term in existing.items():
        if retire_unlisted and key not in listed and not term.retired:
            vocabulary.retire_term(term)
            done.retired.append(key)
    return done


def apply_contacts(profile: Profile, retire_unlisted: bool = True) -> Applied:
    """Make the crisis contacts in force follow the profile, matched by Japanese name; returns names.

    A listed contact missing is added (a retired one of that name is restored), its details and order
    follow the profile; others are retired, never deleted. Every change is kept in the history.
    """
    from webapp.checkins.operations import crisis_settings

    done = Applied()
    existing = {c.name_ja: c for c in crisis_settings.contacts()}
    for position, entry in enumerate(contact_entries(profile), start=1):
        contact, data = existing.get(entry["name_ja"]), {**entry, "position": position}
        if contact is None:
            crisis_settings.add_contact(data)
            done.added.append(entry["name_ja"])
            continue
        if any(str(getattr(contact, key)) != str(value) for key, value in data.items()):
            crisis_settings.update_contact(contact, data)
            done.renamed.append(entry["name_ja"])
        if contact.retired:
            crisis_settings.set_retired(contact, False)
            done.restored.append(entry["name_ja"])
    listed = {c.name for c in profile.crisis_contacts}
    for name, contact in existing.items():
        if retire_unlisted and name not in listed and not contact.retired:
            crisis_settings.set_retired(contact, True)
            done.retired.append(name)
    return done
