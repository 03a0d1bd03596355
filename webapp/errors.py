"""One error shape for the API, friendly pages for people: the Flask handlers for webapp.exceptions."""
from __future__ import annotations

import logging

from flask import Flask, current_app, jsonify, render_template, request
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from webapp.db import db_session
from webapp.exceptions import ApiError, DomainError, database_unreachable

log = logging.getLogger(__name__)


UNAVAILABLE_PAGE = """<!doctype html><html lang="ja"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>ただいま混み合っています</title>
<link rel="stylesheet" href="/static/style.css"></head><body><main class="wrap">
<h1>ただいまご利用いただけません</h1>
<p>申し訳ありません。少し時間をおいてから、もう一度お試しください。入力された内容は保存されていません。</p>
<p lang="en">The service is briefly unavailable. Nothing was saved; please try again in a moment.</p>
</main></body></html>"""


def error_body(code: str, message: str, **details):
    """The contract's error shape (plus `field` and `problem` where a rule names the input to fix)."""
    return {"error": {"code": code, "message": message, **details}}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _snake(name: str) -> str:
    return name.lower().replace(" ", "_").replace("'", "")


def _methods_that_match(err: MethodNotAllowed) -> list[str]:
    """The methods of `err` whose rule really takes this path, converters included.

    Werkzeug compares methods before converters, so PATCH /sessions/<a number past the id range> was a 405
    naming GET (whose rule would refuse the number too): there is no such resource, which is a 404.
    """
    adapter = current_app.create_url_adapter(request)
    matching = []
    for method in err.valid_methods or ():
        try:
            adapter.match(method=method)
        except Exception:  # noqa: BLE001  (NotFound, MethodNotAllowed, a redirect: not this method)
            continue
        matching.append(method)
    return matching


def init_app(app: Flask) -> None:
    """Register handlers so no user error reaches a traceback."""

    @app.errorhandler(ApiError)
    def _api_error(err: ApiError):
        return jsonify(error_body(err.code, err.message)), err.status

    @app.errorhandler(DomainError)
    def _domain_error(err: DomainError):
        if _wants_json():
            return jsonify(error_body(err.code, err.message, **err.details())), err.status
        return render_template("error.html", status=err.status, message=err.message), err.status

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException):
        if isinstance(err, MethodNotAllowed):
            matching = _methods_that_match(err)
            err = MethodNotAllowed(matching) if matching else NotFound()
        if _wants_json():
            code, message = _snake(err.name), err.description or err.name
            if err.code == 429:
                code = "rate_limited"
                message = f"Too many requests from here ({err.description}); please wait a moment and try again."
            allow = getattr(err, "valid_methods", None)  # a 405 must name the methods that work
            headers = {"Allow": ", ".join(allow)} if allow else {}
            return jsonify(error_body(code, message)), err.code, headers
        return render_template("error.html", status=err.code, message=None), err.code

    def _not_text(err: Exception):
        """Last net for input no check caught (NUL to PostgreSQL, a lone surrogate to SQLite): a 400, not a 500."""
        db_session.rollback()
        log.warning("refused text the database cannot store on %s %s", request.method, request.path)
        message = "Remove the control characters or broken characters from what you sent and try again."
        if _wants_json():
            return jsonify(error_body("invalid_text", message)), 400
        return render_template("error.html", status=400, message=message), 400

    app.register_error_handler(UnicodeEncodeError, _not_text)

    @app.errorhandler(DBAPIError)
    def _database_down(err: DBAPIError):
        # A lost connection is ours to fix, not the caller's: say so plainly, keep nothing half-written.
        db_session.rollback()
        if "nul (0x00)" in str(err.orig).lower() or isinstance(err.orig, UnicodeEncodeError):
            return _not_text(err)
        if not database_unreachable(err):
            return _unexpected(err)
        log.error("database unreachable on %s %s: %s", request.method, request.path, err.orig)
        message = "The service is briefly unavailable. Nothing was saved; please try again in a moment."
        if _wants_json():
            return jsonify(error_body("service_unavailable", message)), 503, {"Retry-After": "30"}
        # No base template here: it would ask the unreachable database who is logged in.
        return UNAVAILABLE_PAGE, 503, {"Retry-After": "30", "Content-Type": "text/html; charset=utf-8"}

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        if _wants_json():
            return jsonify(error_body("internal_error", "Something went wrong on our side.")), 500
        return render_template("error.html", status=500, message=None), 500
