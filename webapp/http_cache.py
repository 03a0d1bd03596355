"""What caches may keep: one place for the no-store header of pages and answers that hold a code, a
token, a conversation or staff data (shared caches, the browser's disk and its back-forward cache)."""
from __future__ import annotations


def no_store(response, private: bool = False):
    """Mark `response` as never to be stored (`private` too for staff-only data); returns it, so an
    after_request hook or a view can use it directly."""
    response.headers["Cache-Control"] = "private, no-store" if private else "no-store"
    return response
