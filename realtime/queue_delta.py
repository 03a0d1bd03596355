"""Staff queue updates as deltas: what changed since the queue this relay last sent to a session's consoles.

A console gets the full `queue` frame when it connects and when it asks (`{"type":"queue"}`); after
that each change reaches it as `queue_delta {session_id, added, changed, gone, order?}`: the
entries that are new, the entries that differ, the ids that left, and `order` (every id, in the
queue's order) only when the order is not the old one without `gone` and with `added` at the end.
`waited_s` alone changing is no change: consoles count the wait on from the last value they got.
"""
from __future__ import annotations


def _same(before: dict, after: dict) -> bool:
    return {**before, "waited_s": None} == {**after, "waited_s": None}


def delta(before: dict | None, after: dict) -> dict | None:
    """The `queue_delta` frame from queue frame `before` to `after`; None when nothing a console shows changed."""
    old = {entry["checkin_id"]: entry for entry in (before or {}).get("entries", ())}
    new_order = [entry["checkin_id"] for entry in after["entries"]]
    added = [entry for entry in after["entries"] if entry["checkin_id"] not in old]
    changed = [entry for entry in after["entries"]
               if entry["checkin_id"] in old and not _same(old[entry["checkin_id"]], entry)]
    still = set(new_order)
    gone = [checkin_id for checkin_id in old if checkin_id not in still]
    expected = [checkin_id for checkin_id in old if checkin_id in still] + [e["checkin_id"] for e in added]
    if not (added or changed or gone) and expected == new_order:
        return None
    frame = {"type": "queue_delta", "session_id": after["session_id"], "added": added, "changed": changed,
             "gone": gone}
    if expected != new_order:
        frame["order"] = new_order
    return frame


def connected_in(queue: dict, checkin_ids) -> tuple[dict, list[dict], set[int]]:
    """The staff queue frame with those of these residents it holds connected, the entries that changed
    (a delta's `changed`, known without comparing the whole queue), and the ids it does not hold."""
    places = {entry["checkin_id"]: i for i, entry in enumerate(queue["entries"])}
    missing = {checkin_id for checkin_id in checkin_ids if checkin_id not in places}
    entries, changed = list(queue["entries"]), []
    for checkin_id in set(checkin_ids) - missing:
        entry = entries[places[checkin_id]]
        if not entry["connected"] or entry["away_since"] is not None:
            entries[places[checkin_id]] = {**entry, "connected": True, "away_since": None}
            changed.append(entries[places[checkin_id]])
    return {**queue, "entries": entries}, changed, missing
