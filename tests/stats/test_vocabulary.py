"""Admins keep the outcome vocabulary; a retired term leaves the choices but keeps old outcomes readable."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from webapp.checkins.models import Term
from webapp.db import db_session
from webapp.exceptions import DomainError
from webapp.stats import vocabulary
from webapp.stats.queries import fiscal_year_stats


def _term(kind, key) -> Term:
    return db_session.scalar(select(Term).where(Term.kind == kind, Term.key == key))


def _csrf(client, path="/admin/vocabulary") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_the_default_vocabulary_is_japanese_and_in_order(app):
    assert [t.label_ja for t in vocabulary.choices("result")] == [
        "傾聴", "情報提供", "関係機関につないだ", "継続支援", "その他"]
    assert "地域包括支援センター" in [t.label_ja for t in vocabulary.choices("agency")]


def test_a_retired_term_keeps_old_outcomes_readable_and_leaves_the_choices(
        client, login_as, make_session, consultation):
    admin = login_as("admin")
    session = make_session(day=dt.date(2024, 6, 18))
    consultation(session, admin, topics=("housing",), result="referred", referred_to="kenko")
    housing = _term("topic", "housing")

    response = client.post(f"/admin/vocabulary/{housing.id}/retire", data={"csrf_token": _csrf(client)},
                           follow_redirects=True)

    assert "廃止しました" in response.get_data(as_text=True)
    assert "housing" not in [t.key for t in vocabulary.choices("topic")]
    record = client.get(f"/staff/stats/sessions/{session.id}").get_data(as_text=True)
    assert "住まい（廃止）" in record
    figures = fiscal_year_stats(2024)
    assert figures["topics"]["housing"] == 1 and figures["labels"]["topics"]["housing"]["retired"] is True
    assert "住まい（廃止）" in client.get("/staff/stats?fiscal_year=2024").get_data(as_text=True)
    later = make_session(day=dt.date(2024, 7, 16), fmt="online")
    with pytest.raises(DomainError):
        consultation(later, admin, topics=("housing",))


def test_a_retired_term_nobody_used_is_left_out_of_the_figures(app):
    vocabulary.retire_term(_term("topic", "work"))
    assert "work" not in fiscal_year_stats(2024)["topics"]


def test_a_retired_term_can_be_offered_again(client, login_as):
    login_as("admin")
    kenko = _term("agency", "kenko")
    vocabulary.retire_term(kenko)
    client.post(f"/admin/vocabulary/{kenko.id}/restore", data={"csrf_token": _csrf(client)})
    assert "kenko" in [t.key for t in vocabulary.choices("agency")]


def test_an_admin_adds_an_agency_that_promoters_can_then_choose(client, login_as, make_session, consultation):
    admin = login_as("admin")
    response = client.post("/admin/vocabulary/agency", data={
        "agency-csrf_token": _csrf(client), "agency-label_ja": "生駒市消費生活センター",
        "agency-label_en": "Consumer affairs centre", "agency-key": "", "agency-position": ""},
        follow_redirects=True)

    assert "生駒市消費生活センター" in response.get_data(as_text=True)
    added = db_session.scalar(select(Term).where(Term.label_ja == "生駒市消費生活センター"))
    assert added.kind == "agency" and re.fullmatch(r"agency_\d+", added.key)
    assert added.position > max(t.position for t in vocabulary.terms("agency") if t.id != added.id)
    consultation(make_session(day=dt.date(2024, 6, 18)), admin, referred_to=added.key)
    assert fiscal_year_stats(2024)["referrals"][added.key] == 1


def test_a_bad_key_is_explained_next_to_the_field(client, login_as):
    login_as("admin")
    token = _csrf(client)
    for key, message in (("Bad Key", "英小文字"), ("elderly", "もう使われています")):
        response = client.post("/admin/vocabulary/topic", data={
            "topic-csrf_token": token, "topic-label_ja": "テスト", "topic-key": key})
        page = response.get_data(as_text=True)
        assert response.status_code == 400
        assert re.search(r'<p class="field-error" id="topic-key-error">[^<]*' + message, page)


def test_results_cannot_be_added_because_the_contract_fixes_them(client, login_as):
    login_as("admin")
    response = client.post("/admin/vocabulary/result", data={"csrf_token": _csrf(client)})
    assert response.status_code == 404
    with pytest.raises(DomainError):
        vocabulary.add_term("result", "新しい結果")


def test_an_admin_relabels_and_reorders_a_term(client, login_as):
    login_as("admin")
    elderly = _term("topic", "elderly")
    path = f"/admin/vocabulary/{elderly.id}/edit"
    client.post(path, data={"csrf_token": _csrf(client, path), "label_ja": "高齢者・介護",
                            "label_en": "Older people, care", "position": "999"})
    assert vocabulary.choices("topic")[-1].label_ja == "高齢者・介護"
    assert _term("topic", "elderly").key == "elderly"


def test_an_empty_label_is_refused_next_to_the_field(client, login_as):
    login_as("admin")
    other = _term("topic", "other")
    path = f"/admin/vocabulary/{other.id}/edit"
    response = client.post(path, data={"csrf_token": _csrf(client, path), "label_ja": " ", "position": "x"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="label_ja-error"' in page and 'id="position-error"' in page


def test_a_used_term_cannot_be_deleted_but_an_unused_one_can(client, login_as, make_session, consultation):
    admin = login_as("admin")
    consultation(make_session(day=dt.date(2024, 6, 18)), admin, topics=("money",))
    money, unused = _term("topic", "money"), vocabulary.add_term("topic", "まちがい")

    page = client.post(f"/admin/vocabulary/{money.id}/delete", data={"csrf_token": _csrf(client)},
                       follow_redirects=True).get_data(as_text=True)
    assert "削除できません" in page and _term("topic", "money") is not None
    client.post(f"/admin/vocabulary/{unused.id}/delete", data={"csrf_token": _csrf(client)})
    assert _term("topic", unused.key) is None


def test_promoters_may_not_edit_the_vocabulary(client, login_as):
    login_as("promoter")
    assert client.get("/admin/vocabulary").status_code == 403


def test_a_change_without_the_csrf_token_is_refused(client, login_as):
    login_as("admin")
    other = _term("topic", "other")
    assert client.post(f"/admin/vocabulary/{other.id}/retire").status_code == 400
    assert not _term("topic", "other").retired
