"""schemathesis against /api/v1/openapi.json, in process: 0 server errors, every answer as documented.

The whole schemathesis run (its engine, as `st run` drives it: examples, coverage, fuzzing and
stateful phases) against the WSGI app, with every check it has, valid and invalid input, NUL bytes
and any Unicode in generated text (and lone surrogates, as JSON escapes, in request bodies), once
anonymously and once as an admin with a bearer token, on a database holding a running session, a
future one, a cancelled one, reservations (active, cancelled, checked in) and staff accounts, whose
ids, codes and logins the generator mixes in with random ones so it gets past the 404s.
Deterministic (derandomized) and a moderate number of examples, so a run is repeatable and quick.
`pytest -s` prints a one-line summary per run.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import traceback
from collections import Counter

import pytest
import schemathesis
import schemathesis.engine
from hypothesis import strategies as st
from schemathesis.engine import Status, events

from webapp.clock import now_tokyo, utcnow
from webapp.db import db_session

#: Examples per operation and generation mode in the fuzzing phase.
MAX_EXAMPLES = 25
IDENTITIES = ("anonymous", "admin")
#: Mixed into the text fields and dates now and then: hypothesis alone rarely draws a NUL.
NUL_TEXTS = ["\x00", "さくら\x00", "\x00\x00\x00", "a\x00b", "\x00\n"]
TEXT_FIELDS = ("nickname", "topic", "location", "note", "join_url", "date", "starts_at", "ends_at")
#: Operations whose input has rules a JSON Schema cannot state (they live in the operations, by design):
#: for them a schema-valid request may also be refused with 400 and a contract code. Every other check,
#: and every other operation, stays as strict as schemathesis makes it.
RULES_BEYOND_THE_SCHEMA = {
    "listSessions": "from must not be after to; years 2000-2100",
    "getAuditLog": "the same range rule (GET /api/v1/audit, from the audit branch)",
    "createSession": "ends after it starts, both on its date; years 2000-2100; promoters are active staff",
    "updateSession": "the same rules on times and promoters",
    "reserve": "no phone number or e-mail address in a nickname or topic",
    "checkIn": "status and outcome only with source staff; a code of this session; the outcome vocabulary",
}
#: ... and text never holds control characters other than newline and tab (CONTRACT §7): 400 invalid_text.
#: What positive_data_acceptance takes from every other operation (a 5xx fails not_a_server_error anyway).
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429"]
#: use_after_free expects a 404 after a DELETE; the contract keeps a cancelled reservation readable (with
#: "status": "cancelled" and a cancelled calendar entry), so the holder can see it was cancelled.
STAYS_READABLE = ("getReservation", "getReservationIcs", "cancelReservation")


class Seeds:
    """Rows the fuzzer should reach: sessions (running S, future F, cancelled C), their slots, three codes."""

    def __init__(self, roles):
        from webapp.checkins import operations as checkins
        from webapp.reservations.operations import cancel, find, reserve
        from webapp.sessions.models import Session

        running = db_session.get(Session, roles.S)
        now = utcnow()
        started = [s.id for s in running.slots if s.starts_at.astimezone(dt.UTC) <= now]
        later = [s.id for s in running.slots if s.starts_at.astimezone(dt.UTC) > now]
        checked_in = reserve(later[0], "さくら", "") if later else None
        if checked_in is not None:
            checkins.check_in(roles.S, "cat", None, checked_in.code)
        active = reserve(roles.F_slot, "もみじ", "相談したいこと")
        cancelled = reserve(roles.F_slot, "", "")
        cancel(find(cancelled.code))
        cancelled_session = _cancelled_session()  # its slots answer session_cancelled
        self.sessions = [roles.S, roles.F, cancelled_session.id]
        self.slots = [roles.F_slot, *started[:1], *later[1:2], cancelled_session.slots[0].id]
        self.codes = [active.code, cancelled.code, *([checked_in.code] if checked_in else [])]
        self.logins = ["sato", "tanaka", "kimura", "boss"]
        db_session.remove()


def _cancelled_session():
    from webapp.sessions.operations import SessionSpec, cancel_session, create_session
    from webapp.timeutil import TOKYO

    day = now_tokyo().date() + dt.timedelta(days=20)
    session = create_session(SessionSpec(
        date=day, starts_at=dt.datetime.combine(day, dt.time(13, 30), tzinfo=TOKYO),
        ends_at=dt.datetime.combine(day, dt.time(15, 30), tzinfo=TOKYO), format="online", location="オンライン",
        join_url="https://example.org/meet", slot_minutes=60, capacity=1, promoters=["tanaka"]))
    cancel_session(session)
    return session


def config(seeds: Seeds, headers: dict) -> schemathesis.Config:
    """Every check, every phase, NUL bytes and any Unicode; known ids mixed in with random ones."""
    half = 0.5
    return schemathesis.Config.from_dict({
        "seed": 14,
        "cache": {"enabled": False},
        "headers": headers,
        "workers": 1,
        "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True, "allow-x00": True,
                       "codec": "utf-8", "with-security-parameters": True},
        "checks": {"enabled": True, "positive_data_acceptance": {"expected-statuses": ACCEPTED}},
        "operations": [
            *({"include-operation-id": operation_id,
               "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "400"]}}}
              for operation_id in RULES_BEYOND_THE_SCHEMA),
            {"include-operation-id": list(STAYS_READABLE), "checks": {"use_after_free": {"enabled": False}}},
        ],
        "phases": {name: {"enabled": True} for name in ("examples", "coverage", "fuzzing", "stateful")},
        "dictionaries": {"nul": {"values": NUL_TEXTS}, "sessions": {"values": seeds.sessions},
                         "slots": {"values": seeds.slots}, "codes": {"values": seeds.codes},
                         "logins": {"values": seeds.logins}},
        "parameters": {
            "path.session_id": {"dictionary": "sessions", "probability": half},
            "path.slot_id": {"dictionary": "slots", "probability": half},
            "path.code": {"dictionary": "codes", "probability": half},
            "body.reservation_code": {"dictionary": "codes", "probability": half},
            "body.promoters[*]": {"dictionary": "logins", "probability": half},
            **{f"body.{field}": {"dictionary": "nul", "probability": 0.2} for field in TEXT_FIELDS},
            **{f"query.{name}": {"dictionary": "nul", "probability": 0.1} for name in ("from", "to")},
        },
    })


def _with_lone_surrogates(value):
    """Every string of a JSON body with a lone surrogate appended (sent as a \\udXXX escape)."""
    if isinstance(value, str):
        return value + "\ud800"
    if isinstance(value, dict):
        return {key: _with_lone_surrogates(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_with_lone_surrogates(inner) for inner in value]
    return value


def _holds_text(value) -> bool:
    if isinstance(value, dict):
        return any(_holds_text(inner) for inner in value.values())
    if isinstance(value, list):
        return any(_holds_text(inner) for inner in value)
    return isinstance(value, str)


def add_lone_surrogates(schema) -> None:
    """schemathesis leaves lone surrogates out (not encodable on the wire); JSON escapes them, so add some."""

    @schema.hook
    def flatmap_case(context, case):
        invalid = case.meta is not None and case.meta.generation.mode.is_negative
        refusable = schema.get_operation_id(case.operation) in RULES_BEYOND_THE_SCHEMA  # a 400 is fine there
        if not (invalid or refusable) or not _holds_text(case.body):
            return st.just(case)

        def broken(yes: bool):
            if yes:  # bytes are sent as they are; json.dumps writes the surrogates as \udXXX escapes
                case.body = json.dumps(_with_lone_surrogates(case.body)).encode()
            return case

        return st.booleans().map(broken)


#: Arguments only a `requests` session takes: the engine hands them to its ignored_auth probes, which lose the
#: session (schemathesis 4.32), so werkzeug's in-process client would refuse them (`max_redirects`).
REQUESTS_ONLY = ("max_redirects", "verify", "cert", "proxies")


@pytest.fixture
def in_process_probes(monkeypatch):
    """ignored_auth re-sends a request without credentials; in process, without the network-only arguments."""
    from schemathesis.specs.openapi import _auth_retry

    original = _auth_retry.build_retry_transport_kwargs

    def for_wsgi(base_kwargs, security_parameters):
        kwargs = original(base_kwargs, security_parameters)
        for name in REQUESTS_ONLY:
            kwargs.pop(name, None)
        return kwargs

    monkeypatch.setattr(_auth_retry, "build_retry_transport_kwargs", for_wsgi)


#: A JSON escape of a high surrogate with no low one after it, or of a low one with no high one before it.
LONE_SURROGATE = re.compile(rb"\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f])|(?<!\\ud[89ab][0-9a-f]{2})\\ud[c-f][0-9a-f]{2}",
                            re.IGNORECASE)


class Run:
    """What one engine run did: operations, requests sent, and every failed check or error."""

    def __init__(self, stream):
        self.operations: set[str] = set()
        self.examples = 0
        #: Requests by the class of their answer ("2xx", "4xx", ...), and those that carried NUL or a lone surrogate.
        self.answers: Counter[str] = Counter()
        self.with_nul = self.with_surrogate = 0
        self.failures: list[str] = []
        for event in stream:
            if isinstance(event, events.ScenarioFinished):
                self._scenario(event)
            elif isinstance(event, events.NonFatalError):
                self.failures.append(f"{event.label} [{event.phase}] error:\n"
                                     + "".join(traceback.format_exception(event.value)))
            elif isinstance(event, events.FatalError):
                self.failures.append("schemathesis stopped:\n" + "".join(traceback.format_exception(event.exception)))
            elif isinstance(event, events.EngineFinished):
                self.failures.extend(f"after run: {failure.title}" for failure in event.failures)

    def _scenario(self, event) -> None:
        recorder = event.recorder
        if recorder.cases:
            self.operations.add(recorder.label)
        self.examples += len(recorder.interactions)
        for interaction in recorder.interactions.values():
            if interaction.response is not None:
                self.answers[f"{interaction.response.status_code // 100}xx"] += 1
            sent = interaction.request.uri.encode() + (interaction.request.body or b"")
            self.with_nul += b"%00" in sent or b"\\u0000" in sent or b"\x00" in sent
            self.with_surrogate += LONE_SURROGATE.search(sent) is not None
        seen = set()
        for checks in recorder.checks.values():
            for check in checks:
                if check.status != Status.FAILURE or check.failure_info is None:
                    continue
                failure = check.failure_info.failure
                key = (recorder.label, check.name, failure.title)
                if key in seen:
                    continue
                seen.add(key)
                self.failures.append(f"{recorder.label} [{event.phase.value}] {check.name}: {failure.title}\n"
                                     f"{failure.message}\n{check.failure_info.code_sample}")


@pytest.mark.parametrize("identity", IDENTITIES)
def test_schemathesis_finds_no_server_error_and_no_answer_the_document_does_not_describe(app, roles, identity,
                                                                                          in_process_probes):
    seeds = Seeds(roles)
    headers = {"Authorization": f"Bearer {roles.bearer['admin']}"} if identity == "admin" else {}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config(seeds, headers))
    add_lone_surrogates(schema)
    run = Run(schemathesis.engine.from_schema(schema).execute())
    answers = ", ".join(f"{count} {kind}" for kind, count in sorted(run.answers.items()))
    print(f"\nschemathesis ({identity}): {len(run.operations)} operations, {run.examples} requests ({answers}; "
          f"{run.with_nul} with NUL, {run.with_surrogate} with a lone surrogate), {len(run.failures)} failures")
    assert run.operations, "schemathesis tested no operation"
    assert not run.failures, "\n\n".join(run.failures)
