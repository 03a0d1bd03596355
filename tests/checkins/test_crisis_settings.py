"""Admins edit the crisis phrases and contacts in the app; every relay uses them without a restart."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.realtime.conftest import peers, relay_processes, world  # noqa: F401  (fixtures)
from webapp.checkins.crisis_models import CrisisContact
from webapp.db import db_session

NEW_PHRASE = "遠くへ行ってしまいたい"


def _csrf(client, path="/admin/crisis") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


@pytest.fixture
def admin(client, auth, make_user):
    make_user("boss2", role="admin")
    auth.login("boss2")
    return client


def _first_contact() -> CrisisContact:
    contact = db_session.scalars(select(CrisisContact).order_by(CrisisContact.position)).first()
    db_session.remove()
    return contact


def test_the_page_lists_the_seeded_phrases_and_contacts(admin):
    page = admin.get("/admin/crisis").get_data(as_text=True)
    assert "危機のことばと緊急の窓口" in page and "いなくなりたい" in page and "よりそいホットライン" in page


def test_promoters_may_not_open_the_page(client, auth, make_user):
    make_user("sato9", role="promoter")
    auth.login("sato9")
    assert client.get("/admin/crisis").status_code == 403


def test_a_form_without_its_csrf_token_is_refused(admin):
    assert admin.post("/admin/crisis/phrases", data={"phrase-text": NEW_PHRASE}).status_code == 400


def test_a_bad_link_is_explained_next_to_the_field(admin):
    response = admin.post("/admin/crisis/contacts", data={
        "csrf_token": _csrf(admin), "contact-name_ja": "テスト窓口", "contact-url": "javascript:alert(1)"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert re.search(r'id="contact-url-error">[^<]*https://', html)


def test_the_sample_box_tells_whether_a_sentence_would_be_flagged(admin):
    page = admin.get("/admin/crisis", query_string={"sample": "もう消えちゃいたい"}).get_data(as_text=True)
    assert "危機のことばとして見つかります" in page


def test_a_phrase_an_admin_adds_is_flagged_by_a_running_relay(world, relay_processes, peers, admin):  # noqa: F811
    relay = relay_processes(extra_env={"CRISIS_REFRESH_S": "0"})
    sato = peers(relay.url(world.staff_token("sato")))
    sato.next("welcome")
    checkin_id, token = world.check_in()
    resident = peers(relay.url(token))
    resident.next("welcome")
    resident.send(type="message", text="どこか遠くへ行っちゃいたい")
    assert sato.next("message", checkin_id=checkin_id)["urgent"] is False

    response = admin.post("/admin/crisis/phrases", data={
        "csrf_token": _csrf(admin), "phrase-text": NEW_PHRASE, "phrase-kind": "phrase"}, follow_redirects=True)
    assert NEW_PHRASE in response.get_data(as_text=True)

    db_session.remove()  # the test client's app context outlives its requests: end its transaction
    resident.send(type="message", text="ほんとうに、どこか遠くへ行っちゃいたいんです")
    assert resident.next("crisis")["contacts"]
    assert sato.next("message", checkin_id=checkin_id, where=lambda f: "ほんとう" in f["text"])["urgent"] is True


def test_an_edited_contact_shows_in_the_crisis_frame_and_on_the_pages(
        world, relay_processes, peers, admin, client):  # noqa: F811
    relay = relay_processes(extra_env={"CRISIS_REFRESH_S": "0"})
    _, token = world.check_in()
    resident = peers(relay.url(token))
    resident.next("welcome")
    resident.send(type="message", text="死にたい")
    assert resident.next("crisis")["contacts"][0]["name_ja"].startswith("あなたのいばしょ")

    contact = _first_contact()
    path = f"/admin/crisis/contacts/{contact.id}/edit"
    response = admin.post(path, data={
        "csrf_token": _csrf(admin, path), "name_ja": "生駒市いのちの相談窓口", "name_en": "Ikoma life line",
        "detail_ja": "平日9時から17時", "detail_en": "Weekdays 9 to 17", "url": "tel:0743000000", "position": 1})
    assert response.status_code == 302
    db_session.remove()

    resident.send(type="message", text="もう消えてしまいたい")
    assert resident.next("crisis")["contacts"][0]["name_ja"] == "生駒市いのちの相談窓口"
    assert "生駒市いのちの相談窓口" in client.get("/help").get_data(as_text=True)
    db_session.remove()  # end the page's read before the relay stops (its last writes wait for it on SQLite)


def test_a_contact_added_without_english_shows_on_the_check_in_page_outside_hours(admin, make_session):
    import datetime as dt

    later = make_session(day=dt.date(2030, 5, 21))
    admin.post("/admin/crisis/contacts", data={"csrf_token": _csrf(admin), "contact-name_ja": "生駒の夜間窓口",
                                               "contact-url": "https://example.org/yakan"})
    html = admin.get(f"/sessions/{later.id}/checkin").get_data(as_text=True)
    assert '<a href="https://example.org/yakan" target="_blank" rel="noopener">生駒の夜間窓口<span' in html
    english = admin.get(f"/sessions/{later.id}/checkin?lang=en").get_data(as_text=True)
    assert ('href="https://example.org/yakan" target="_blank" rel="noopener">'
            '<span lang="ja">生駒の夜間窓口</span><span') in english


def test_every_phrase_and_contact_has_its_edit_link_and_retire_button_named_for_screen_readers(admin):
    page = admin.get("/admin/crisis").get_data(as_text=True)
    for name in ("いなくなりたい", "よりそいホットライン"):
        assert f'編集<span class="visually-hidden">: <span lang="ja">{name}</span></span>' in page or \
            f'編集<span class="visually-hidden">: {name}</span>' in page
        assert f'使わない<span class="visually-hidden">: <span lang="ja">{name}</span></span>' in page or \
            f'使わない<span class="visually-hidden">: {name}</span>' in page


def test_contacts_kept_in_memory_are_never_shown_from_another_database(admin, tmp_path):
    """Each process keeps the set in memory; bound to another database (another deployment's, or the
    next test's) it reads that database's set, not the one it held."""
    from flask_migrate import upgrade

    from tests.conftest import SECRET
    from webapp import create_app
    from webapp.checkins import operations

    admin.post("/admin/crisis/contacts", data={"csrf_token": _csrf(admin), "contact-name_ja": "前の窓口",
                                               "contact-url": "https://example.org/mae"})
    assert "前の窓口" in [c["name_ja"] for c in operations.crisis_contacts()]
    other = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'other.sqlite3'}", "SECRET_KEY": SECRET})
    with other.app_context():
        upgrade()
        assert "前の窓口" not in [c["name_ja"] for c in operations.crisis_contacts()]
        assert "前の窓口" not in other.test_client().get("/help").get_data(as_text=True)
    db_session.remove()
    other.extensions["engine"].dispose()
