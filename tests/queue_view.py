"""What a staff console shows of a session's queue: the full `queue` frame, with each `queue_delta` applied.

Test clients (tests/realtime/conftest.py Peer, tests/browser/relay.py StaffRelay) fold the deltas as
the console's JS does, so a test reads the queue a promoter sees, however the relay sent it.
"""
from __future__ import annotations


def fold(frame: dict, shown: dict[int, dict]) -> dict | None:
    """The session's queue as shown after `frame` (a `queue` frame shaped as the relay sends them), or
    None for other frames. `shown` holds each session's last queue and is updated."""
    if frame.get("type") == "queue" and "entries" in frame:
        shown[frame["session_id"]] = frame
        return frame
    if frame.get("type") != "queue_delta":
        return None
    before = shown.get(frame["session_id"], {"entries": []})
    entries = {entry["checkin_id"]: entry for entry in before["entries"]}
    for entry in frame["added"] + frame["changed"]:
        entries[entry["checkin_id"]] = entry
    for checkin_id in frame["gone"]:
        entries.pop(checkin_id, None)
    added = [entry["checkin_id"] for entry in frame["added"]]
    order = frame.get("order") or [i for i in entries if i not in added] + added
    queue = {"type": "queue", "session_id": frame["session_id"], "entries": [entries[i] for i in order]}
    shown[frame["session_id"]] = queue
    return queue
