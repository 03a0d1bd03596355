"""The room's map, visits that are not in line, and practice visits, as an API client sees them (CONTRACT §9)."""
from __future__ import annotations

import datetime as dt

from tests.realtime.conftest import open_today
from webapp.db import utcnow
from webapp.timeutil import local


def test_a_metaverse_session_shows_its_room_map_stamps_and_nobody_in_it_yet(client, make_user, make_session):
    make_user("sato")
    session = open_today(make_session, fmt="metaverse", promoters=("sato",))
    body = client.get(f"/api/v1/sessions/{session.id}/room").get_json()
    assert body["session_id"] == session.id and body["occupants"] == 0
    kinds = {zone["kind"] for zone in body["map"]["zones"]}
    assert kinds == {"entrance", "lounge", "booth", "board"}
    assert body["map"]["width"] > 0 and body["map"]["height"] > 0 and "wave" in body["emotes"]
    for zone in body["map"]["zones"]:
        assert 0 <= zone["x"] <= zone["x"] + zone["w"] <= body["map"]["width"]
        assert 0 <= zone["y"] <= zone["y"] + zone["h"] <= body["map"]["height"]


def test_a_session_held_elsewhere_has_no_room(client, make_session):
    session = make_session(fmt="in_person")
    answer = client.get(f"/api/v1/sessions/{session.id}/room")
    assert answer.status_code == 404 and answer.get_json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/sessions/999999/room").status_code == 404


def test_a_visitor_counts_as_a_visit_but_is_not_in_line(client, make_user, make_session):
    make_user("sato")
    session = open_today(make_session, fmt="metaverse", promoters=("sato",))
    answer = client.post(f"/api/v1/sessions/{session.id}/checkins", json={"avatar": "cat", "intent": "visit"})
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    assert body["status"] == "visiting" and body["position"] is None and body["token"]
    counts = client.get(f"/api/v1/sessions/{session.id}/counts").get_json()
    assert counts["visits"] == 1 and counts["waiting"] == 0
    plain = client.post(f"/api/v1/sessions/{session.id}/checkins", json={"avatar": "dog"}).get_json()
    assert plain["status"] == "waiting" and plain["position"] == 1


def test_intent_visit_is_refused_for_a_session_without_a_room(client, make_user, make_session):
    session = open_today(make_session, fmt="online", promoters=())
    answer = client.post(f"/api/v1/sessions/{session.id}/checkins", json={"avatar": "cat", "intent": "visit"})
    assert answer.status_code == 400 and answer.get_json()["error"]["code"] == "invalid_intent"
    answer = client.post(f"/api/v1/sessions/{session.id}/checkins", json={"avatar": "cat", "intent": "stay"})
    assert answer.status_code == 400 and answer.get_json()["error"]["code"] == "invalid_intent"


def test_practice_is_open_outside_session_hours_and_is_not_a_visit(client, make_session):
    later = local(utcnow()).date() + dt.timedelta(days=20)
    session = make_session(day=later, fmt="metaverse")
    room = client.get(f"/api/v1/sessions/{session.id}/room").get_json()
    assert room["practice"] is True and room["open"] is False
    answer = client.post(f"/api/v1/sessions/{session.id}/room/practice")
    assert answer.status_code == 201 and answer.get_json()["token"] and answer.get_json()["practice"] is True
    assert client.get(f"/api/v1/sessions/{session.id}/counts").get_json()["visits"] == 0


def test_practice_is_refused_while_the_session_runs(client, make_user, make_session):
    make_user("sato")
    session = open_today(make_session, fmt="metaverse", promoters=("sato",))
    answer = client.post(f"/api/v1/sessions/{session.id}/room/practice")
    assert answer.status_code == 409 and answer.get_json()["error"]["code"] == "session_open"
    other = make_session(fmt="in_person")
    assert client.post(f"/api/v1/sessions/{other.id}/room/practice").status_code == 404


def test_the_figures_show_the_rooms_funnel_and_practice_apart(client, make_user, make_session, staff_token):
    from webapp.checkins import operations
    from webapp.db import db_session
    from webapp.rooms.operations import ask, begin_practice
    from webapp.staff.models import User

    make_user("sato")
    session = open_today(make_session, fmt="metaverse", promoters=("sato",))
    later = make_session(day=local(utcnow()).date() + dt.timedelta(days=1), fmt="metaverse")
    sato = db_session.query(User).filter_by(login="sato").one()
    visitors = [operations.check_in(session.id, "cat", intent="visit") for _ in range(3)]
    ask(visitors[0].id)
    ask(visitors[1].id)
    operations.take(visitors[0].id, sato)
    operations.close(visitors[0].id, sato, "consultation", ["elderly"], "listened", None)
    begin_practice(later.id)
    year = session.date.year if session.date.month >= 4 else session.date.year - 1
    token = staff_token("admin")
    answer = client.get(f"/api/v1/stats?fiscal_year={year}", headers={"Authorization": f"Bearer {token}"})
    room = answer.get_json()["room"]
    mine = next(s for s in room["sessions"] if s["session_id"] == session.id)
    assert (mine["entered"], mine["asked"], mine["consultations"], mine["practice"]) == (3, 2, 1, 0)
    if later.date.month != 4 or later.date.day != 1:  # the next day is in the same fiscal year
        assert room["practice"] == 1
    assert room["entered"] == 3
    counts = client.get(f"/api/v1/sessions/{later.id}/counts").get_json()
    assert counts["visits"] == 0
    csv_text = client.get(f"/api/v1/stats.csv?fiscal_year={year}",
                          headers={"Authorization": f"Bearer {token}"}).get_data().decode("utf-8-sig")
    assert "■メタバース会場" in csv_text and f"{session.date.isoformat()},3,2,1,0" in csv_text


def test_the_staff_figures_page_shows_the_rooms_funnel(client, auth, make_user, make_session):
    from webapp.checkins import operations

    make_user("sato")
    session = open_today(make_session, fmt="metaverse", promoters=("sato",))
    operations.check_in(session.id, "cat", intent="visit")
    auth.login("sato")
    year = session.date.year if session.date.month >= 4 else session.date.year - 1
    page = client.get(f"/staff/stats?fiscal_year={year}").get_data(as_text=True)
    assert "メタバース会場の利用" in page and "入室" in page
    english = client.get(f"/staff/stats?fiscal_year={year}&lang=en").get_data(as_text=True)
    assert "The metaverse room" in english and "Asked to talk" in english
