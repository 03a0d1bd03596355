"""The waiting room and the staff console over a real relay (CONTRACT.md section 5)."""
from __future__ import annotations

import threading

import pytest

from webapp.db import db_session

OUTCOME = {"kind": "consultation", "topics": ["elderly"], "result": "referred", "referred_to": "chiiki_houkatsu"}


@pytest.fixture
def console(world, relay, peers):
    """sato's and tanaka's consoles, connected and past their welcome."""

    def open_console(login):
        peer = peers(relay.url(world.staff_token(login)))
        peer.next("welcome")
        peer.next("queue", session_id=world.session_id)
        peer.next("counts", session_id=world.session_id)
        return peer

    return open_console


def resident(world, relay, peers, **kwargs):
    checkin_id, token = world.check_in(**kwargs)
    peer = peers(relay.url(token))
    return checkin_id, token, peer


def test_a_resident_is_welcomed_with_their_place_and_an_estimate(world, relay, peers):
    resident(world, relay, peers, avatar="dog")
    checkin_id, _, second = resident(world, relay, peers, avatar="cat", nickname="はなこ")
    welcome = second.next("welcome")
    assert welcome["checkin_id"] == checkin_id
    assert welcome["session_id"] == world.session_id
    assert welcome["status"] == "waiting"
    assert welcome["position"] == 2 and welcome["waiting"] == 2
    # 2nd in line x 20 minutes / 2 promoters
    assert welcome["estimated_wait_s"] == 2 * 20 * 60 // 2
    assert welcome["messages"] == []
    assert "handoff" not in welcome


def test_a_residents_messages_reach_staff_and_never_another_resident(world, relay, peers, console):
    sato = console("sato")
    checkin_id, _, alice = resident(world, relay, peers)
    _, _, bob = resident(world, relay, peers)
    alice.next("welcome"), bob.next("welcome")
    alice.send(type="message", text="相談したいことがあります")
    got = sato.next("message", checkin_id=checkin_id)
    assert got["from"] == "resident" and got["text"] == "相談したいことがあります"
    assert got["session_id"] == world.session_id
    assert alice.next("message")["text"] == "相談したいことがあります"  # the resident's own echo
    assert not [f for f in bob.drain() if f["type"] == "message"]
    # bob learns only that one more person waits, never who
    assert all(set(f) <= {"type", "position", "waiting", "estimated_wait_s"} for f in bob.seen if f["type"] == "queue")


def test_of_two_staff_taking_one_resident_at_once_exactly_one_wins(world, relay, peers, console):
    sato, tanaka = console("sato"), console("tanaka")
    for _ in range(3):
        checkin_id, _, person = resident(world, relay, peers)
        person.next("welcome")
        sato.next("queue", session_id=world.session_id)
        go = threading.Barrier(2)

        def take(peer, go=go, checkin_id=checkin_id):
            go.wait()
            peer.send(type="take", checkin_id=checkin_id)

        threads = [threading.Thread(target=take, args=(p,)) for p in (sato, tanaka)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        answers = []
        for peer in (sato, tanaka):
            frames = [f for f in peer.drain(1.0)
                      if f.get("checkin_id") == checkin_id and f["type"] in ("taken", "error")]
            answers += [f["type"] if f["type"] == "taken" else f["code"] for f in frames]
        assert sorted(answers) == ["already_taken", "taken"]
        handoff = person.next("handoff")
        assert handoff["promoter"]["display_name"] in ("主任推進員 sato", "主任推進員 tanaka")
        assert world.checkin(checkin_id).status == "in_consultation"


def test_after_handoff_the_chat_is_private_to_the_resident_and_the_promoter(world, relay, peers, console):
    sato, tanaka = console("sato"), console("tanaka")
    checkin_id, _, alice = resident(world, relay, peers)
    _, _, bob = resident(world, relay, peers)
    alice.next("welcome")
    sato.send(type="take", checkin_id=checkin_id)
    taken = sato.next("taken", checkin_id=checkin_id)
    assert taken["mode"] == "in_person"
    handoff = alice.next("handoff")
    assert handoff == {"type": "handoff", "promoter": {"display_name": "主任推進員 sato"}, "mode": "in_person"}

    alice.send(type="message", text="家族のことで悩んでいます")
    assert sato.next("message", checkin_id=checkin_id)["text"] == "家族のことで悩んでいます"
    sato.send(type="message", checkin_id=checkin_id, text="お話を聞かせてください")
    reply = alice.next("message", **{"from": "staff"})
    assert reply["text"] == "お話を聞かせてください" and reply["display_name"] == "主任推進員 sato"

    tanaka.send(type="message", checkin_id=checkin_id, text="割り込み")
    assert tanaka.next("error")["code"] == "not_your_checkin"
    tanaka.send(type="history", checkin_id=checkin_id)
    assert tanaka.next("error")["code"] == "not_your_checkin"
    texts = [f.get("text") for f in tanaka.drain() + bob.drain()]
    assert "家族のことで悩んでいます" not in texts and "お話を聞かせてください" not in texts
    private = ("家族のことで悩んでいます", "お話を聞かせてください")
    assert not [f for f in tanaka.seen + bob.seen if f.get("text") in private]


def test_an_outcome_raises_consultations_for_staff_and_the_api(world, relay, peers, console, client):
    sato = console("sato")
    checkin_id, _, alice = resident(world, relay, peers)
    alice.next("welcome")
    sato.send(type="take", checkin_id=checkin_id)
    sato.next("taken")
    sato.send(type="close", checkin_id=checkin_id, outcome=OUTCOME)
    ack = sato.next("closed", checkin_id=checkin_id)
    assert ack["outcome"] == OUTCOME
    counts = sato.next("counts", consultations=1)
    assert counts == {"type": "counts", "session_id": world.session_id, "visits": 1, "consultations": 1,
                      "waiting": 0, "in_consultation": 0}
    assert alice.next("closed")["type"] == "closed"
    assert client.get(f"/api/v1/sessions/{world.session_id}/counts").get_json()["consultations"] == 1
    db_session.remove()


def test_a_reconnect_with_the_same_token_resumes_the_conversation(world, relay, peers, console):
    sato = console("sato")
    _, _, first = resident(world, relay, peers)
    checkin_id, token, alice = resident(world, relay, peers)
    assert alice.next("welcome")["position"] == 2
    alice.send(type="message", text="はじめまして")
    sato.next("message", checkin_id=checkin_id)
    alice.close()

    again = peers(relay.url(token))
    welcome = again.next("welcome")
    assert welcome["status"] == "waiting" and welcome["position"] == 2
    assert [m["text"] for m in welcome["messages"]] == ["はじめまして"]
    again.close()

    sato.send(type="take", checkin_id=checkin_id)
    sato.next("taken")
    sato.send(type="message", checkin_id=checkin_id, text="こんにちは、さとうです")
    sato.next("message", checkin_id=checkin_id, **{"from": "staff"})
    third = peers(relay.url(token))
    welcome = third.next("welcome")
    assert welcome["status"] == "in_consultation" and welcome["position"] is None
    assert welcome["handoff"]["promoter"]["display_name"] == "主任推進員 sato"
    assert [(m["from"], m["text"]) for m in welcome["messages"]] == [
        ("resident", "はじめまして"), ("staff", "こんにちは、さとうです")]


def test_a_crisis_word_puts_the_resident_first_and_shows_them_crisis_contacts(world, relay, peers, console):
    sato = console("sato")
    resident(world, relay, peers)[2].next("welcome")
    checkin_id, _, alice = resident(world, relay, peers)
    assert alice.next("welcome")["position"] == 2
    alice.send(type="message", text="もう シニタイ")
    crisis = alice.next("crisis")
    assert crisis["contacts"] and crisis["contacts"][0]["url"]
    assert alice.next("queue", position=1)["waiting"] == 2
    assert sato.next("message", checkin_id=checkin_id)["urgent"] is True
    queue = sato.next("queue", where=lambda f: bool(f["entries"]) and f["entries"][0]["checkin_id"] == checkin_id)
    assert queue["entries"][0]["urgent"] is True and not queue["entries"][1]["urgent"]


def test_an_announcement_reaches_every_waiting_resident(world, relay, peers, console):
    sato = console("sato")
    people = [resident(world, relay, peers)[2] for _ in range(2)]
    [p.next("welcome") for p in people]
    sato.send(type="announce", session_id=world.session_id, text="あと10分ほどでご案内します")
    for person in people:
        notice = person.next("announcement")
        assert notice["text"] == "あと10分ほどでご案内します" and notice["at"].endswith("+09:00")
    late = resident(world, relay, peers)[2]
    assert [a["text"] for a in late.next("welcome")["announcements"]] == ["あと10分ほどでご案内します"]


def test_a_resident_who_leaves_is_left_with_their_waiting_time_kept(world, relay, peers, console):
    sato = console("sato")
    checkin_id, _, alice = resident(world, relay, peers)
    _, _, bob = resident(world, relay, peers)
    assert bob.next("welcome")["position"] == 2
    alice.next("welcome")
    alice.send(type="leave")
    assert alice.next("closed")["reason"] == "left"
    assert bob.next("queue", position=1)["waiting"] == 1
    sato.next("counts", waiting=1)
    left = world.checkin(checkin_id)
    assert left.status == "left" and left.ended_at >= left.created_at
    assert world.counts()["visits"] == 2


def test_a_promoter_can_hand_a_resident_to_the_other_promoter(world, relay, peers, console):
    sato, tanaka = console("sato"), console("tanaka")
    checkin_id, _, alice = resident(world, relay, peers)
    alice.next("welcome")
    sato.send(type="take", checkin_id=checkin_id)
    sato.next("taken")
    alice.next("handoff")
    alice.send(type="message", text="前半の話")
    sato.next("message", checkin_id=checkin_id)
    sato.send(type="transfer", checkin_id=checkin_id, to_login="tanaka")
    assert sato.next("transferred")["to"]["login"] == "tanaka"
    taken = tanaka.next("taken", checkin_id=checkin_id)
    assert [m["text"] for m in taken["messages"]] == ["前半の話"]
    assert alice.next("handoff")["promoter"]["display_name"] == "主任推進員 tanaka"
    alice.send(type="message", text="後半の話")
    assert tanaka.next("message", checkin_id=checkin_id)["text"] == "後半の話"
    assert "後半の話" not in [f.get("text") for f in sato.drain()]


def test_staff_can_remove_an_abusive_checkin_and_its_token_stops_working(world, relay, peers, console):
    from websockets.exceptions import InvalidStatus

    sato = console("sato")
    checkin_id, token, troll = resident(world, relay, peers)
    troll.next("welcome")
    sato.send(type="remove", checkin_id=checkin_id)
    assert sato.next("removed")["checkin_id"] == checkin_id
    assert troll.next("closed")["reason"] == "removed"
    troll.ws.recv_events_thread.join(5)
    assert troll.ws.close_code == 1008
    with pytest.raises(InvalidStatus) as refused:
        peers(relay.url(token))
    assert refused.value.response.status_code == 403
    assert world.counts()["visits"] == 0


def test_a_promoter_follows_only_the_sessions_they_are_assigned_to(world, relay, peers, make_session):
    checkin_id, _ = world.check_in()
    kimura = peers(relay.url(world.staff_token("kimura")))
    welcome = kimura.next("welcome")
    assert welcome["sessions"] == []
    kimura.send(type="take", checkin_id=checkin_id)
    assert kimura.next("error")["code"] == "forbidden"
    boss = peers(relay.url(world.staff_token("boss")))
    assert [s["id"] for s in boss.next("welcome")["sessions"]] == [world.session_id]
    assert boss.next("queue")["entries"][0]["checkin_id"] == checkin_id


def test_staff_can_count_a_walk_in_visitor_and_close_it_at_once(world, relay, peers, console):
    sato = console("sato")
    sato.send(type="walkin", session_id=world.session_id, avatar="tree")
    ack = sato.next("walkin")
    assert ack["status"] == "in_consultation"
    sato.send(type="close", checkin_id=ack["checkin_id"], outcome={"kind": "visit_only", "topics": []})
    sato.next("closed", checkin_id=ack["checkin_id"])
    sato.send(type="walkin", session_id=world.session_id, avatar="tea", outcome=OUTCOME)
    assert sato.next("walkin")["status"] == "closed"
    assert sato.next("counts", visits=2, consultations=1)


def test_staff_mistakes_get_error_frames_that_name_the_problem(world, relay, peers, console):
    sato = console("sato")
    sato.send(type="take", checkin_id=99999)
    assert sato.next("error")["code"] == "not_found"
    sato.send(type="take", checkin_id="one")
    assert sato.next("error")["code"] == "bad_frame"
    checkin_id, _ = world.check_in()
    sato.send(type="close", checkin_id=checkin_id, outcome={"kind": "consultation", "topics": [], "result": "listened"})
    assert sato.next("error")["code"] == "not_taken"
    sato.send(type="take", checkin_id=checkin_id)
    sato.next("taken")
    sato.send(type="close", checkin_id=checkin_id, outcome={"kind": "consultation", "topics": ["nope"], "result": "x"})
    assert sato.next("error")["code"] == "invalid_outcome"
    sato.send(type="announce", session_id=world.session_id, text="")
    assert sato.next("error")["code"] == "empty_text"


def test_a_console_gets_each_arrival_alone_and_the_whole_queue_when_it_asks(world, relay, peers, console):
    first_id, _, first = resident(world, relay, peers, avatar="dog")
    first.next("welcome")
    sato = console("sato")
    assert [e["checkin_id"] for e in sato.queues[world.session_id]["entries"]] == [first_id]
    second_id, _, second = resident(world, relay, peers, avatar="cat")
    second.next("welcome")
    shown = sato.next("queue", where=lambda f: len(f["entries"]) == 2)
    assert [e["checkin_id"] for e in shown["entries"]] == [first_id, second_id]
    arrival = next(d for d in sato.deltas if d["added"])
    # Only the newcomer travels, not everyone already in line.
    assert [e["checkin_id"] for e in arrival["added"]] == [second_id] and arrival["gone"] == []
    sato.send(type="queue", session_id=world.session_id)
    again = sato.next("queue", where=lambda f: len(f["entries"]) == 2)
    assert again["entries"][1]["avatar"] == "cat"
    sato.send(type="queue", session_id=world.session_id + 1000)
    assert sato.next("error")["code"] == "forbidden"
