"""Outcomes that add up: the relay's close and walkin frames and the API refuse contradictions, naming the field.

One rule (webapp/checkins/operations/outcomes.py resolve_outcome) answers all of them; the check-in
stays as it was after a refusal, so the promoter fixes the field and records again.
"""
from __future__ import annotations

import pytest

from webapp.checkins.models import CheckIn
from webapp.db import db_session

GOOD = {"kind": "consultation", "topics": ["money"], "result": "referred", "referred_to": "kurashi_shigoto"}

#: (what the promoter sent, the field named, the problem named)
CONTRADICTIONS = [
    ({**GOOD, "topics": []}, "topics", "topic_needed"),
    ({**GOOD, "result": None, "referred_to": None}, "result", "result_needed"),
    ({**GOOD, "referred_to": None}, "referred_to", "agency_needed"),
    ({**GOOD, "result": "listened"}, "result", "referral_needed"),
    ({"kind": "visit_only", "topics": ["money"], "result": None, "referred_to": None}, "topics", "visit_has_topics"),
    ({"kind": "visit_only", "topics": [], "result": "listened", "referred_to": None}, "result", "visit_has_result"),
    ({"kind": "visit_only", "topics": [], "result": None, "referred_to": "shakyo"}, "referred_to",
     "visit_has_agency"),
    ({**GOOD, "referred_to": "nowhere"}, "referred_to", "unknown_agency"),
]


def status_of(checkin_id: int) -> str:
    try:
        return db_session.get(CheckIn, checkin_id).status
    finally:
        db_session.remove()


def test_a_close_that_does_not_add_up_is_refused_naming_the_field_and_the_checkin_stays_open(world, relay, peers):
    checkin_id, token = world.check_in(avatar="cat")
    sato = peers(relay.url(world.staff_token("sato")))
    sato.next("welcome")
    resident = peers(relay.url(token))
    resident.next("welcome")
    sato.send(type="take", checkin_id=checkin_id)
    sato.next("taken", checkin_id=checkin_id)

    for outcome, field, problem in CONTRADICTIONS:
        sato.send(type="close", checkin_id=checkin_id, outcome=outcome)
        refused = sato.next("error", checkin_id=checkin_id)
        assert (refused["code"], refused["field"], refused["problem"]) == ("invalid_outcome", field, problem), outcome
        assert refused["message"]
        assert status_of(checkin_id) == "in_consultation"
    assert "closed" not in [f["type"] for f in resident.drain(0.2)]

    sato.send(type="close", checkin_id=checkin_id, outcome=GOOD)
    assert sato.next("closed", checkin_id=checkin_id)["outcome"] == GOOD
    assert resident.next("closed") == {"type": "closed", "reason": "closed", "consulted": True}
    assert world.counts()["consultations"] == 1


def test_a_waiting_resident_closed_as_a_visit_is_not_told_they_consulted(world, relay, peers):
    checkin_id, token = world.check_in(avatar="dog")
    sato = peers(relay.url(world.staff_token("sato")))
    sato.next("welcome")
    resident = peers(relay.url(token))
    resident.next("welcome")
    sato.send(type="close", checkin_id=checkin_id,
              outcome={"kind": "visit_only", "topics": [], "result": None, "referred_to": None})
    sato.next("closed", checkin_id=checkin_id)
    assert resident.next("closed") == {"type": "closed", "reason": "closed", "consulted": False}
    again = peers(relay.url(token))
    welcome = again.next("welcome")
    assert (welcome["status"], welcome["reason"], welcome["consulted"]) == ("closed", "closed", False)


def test_a_walk_in_recorded_with_a_contradiction_is_refused_and_not_counted(world, relay, peers):
    sato = peers(relay.url(world.staff_token("sato")))
    sato.next("welcome")
    sato.send(type="walkin", session_id=world.session_id, avatar="tea",
              outcome={"kind": "consultation", "topics": ["family"], "result": "information",
                       "referred_to": "shakyo"})
    refused = sato.next("error")
    assert (refused["code"], refused["field"], refused["problem"]) == ("invalid_outcome", "result", "referral_needed")
    assert world.counts()["visits"] == 0


@pytest.mark.parametrize(("outcome", "field", "problem"), CONTRADICTIONS[:4])
def test_the_api_refuses_a_staff_recorded_visitor_whose_outcome_does_not_add_up(
        world, client, staff_token, outcome, field, problem):
    token = staff_token("admin")
    response = client.post(f"/api/v1/sessions/{world.session_id}/checkins",
                           headers={"Authorization": f"Bearer {token}"},
                           json={"avatar": "moon", "source": "staff", "outcome": outcome})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert (error["code"], error["field"], error["problem"]) == ("invalid_outcome", field, problem)
    assert error["message"]
    assert client.get(f"/api/v1/sessions/{world.session_id}/counts").get_json()["visits"] == 0
