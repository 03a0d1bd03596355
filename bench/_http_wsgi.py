"""What gunicorn serves in bench/http.py: wsgi.py's app, profiled when BENCH_HTTP_PROFILE names a folder.

The profile (cProfile, each worker its own `<pid>.prof`, written every second and at exit) is for
finding what a request costs; it slows the app down, so profiled runs are never recorded as figures.
"""
from __future__ import annotations

import atexit
import cProfile
import os
import time
from pathlib import Path

from wsgi import app as flask_app


class Profiled:
    """WSGI middleware: profile every request of this worker, body included."""

    def __init__(self, wsgi, folder: Path):
        self.wsgi, self.path = wsgi, folder / f"{os.getpid()}.prof"
        self.profile, self.dumped = cProfile.Profile(), time.monotonic()
        atexit.register(self.dump)

    def dump(self) -> None:
        self.profile.dump_stats(self.path)
        self.dumped = time.monotonic()

    def __call__(self, environ, start_response):
        self.profile.enable()
        try:
            answer = self.wsgi(environ, start_response)
            try:
                body = b"".join(answer)
            finally:
                getattr(answer, "close", lambda: None)()
        finally:
            self.profile.disable()
        if time.monotonic() - self.dumped > 1:
            self.dump()
        return [body]


app = flask_app
if os.environ.get("BENCH_HTTP_PROFILE"):
    app = Profiled(flask_app, Path(os.environ["BENCH_HTTP_PROFILE"]))
