"""The done page (no JavaScript) says something true and kind for each way a check-in ends.

Nobody is thanked for talking who did not talk: only a check-in closed as a consultation is.
The waiting room's JavaScript shows the same sentences (presenter.end_texts, in its data island).
"""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import update

from tests.checkins_ui.test_pages import check_in, csrf_of
from webapp.checkins import operations
from webapp.checkins.models import CheckIn
from webapp.db import db_session, utcnow
from webapp.sessions.models import Session
from webapp.staff.operations import by_login

TALKED = "お話ししてくださって、ありがとうございました"


def done_page(client) -> tuple[str, str]:
    """(the heading, the text under it) of the done page."""
    page = client.get("/checkins/done").get_data(as_text=True)
    heading = re.search(r"<h1>(.*?)</h1>", page, flags=re.S).group(1).strip()
    lead = re.search(r'<p class="lead" id="end-reason">(.*?)</p>', page, flags=re.S).group(1).strip()
    return heading, lead


def my_checkin() -> CheckIn:
    return db_session.query(CheckIn).one()


def test_a_consultation_is_thanked_for_talking(client, open_session):
    check_in(client, open_session.id)
    checkin = my_checkin()
    operations.take(checkin.id, by_login("sato"))
    operations.close(checkin.id, by_login("sato"), "consultation", ["family"], "listened", None)
    heading, lead = done_page(client)
    assert heading == "ありがとうございました" and TALKED in lead


def test_a_resident_closed_as_a_visit_is_thanked_for_coming_not_for_talking(client, open_session):
    check_in(client, open_session.id)
    operations.close(my_checkin().id, by_login("tanaka"), "visit_only", [], None, None)
    heading, lead = done_page(client)
    assert "推進員が受付を終えました" in lead and "来てくださって" in lead and TALKED not in lead


def test_a_resident_who_leaves_is_thanked_for_coming(client, open_session):
    check_in(client, open_session.id)
    client.post("/checkins/leave", data={"csrf_token": csrf_of(client.get("/checkins/leave").get_data(as_text=True))})
    heading, lead = done_page(client)
    assert heading == "ありがとうございました" and lead.startswith("退出しました。") and TALKED not in lead


def test_a_resident_who_erases_is_told_their_messages_are_gone(client, open_session):
    check_in(client, open_session.id)
    client.post("/checkins/erase", data={"csrf_token": csrf_of(client.get("/checkins/leave").get_data(as_text=True))})
    heading, lead = done_page(client)
    assert "書いたメッセージを消して、退出しました" in lead and TALKED not in lead
    assert "書いたメッセージを消して" not in done_page(client)[1]  # said once, then forgotten


def test_a_resident_still_waiting_at_the_end_gets_an_apology_not_thanks_for_talking(client, open_session):
    check_in(client, open_session.id)
    db_session.execute(update(Session).where(Session.id == open_session.id)
                       .values(ends_at=utcnow() - dt.timedelta(seconds=1)))
    db_session.commit()
    operations.expire_stale()
    heading, lead = done_page(client)
    assert heading == "受付が終わりました"
    assert "お話しできずにごめんなさい" in lead and TALKED not in lead and "来てくださって" not in lead


def test_the_waiting_room_carries_the_same_words_for_its_script(client, open_session):
    check_in(client, open_session.id)
    page = client.get("/checkins/wait").get_data(as_text=True)
    for key in ("closed", "closed_visit", "left", "removed", "erased", "session_ended"):
        assert f'"ended_{key}"' in page, key
    assert 'class="hint keyboard-hint" id="message-hint"' in page
