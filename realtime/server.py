"""The realtime relay: a websockets asyncio server, Flask-free (CONTRACT.md section 5, docs/realtime.md).

`run(config, host, port, stop)` serves until `stop` resolves; `main(...)` adds SIGINT/SIGTERM
handling for the `serve` and `relay` commands. Database work runs in worker threads, one unit
of work each, so one slow query stalls no one.
"""
from __future__ import annotations

import asyncio
import functools
import json
import logging
import signal
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import ServerConnection, broadcast, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request

from realtime import frames, handlers, notify
from realtime.broker import Broker, checkin_channel, session_residents, session_staff, user_channel
from realtime.broker_memory import MemoryBroker
from realtime.hub import Client, Hub, dump
from realtime.limits import TokenBucket
from realtime.tokens import TokenError, read_token
from webapp.checkins import operations
from webapp.db import bind, db_session, is_sqlite, reading
from webapp.exceptions import DomainError, database_unreachable
from webapp.staff.models import User

log = logging.getLogger("realtime")

#: Relay settings and their defaults; any of them may be given in the config mapping.
DEFAULTS = {
    "RELAY_PATH": "/ws",
    "RELAY_TOKEN_MAX_AGE_S": 12 * 3600,
    "RELAY_MAX_CONNECTIONS_PER_TOKEN": 3,
    "RELAY_MESSAGES_PER_S": 5,
    "RELAY_BURST": 10,
    "RELAY_FLOOD_CLOSE_AFTER": 20,
    "RELAY_MAINTENANCE_S": 30,
    "RELAY_DB_THREADS": None,  # see db_threads()
    "RATELIMIT_ENABLED": True,
}
MAX_FRAME_BYTES = 4096
#: Reader threads beside SQLite's single writer thread.
READ_THREADS = 4
UNAVAILABLE = "The service is briefly unavailable; nothing was saved. Please try again in a moment."


def default_origins(relay_public_url: str | None, web_host: str | None = None, web_port: int | None = None) -> list[str]:
    """The web app's own origin(s): from serve's host and port, and the host of RELAY_PUBLIC_URL.

    Behind a proxy the relay is published on the web app's host (wss://host/ws), so that host's
    https origin is the web app's. Set ALLOWED_ORIGINS when the pages are served elsewhere.
    """
    origins = []
    if web_host and web_port:
        hosts = {web_host}
        if web_host in ("127.0.0.1", "localhost", "0.0.0.0", "::1", "::"):
            hosts |= {"127.0.0.1", "localhost"}
        origins += [f"http://{h}:{web_port}" for h in sorted(hosts)]
    if relay_public_url:
        url = urlsplit(relay_public_url)
        scheme = "https" if url.scheme == "wss" else "http"
        if url.hostname:
            origins.append(f"{scheme}://{url.hostname}")
            if url.port:
                origins.append(f"{scheme}://{url.hostname}:{url.port}")
    return list(dict.fromkeys(origins))


def make_broker(config: Mapping, on_reconnect: Callable[[], None]) -> Broker:
    """Redis when REDIS_URL is set, else the in-process broker."""
    if config.get("REDIS_URL"):
        from realtime.broker_redis import RedisBroker

        return RedisBroker(config["REDIS_URL"], on_reconnect=on_reconnect,
                           prefix=config.get("RELAY_CHANNEL_PREFIX") or "ikomaru:relay:")
    return MemoryBroker()


def db_threads(config: Mapping) -> int:
    """RELAY_DB_THREADS when set; else 8, or 1 on SQLite. SQLite takes one writer at a time and every
    transaction that may write begins IMMEDIATE, so more threads only queue in its busy handler, which
    sleeps up to 100 ms between tries (bench/relay.py: round-trip p99 1.2 s with 8 threads at 200/s, 16 ms with 1)."""
    if config.get("RELAY_DB_THREADS"):
        return int(config["RELAY_DB_THREADS"])
    return 1 if is_sqlite(config.get("DATABASE_URL")) else 8


def _unit_of_work(fn, args, only_reads: bool = False):
    """Run `fn` in a worker thread with a session of its own, released afterwards."""
    try:
        if only_reads:
            with reading():
                return fn(*args)
        return fn(*args)
    finally:
        db_session.remove()


class Relay:
    """One relay process: token checks, connections, dispatch and upkeep."""

    def __init__(self, config: Mapping):
        self.config = {**DEFAULTS, **{k: v for k, v in config.items() if v is not None}}
        self.secret = self.config["SECRET_KEY"]
        self.path = self.config["RELAY_PATH"]
        self.origins = set(self.config.get("ALLOWED_ORIGINS") or default_origins(self.config.get("RELAY_PUBLIC_URL")))
        self.executor = ThreadPoolExecutor(db_threads(self.config), thread_name_prefix="relay-db")
        # Units that only read never wait for a writer (webapp.db.reading), so on SQLite they get
        # threads of their own: handshakes and queue refreshes need not queue behind chat lines.
        self.readers = (ThreadPoolExecutor(READ_THREADS, thread_name_prefix="relay-read")
                        if is_sqlite(self.config.get("DATABASE_URL")) else self.executor)
        self.broker = make_broker(self.config, on_reconnect=lambda: self.hub.refresh_everything())
        self.hub = Hub(self.broker, self.read)  # the hub only reads (queue frames)
        #: Residents who connected and are not yet noted as seen; one UPDATE (and commit) for them all.
        self._arrived: set[int] = set()
        self._touching = False

    async def db(self, fn, *args):
        """Run a unit of database work off the event loop."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, _unit_of_work, fn, args)

    async def read(self, fn, *args):
        """Run a unit that only reads (webapp.db.reading: on SQLite it never waits for a writer)."""
        return await asyncio.get_running_loop().run_in_executor(self.readers, _unit_of_work, fn, args, True)

    async def publish(self, channel: str, envelope: dict) -> None:
        await self.broker.publish(channel, envelope)

    # --- handshake -------------------------------------------------------------------------

    def _origin_ok(self, origin: str | None) -> bool:
        # Browsers always send Origin; other clients (tests, tools) need a valid token anyway.
        return origin is None or "*" in self.origins or origin in self.origins

    async def process_request(self, connection: ServerConnection, request: Request):
        """Refuse in the handshake: unknown path (404), foreign Origin or revoked token (403),
        bad or expired token (401), too many connections with one token (429)."""
        url = urlsplit(request.path)
        if url.path == "/healthz":
            return connection.respond(HTTPStatus.OK, "ok\n")
        if url.path != self.path:
            return connection.respond(HTTPStatus.NOT_FOUND, "Not found\n")
        if not self._origin_ok(request.headers.get("Origin")):
            return connection.respond(HTTPStatus.FORBIDDEN, "Origin not allowed\n")
        token = (parse_qs(url.query).get("token") or [""])[0]
        try:
            claims = read_token(self.secret, token, int(self.config["RELAY_TOKEN_MAX_AGE_S"]))
        except TokenError as err:
            return connection.respond(HTTPStatus.UNAUTHORIZED, "Token expired\n" if err.expired else "Bad token\n")
        try:
            refusal = await self.read(self._refusal, claims)
        except Exception as err:
            if not database_unreachable(err):
                raise
            log.error("database unreachable while checking a token: %s", getattr(err, "orig", err))
            return connection.respond(HTTPStatus.SERVICE_UNAVAILABLE, UNAVAILABLE + "\n")
        if refusal:
            return connection.respond(HTTPStatus.FORBIDDEN, refusal + "\n")
        if self.hub.identities(self._identity(claims)) >= int(self.config["RELAY_MAX_CONNECTIONS_PER_TOKEN"]):
            return connection.respond(HTTPStatus.TOO_MANY_REQUESTS, "Too many connections with this token\n")
        connection.ikomaru_claims = claims
        return None

    @staticmethod
    def _refusal(claims: dict) -> str | None:
        """Why the holder of valid claims may not connect now (in a worker thread), or None."""
        if claims["kind"] == "resident":
            checkin = operations.get(claims["checkin_id"])
            if checkin is None or checkin.token_version != claims["version"] or checkin.status == "removed":
                return "This check-in is no longer valid"
            claims["session_id"] = checkin.session_id
            return None
        user = db_session.get(User, claims["user_id"])
        if user is None or not user.active or user.role not in ("admin", "promoter"):
            return "This staff account may not connect"
        return None

    @staticmethod
    def _identity(claims: dict) -> str:
        return f"r{claims['checkin_id']}" if claims["kind"] == "resident" else f"s{claims['user_id']}"

    # --- connections -----------------------------------------------------------------------

    async def handler(self, ws: ServerConnection) -> None:
        claims = getattr(ws, "ikomaru_claims", None)
        if claims is None:
            await ws.close(1011, "no claims")
            return
        bucket = TokenBucket(float(self.config["RELAY_MESSAGES_PER_S"]), int(self.config["RELAY_BURST"]),
                             enabled=bool(self.config["RATELIMIT_ENABLED"]))
        client = Client(ws=ws, kind=claims["kind"], identity=self._identity(claims), bucket=bucket,
                        checkin_id=claims.get("checkin_id"), session_id=claims.get("session_id"),
                        user_id=claims.get("user_id"))
        self.hub.add(client)
        try:
            if client.kind == "resident":
                await self._open_resident(client)
            else:
                await self._open_staff(client)
            await self._read(client)
        except ConnectionClosed:
            pass
        finally:
            self.hub.discard(client)
            await self.hub.part_all(client)
            if client.kind == "resident":
                await self._touch([client.checkin_id])

    async def _open_resident(self, client: Client) -> None:
        await self.hub.join(client, checkin_channel(client.checkin_id))
        await self.hub.join(client, session_residents(client.session_id))

        self._note_arrival(client.checkin_id)
        welcome = await self.read(lambda: frames.resident_welcome(frames.fresh_checkin(client.checkin_id)))
        broadcast([client.ws], dump(welcome))
        if welcome["status"] == "waiting":
            client.last_queue = dump({"type": "queue", **{k: welcome[k] for k in ("position", "waiting", "estimated_wait_s")}})
        if welcome["urgent"] and welcome["status"] != "closed":
            broadcast([client.ws], dump({"type": "crisis", "contacts": self.config.get("CRISIS_CONTACTS") or []}))
        client.ready()
        # A check-in made over HTTP reaches the consoles at the latest when its resident connects.
        await handlers.refresh(self, client.session_id)

    async def _open_staff(self, client: Client) -> None:
        def sessions_unit():
            user = db_session.get(User, client.user_id)
            sessions = operations.followed_sessions(user)
            return frames.staff_welcome(user, sessions), [s.id for s in sessions]

        welcome, session_ids = await self.read(sessions_unit)
        await self.hub.join(client, user_channel(client.user_id))
        for session_id in session_ids:
            await self.hub.join(client, session_staff(session_id))
        client.sessions = set(session_ids)
        state = await self.read(self._session_frames, session_ids)
        broadcast([client.ws], dump(welcome))
        for frame in state:
            broadcast([client.ws], dump(frame))
        client.ready()

    @staticmethod
    def _session_frames(session_ids) -> list[dict]:
        state = []
        for session_id in session_ids:
            state += [frames.staff_queue(session_id), frames.staff_counts(session_id)]
        return state

    async def _read(self, client: Client) -> None:
        flood_limit = int(self.config["RELAY_FLOOD_CLOSE_AFTER"])
        async for raw in client.ws:
            if not client.bucket.allow():
                if client.bucket.refused_in_a_row >= flood_limit:
                    log.warning("closed a flooding %s connection", client.kind)
                    await client.ws.close(1008, "flood")
                    return
                client.send_frame(frames.error("rate_limited", "Too many messages; please slow down."))
                continue
            frame = self._parse(client, raw)
            if frame is not None:
                await self._dispatch(client, frame)

    @staticmethod
    def _parse(client: Client, raw) -> dict | None:
        if isinstance(raw, bytes):
            client.send_frame(frames.error("bad_frame", "Send JSON text frames."))
            return None
        try:
            frame = json.loads(raw)
        except ValueError:
            client.send_frame(frames.error("bad_json", "The frame is not valid JSON."))
            return None
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            client.send_frame(frames.error("bad_frame", 'Each frame is a JSON object with a "type".'))
            return None
        return frame

    async def _dispatch(self, client: Client, frame: dict) -> None:
        table = handlers.RESIDENT if client.kind == "resident" else handlers.STAFF
        handler = table.get(frame["type"])
        context = {k: frame[k] for k in ("ref", "checkin_id", "session_id")
                   if isinstance(frame.get(k), (int, str)) and not isinstance(frame.get(k), bool)}
        if handler is None:
            client.send_frame(frames.error("unknown_type", f"Unknown message type: {frame['type'][:40]}", **context))
            return
        try:
            await handler(self, client, frame)
        except (DomainError, handlers.FrameError) as err:
            client.send_frame(frames.error(err.code, err.message, **context))
        except ConnectionClosed:
            raise
        except Exception as err:  # noqa: BLE001  (our fault, not the sender's: log it, keep the connection)
            if database_unreachable(err):
                log.error("database unreachable while handling a %s %r frame: %s", client.kind, frame["type"],
                          getattr(err, "orig", err))
                client.send_frame(frames.error("service_unavailable", UNAVAILABLE, **context))
                return
            log.exception("handling a %s %r frame failed", client.kind, frame["type"])
            client.send_frame(frames.error("internal_error", "Something went wrong on our side; please try again.",
                                           **context))

    # --- upkeep ----------------------------------------------------------------------------

    def _note_arrival(self, checkin_id: int) -> None:
        """Touch a resident who just connected, together with everyone who connects meanwhile (a commit
        each was a third of a connection's database time). Upkeep touches every connected resident
        itself before it lets anyone time out, so a pending note here never lets a connected one go."""
        self._arrived.add(checkin_id)
        if not self._touching:
            self._touching = True
            self.hub._spawn(self._touch_arrivals())

    async def _touch_arrivals(self) -> None:
        try:
            while self._arrived:  # those who arrived during one UPDATE go in the next
                ids, self._arrived = list(self._arrived), set()
                await self._touch(ids)
        finally:
            self._touching = False

    async def _touch(self, checkin_ids: list[int]) -> None:
        try:
            await self.db(operations.touch, checkin_ids)
        except Exception:  # noqa: BLE001  (a missed touch only shortens a timeout; log and go on)
            log.exception("could not note residents as connected")

    async def maintain(self) -> None:
        """Every few seconds: note who is connected, let stale check-ins go, follow new sessions."""
        while True:
            await asyncio.sleep(float(self.config["RELAY_MAINTENANCE_S"]))
            try:
                await self._upkeep()
            except Exception:  # noqa: BLE001
                log.exception("relay upkeep failed; trying again later")

    async def _upkeep(self) -> None:
        await self._touch([c.checkin_id for c in self.hub.clients if c.kind == "resident"])

        def expire():
            return [(c.id, c.session_id, c.ended_at >= c.session.ends_at) for c in operations.expire_stale()]

        sessions = set()
        for checkin_id, session_id, at_end in await self.db(expire):
            reason = "session_ended" if at_end else "timeout"
            await self.publish(checkin_channel(checkin_id), handlers.frame_of({"type": "closed", "reason": reason}))
            sessions.add(session_id)
        for session_id in sessions:
            await handlers.refresh(self, session_id)
        self.hub.refresh_staff()  # waited_s moves on; visitors recorded over HTTP show up
        for client in [c for c in self.hub.clients if c.kind == "staff" and c.backlog is None]:
            await self._follow_new_sessions(client)

    async def _follow_new_sessions(self, client: Client) -> None:
        def unit():
            user = db_session.get(User, client.user_id)
            sessions = operations.followed_sessions(user) if user is not None and user.active else []
            return [s.id for s in sessions], [frames.session_summary(s) for s in sessions]

        session_ids, summaries = await self.read(unit)
        if set(session_ids) == client.sessions:
            return
        for session_id in set(session_ids) - client.sessions:
            await self.hub.join(client, session_staff(session_id))
            self.hub.schedule_refresh(session_staff(session_id), session_id)
        for session_id in client.sessions - set(session_ids):
            await self.hub.part(client, session_staff(session_id))
        client.sessions = set(session_ids)
        client.send_frame({"type": "sessions", "sessions": summaries})


async def run(config: Mapping, host: str, port: int, stop: asyncio.Future | None = None, *,
              bind_database: bool = True, on_ready: Callable[[int], None] | None = None) -> None:
    """Serve the relay on host:port until `stop` resolves (forever when None).

    Raises BrokerUnavailable when REDIS_URL is set but Redis cannot be reached.
    """
    import webapp.models  # noqa: F401  (every table known to SQLAlchemy)

    if bind_database:
        bind(config["DATABASE_URL"])
    operations.configure(config)
    logging.getLogger("websockets").setLevel(logging.WARNING)  # its INFO lines would name clients
    relay = Relay(config)
    await relay.broker.start(relay.hub.on_message)
    notify.attach(asyncio.get_running_loop(), relay.broker)  # the web app in this process can tell us
    try:
        async with serve(relay.handler, host, port, process_request=relay.process_request,
                         max_size=MAX_FRAME_BYTES, ping_interval=20, ping_timeout=20, close_timeout=5,
                         # Short chat lines gain nothing from deflate, which roughly triples memory per connection.
                         compression=None, server_header=None) as server:
            bound = server.sockets[0].getsockname()[1]
            log.info("relay: ws://%s:%s%s (%s broker)", host, bound, relay.path, type(relay.broker).__name__)
            if on_ready is not None:
                on_ready(bound)
            upkeep = asyncio.create_task(relay.maintain(), name="relay-upkeep")
            try:
                await (stop if stop is not None else asyncio.get_running_loop().create_future())
            finally:
                upkeep.cancel()
                server.close()  # every open connection gets 1001 (going away)
    finally:
        notify.detach(asyncio.get_running_loop(), relay.broker)
        await relay.broker.close()
        relay.executor.shutdown(wait=False, cancel_futures=True)
        relay.readers.shutdown(wait=False, cancel_futures=True)


def main(config: Mapping, host: str, port: int, *, bind_database: bool = True,
         on_ready: Callable[[int], None] | None = None) -> None:
    """Run the relay until SIGINT or SIGTERM (both close connections with 1001)."""

    async def guarded():
        loop = asyncio.get_running_loop()
        stop = loop.create_future()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, functools.partial(_resolve, stop))
        await run(config, host, port, stop, bind_database=bind_database, on_ready=on_ready)

    asyncio.run(guarded())


def _resolve(future: asyncio.Future) -> None:
    if not future.done():
        future.set_result(None)
