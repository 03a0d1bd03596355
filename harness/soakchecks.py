"""What the soak's clients check once the run is over: losses, duplicates and reorderings, never rates.

The functions take the run and the clients of harness/soakload.py (duck-typed, so this module
imports nothing of it).
"""
from __future__ import annotations


def _is_run(got: list[int]) -> bool:
    """Consecutive numbers, each once, in order."""
    return got == list(range(got[0], got[0] + len(got))) if got else True


def check_announcements(run, residents: list) -> None:
    """No announcement duplicated, reordered or skipped on any connection; none missing at the end.

    Within one connection the relay sends a session's announcements in order, so what a resident
    received live must be consecutive numbers. On its last connection (open when churn ended), it
    must have everything from the first announcement its author sent after that welcome reached
    the resident (the relay had it in the session by then: it joins before it welcomes) up to the
    marker. Both points are orders of events in this one process, not durations, so slowness
    cannot fail the check.
    """
    for resident in residents:
        announced = run.announced[resident.session_id]
        for _, got, _ in resident.intervals:
            run.counts["announcement_deliveries"] += len(got)
            if not _is_run(got):
                run.problem("announcement_duplicates_reorders_or_gaps",
                            {"checkin": resident.checkin_id, "got": got[:30]})
        if not resident.intervals or resident.session_id not in run.marker:
            continue
        welcomed, got, welcome_texts = resident.intervals[-1]
        marker = run.marker[resident.session_id]
        after = [n for n, times in announced.items() if times[0] > welcomed]
        if not after:  # welcomed after the marker went out: the welcome lists it, or it came live
            complete = marker in got or f"ann {resident.session_id} {marker}" in welcome_texts
        else:
            complete = bool(got) and got[0] <= min(after) and got[-1] == marker
        if not complete:
            run.problem("announcements_missing", {"checkin": resident.checkin_id, "marker": marker,
                                                  "first_due": min(after, default=None), "got": got[-30:]})


def lines_complete(staff: list, residents: list) -> bool:
    by_session = {s.session_id: s for s in staff}
    return all(len(by_session[r.session_id].lines.get(r.checkin_id, [])) >= r.sent
               for r in residents if not by_session[r.session_id].dropped)


def check_staff(run, staff: list, residents: list) -> None:
    """Each promoter that stayed connected saw every acknowledged line of its session, once and in order."""
    by_session = {s.session_id: s for s in staff}
    run.counts["staff_dropped"] = sum(1 for s in staff if s.dropped)
    for resident in residents:
        promoter = by_session[resident.session_id]
        if promoter.dropped:
            continue
        seen = promoter.lines.get(resident.checkin_id, [])
        if seen != list(range(resident.sent)):
            disordered = len(seen) > len(set(seen)) or seen != sorted(seen)
            kind = "staff_duplicates_or_reorders" if disordered else "staff_missing"
            run.problem(kind, {"checkin": resident.checkin_id, "sent": resident.sent, "seen": seen[:20]})
