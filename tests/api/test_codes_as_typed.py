"""CONTRACT §6: every API route that takes a reservation code accepts it as people type it."""
from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import pytest

from tests.api.helpers import API, error_code
from webapp.clock import now_tokyo
from webapp.reservations.operations import normalize_code, reserve


def full_width(code: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in code)


def typings(code: str) -> list[str]:
    """Ways a resident types 4AH7X-4V9X2-YQWXD: full width, lower case, spaces, long-vowel marks, no dashes."""
    return [full_width(code.lower()), full_width(code), code.lower().replace("-", " "), code.replace("-", ""),
            code.replace("-", "ー"), code.replace("-", "\u3000"), " " + code.replace("-", "\u2010") + " "]


@pytest.mark.parametrize("typed", typings("4AH7X-4V9X2-YQWXD"))
def test_every_typing_of_a_code_is_the_same_code(typed):
    assert normalize_code(typed) == "4AH7X-4V9X2-YQWXD"


NOT_CODES = ["", "4AH7X-4V9X2-YQWX", "4AH7X-4V9X2-YQWX0", "ＯＯＯＯＯ-ＯＯＯＯＯ-ＯＯＯＯＯ", None, 42]


@pytest.mark.parametrize("typed", NOT_CODES)
def test_what_cannot_be_a_code_is_refused(typed):
    assert normalize_code(typed) is None


def test_get_ics_and_delete_accept_a_full_width_lower_case_code(client, make_session):
    code = reserve(make_session(capacity=1).slots[0].id).code
    typed = quote(full_width(code.lower()))
    shown = client.get(f"{API}/reservations/{typed}")
    assert shown.status_code == 200 and shown.get_json()["code"] == code
    assert client.get(f"{API}/reservations/{typed}.ics").status_code == 200
    assert client.delete(f"{API}/reservations/{typed}").status_code == 204
    assert client.get(f"{API}/reservations/{code}").get_json()["status"] == "cancelled"


def test_check_in_takes_a_full_width_code_with_spaces(client, make_session):
    now = now_tokyo()
    if now.hour == 23 or now.hour == 0:
        pytest.skip("too close to midnight for a session around now")
    start = (now - dt.timedelta(minutes=50)).strftime("%H:%M")
    end = (now + dt.timedelta(minutes=50)).strftime("%H:%M")
    session = make_session(day=now.date(), start=start, end=end, slot_minutes=10)
    code = reserve(session.slots[-1].id).code
    typed = full_width(code).replace("－", "　")
    answer = client.post(f"{API}/sessions/{session.id}/checkins", json={"avatar": "cat", "reservation_code": typed})
    assert answer.status_code == 201, answer.get_json()
    wrong = client.post(f"{API}/sessions/{session.id}/checkins",
                        json={"avatar": "cat", "reservation_code": "ＺＺＺＺＺ－ＺＺＺＺＺ－ＺＺＺＺＺ"})
    assert wrong.status_code == 400 and error_code(wrong) == "invalid_reservation"


@pytest.mark.parametrize("topic", ["折り返し 090-1234-5678 まで", "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ に連絡ください"])
def test_a_topic_with_a_phone_number_or_an_email_address_is_refused_and_not_stored(client, make_session, topic):
    slot = make_session(capacity=1).slots[0]
    answer = client.post(f"{API}/slots/{slot.id}/reservations", json={"topic": topic})
    assert answer.status_code == 400 and error_code(answer) == "contact_in_topic"
    assert client.post(f"{API}/slots/{slot.id}/reservations", json={"topic": "仕事のこと"}).status_code == 201
