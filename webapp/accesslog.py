"""Access logs without secrets: reservation codes and feed tokens are the only keys to what they open.

`redact` is used by `flask serve`'s request log (webapp/cli/serve.py) and, under gunicorn, by
`RedactingLogger` (`gunicorn --logger-class webapp.accesslog.RedactingLogger`, docs/deploy.md).
"""
from __future__ import annotations

import re

#: A path segment after these, or a query value of these names, is a secret.
_SECRET_PATHS = re.compile(r"(/calendars/staff/|/reservations/)[^/?#\s\"]+?(?=\.ics\b|[/?#\s\"]|$)")
_SECRET_QUERY = re.compile(r"([?&](?:code|reservation_code|token|feed_token)=)[^&#\s\"]*", re.IGNORECASE)
REDACTED = "[redacted]"


def redact(line: str) -> str:
    """`line` (a request line, a path, a URL) with every code and token replaced by [redacted]."""
    return _SECRET_QUERY.sub(rf"\1{REDACTED}", _SECRET_PATHS.sub(rf"\1{REDACTED}", line))


try:
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # gunicorn is for production; `flask serve` needs none of this
    _GunicornLogger = None

if _GunicornLogger is not None:
    class RedactingLogger(_GunicornLogger):
        """gunicorn's logger whose access lines hold no code or token (request line, path, query, referrer)."""

        def atoms(self, resp, req, environ, request_time):
            atoms = super().atoms(resp, req, environ, request_time)
            for key in ("r", "U", "q", "f"):
                if isinstance(atoms.get(key), str):
                    atoms[key] = redact(atoms[key])
            atoms["h"] = "-"  # never the client's address, whatever --access-logformat says
            return atoms
