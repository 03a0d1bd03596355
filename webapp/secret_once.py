"""A new secret (a staff feed URL, an API token) shown once, after a redirect (post/redirect/get).

The POST that creates it keeps it here and redirects; the next GET of that page takes it (and so
removes it): a reload shows no secret and never issues another one. It rides in the signed,
HttpOnly session cookie to the same person's browser for that one view, and is never stored
on the server or written to a log.
"""
from __future__ import annotations

from flask import session

KEY = "secret_once"


def keep(kind: str, value: str, **extra) -> None:
    """Hold `value` (and `extra`, e.g. whether an old one was replaced) for the next view of `kind`."""
    session[KEY] = {"kind": kind, "value": value, **extra}


def take(kind: str) -> dict | None:
    """The held secret of `kind` with its extras, removed as it is read; None when there is none."""
    held = session.get(KEY)
    if not isinstance(held, dict) or held.get("kind") != kind:
        return None
    session.pop(KEY, None)
    return held
