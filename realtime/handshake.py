"""The opening handshake: health checks, path, Origin and token checks before a connection is accepted."""
from __future__ import annotations

import logging
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import ServerConnection
from websockets.http11 import Request

from realtime.gathering import each
from realtime.origins import origin_allowed
from realtime.relay import UNAVAILABLE, Relay
from realtime.tokens import TokenError, read_token
from webapp.checkins import operations
from webapp.db import db_session
from webapp.exceptions import database_unreachable
from webapp.rooms.operations import practice_exists
from webapp.staff.models import User
from webapp.staff.operations import relay_token_current

log = logging.getLogger("realtime")

def identity(claims: dict) -> str:
    """Who holds the token: one check-in or one staff account (the per-token connection cap counts these)."""
    if claims["kind"] == "practice":
        return f"p{claims['practice_id']}"
    return f"r{claims['checkin_id']}" if claims["kind"] == "resident" else f"s{claims['user_id']}"


def _refusal(claims: dict) -> str | None:
    """Why the holder of valid claims may not connect now (in a worker thread), or None."""
    if claims["kind"] == "resident":
        checkin = operations.token_state(claims["checkin_id"])
        if checkin is None or checkin.token_version != claims["version"] or checkin.status == "removed":
            return "This check-in is no longer valid"
        claims["session_id"] = checkin.session_id
        return None
    if claims["kind"] == "practice":
        return None if practice_exists(claims["practice_id"], claims["session_id"]) else "No such practice visit"
    if not relay_token_current(db_session.get(User, claims["user_id"]), claims["auth_version"]):
        return "This staff account may not connect"
    return None


def _refusals(claims_list: list[dict]) -> list:
    """`_refusal` of each of the handshakes of the moment, in one unit of work (realtime.gathering)."""
    return each(_refusal, claims_list)


async def process_request(relay: Relay, connection: ServerConnection, request: Request):
    """Refuse in the handshake: unknown path (404), foreign Origin or revoked token (403),
    bad or expired token (401), too many connections with one token (429)."""
    url = urlsplit(request.path)
    if url.path == "/healthz":
        return connection.respond(HTTPStatus.OK, "ok\n")
    if url.path != relay.path:
        return connection.respond(HTTPStatus.NOT_FOUND, "Not found\n")
    if not origin_allowed(relay.origins, request.headers.get("Origin")):
        return connection.respond(HTTPStatus.FORBIDDEN, "Origin not allowed\n")
    token = (parse_qs(url.query).get("token") or [""])[0]
    try:
        claims = read_token(relay.secret, token, int(relay.config["RELAY_TOKEN_MAX_AGE_S"]))
    except TokenError as err:
        return connection.respond(HTTPStatus.UNAUTHORIZED, "Token expired\n" if err.expired else "Bad token\n")
    try:
        refusal = await relay.read_gathered(_refusals, claims)
    except Exception as err:
        if not database_unreachable(err):
            raise
        log.error("database unreachable while checking a token: %s", getattr(err, "orig", err))
        return connection.respond(HTTPStatus.SERVICE_UNAVAILABLE, UNAVAILABLE + "\n")
    if refusal:
        return connection.respond(HTTPStatus.FORBIDDEN, refusal + "\n")
    if relay.hub.identities(identity(claims)) >= int(relay.config["RELAY_MAX_CONNECTIONS_PER_TOKEN"]):
        return connection.respond(HTTPStatus.TOO_MANY_REQUESTS, "Too many connections with this token\n")
    connection.ikomaru_claims = claims
    return None
