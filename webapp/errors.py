"""One error shape for the API, friendly pages for people."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error the caller can act on: status, snake_case code and a message."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class DomainError(Exception):
    """A rule of the service was broken (slot full, session closed...); views map it to a status."""

    status = 409

    def __init__(self, code: str, message: str, status: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        if status is not None:
            self.status = status


def error_body(code: str, message: str):
    """The contract's error shape."""
    return {"error": {"code": code, "message": message}}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _snake(name: str) -> str:
    return name.lower().replace(" ", "_").replace("'", "")


def init_app(app: Flask) -> None:
    """Register handlers so no user error reaches a traceback."""

    @app.errorhandler(ApiError)
    def _api_error(err: ApiError):
        return jsonify(error_body(err.code, err.message)), err.status

    @app.errorhandler(DomainError)
    def _domain_error(err: DomainError):
        if _wants_json():
            return jsonify(error_body(err.code, err.message)), err.status
        return render_template("error.html", status=err.status, message=err.message), err.status

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException):
        if _wants_json():
            code = _snake(err.name)
            if err.code == 429:
                code = "rate_limited"
            return jsonify(error_body(code, err.description or err.name)), err.code
        return render_template("error.html", status=err.code, message=None), err.code

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        if _wants_json():
            return jsonify(error_body("internal_error", "Something went wrong on our side.")), 500
        return render_template("error.html", status=500, message=None), 500
