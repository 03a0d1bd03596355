"""Record what admins change in the directory and the crisis contacts, field by field, and read it back.

Called by the operations that make the changes (webapp/stats/vocabulary.py and webapp/directory/details.py
for agencies, webapp/checkins/operations/crisis_settings.py for contacts), inside their own commit, so a
change is never stored without its history. Who acted comes from the audit log's actor sources.
"""
from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select

from webapp.db import db_session
from webapp.directory.models import DirectoryEdit

#: How many edits the history page shows, newest first.
SHOWN = 200


def record(kind: str, item: str, name: str, action: str, before: Mapping | None = None,
           after: Mapping | None = None) -> None:
    """Add the history rows of one change (not committed: the caller's commit stores both together).

    An update gives one row per field whose value changed; nothing changed, no row.
    """
    from webapp.audit.operations import acting

    actor_id, actor = acting()
    rows = [("", "", "")] if action != "update" else [
        (key, str(before.get(key, "")), str(value)) for key, value in after.items()
        if str(before.get(key, "")) != str(value)]
    for field, old, new in rows:
        db_session.add(DirectoryEdit(actor_id=actor_id, actor=actor, kind=kind, item=item, name=name[:100],
                                     action=action, field=field, old_value=old, new_value=new))


def edits(limit: int = SHOWN) -> list[DirectoryEdit]:
    """The latest edits, newest first."""
    return list(db_session.scalars(select(DirectoryEdit).order_by(DirectoryEdit.at.desc(), DirectoryEdit.id.desc())
                                   .limit(limit)))
