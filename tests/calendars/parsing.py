"""Read a feed with four parsers and bring their events to one shape, so tests compare content."""
from __future__ import annotations

import datetime as dt

import icalendar
import ics
import recurring_ical_events
import vobject

FIELDS = ("uid", "start", "end", "sequence", "status", "summary", "location", "url", "description")


def _from_icalendar(event) -> dict:
    return {
        "uid": str(event["UID"]), "start": event.decoded("DTSTART"), "end": event.decoded("DTEND"),
        "sequence": int(event.get("SEQUENCE", 0)), "status": str(event.get("STATUS", "")),
        "summary": str(event.get("SUMMARY", "")), "location": str(event.get("LOCATION", "")),
        "url": str(event.get("URL", "")), "description": str(event.get("DESCRIPTION", "")),
    }


def by_icalendar(body: bytes) -> list[dict]:
    return [_from_icalendar(e) for e in icalendar.Calendar.from_ical(body).walk("VEVENT")]


def by_recurring_ical_events(body: bytes) -> list[dict]:
    calendar = icalendar.Calendar.from_ical(body)
    found = recurring_ical_events.of(calendar).between(dt.datetime(2000, 1, 1), dt.datetime(2101, 1, 1))
    return [_from_icalendar(e) for e in found]


def by_vobject(body: bytes) -> list[dict]:
    calendar = vobject.readOne(body.decode("utf-8"))

    def value(event, name, default=""):
        prop = getattr(event, name, None)
        return prop.value if prop is not None else default

    return [{
        "uid": value(e, "uid"), "start": value(e, "dtstart"), "end": value(e, "dtend"),
        "sequence": int(value(e, "sequence", 0)), "status": value(e, "status"), "summary": value(e, "summary"),
        "location": value(e, "location"), "url": value(e, "url"), "description": value(e, "description"),
    } for e in getattr(calendar, "vevent_list", [])]


def by_ics(body: bytes) -> list[dict]:
    calendar = ics.Calendar(body.decode("utf-8"))

    def sequence(event):
        lines = [line for line in event.extra if line.name == "SEQUENCE"]
        return int(lines[0].value) if lines else 0

    return [{
        "uid": e.uid, "start": e.begin.datetime, "end": e.end.datetime, "sequence": sequence(e),
        "status": e.status or "", "summary": e.name or "", "location": e.location or "", "url": e.url or "",
        "description": e.description or "",
    } for e in calendar.events]


PARSERS = {"icalendar": by_icalendar, "vobject": by_vobject, "ics": by_ics,
           "recurring_ical_events": by_recurring_ical_events}


def events(body: bytes) -> dict[str, dict]:
    """The events by UID, after checking that every parser read exactly the same thing."""
    results = {name: parse(body) for name, parse in PARSERS.items()}
    reference = sorted(results["icalendar"], key=lambda e: e["uid"])
    assert len({e["uid"] for e in reference}) == len(reference), "two events share a UID"
    for name, found in results.items():
        found = sorted(found, key=lambda e: e["uid"])
        assert len(found) == len(reference), f"{name} read {len(found)} events, icalendar {len(reference)}"
        for mine, theirs in zip(found, reference, strict=True):
            for field in FIELDS:
                assert mine[field] == theirs[field], f"{name} disagrees on {field} of {theirs['uid']}"
    return {e["uid"]: e for e in reference}
