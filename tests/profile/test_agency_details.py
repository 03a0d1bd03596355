"""Admins give an agency the field, phone, link and hours residents read on the help page, over the profile's;
every change is kept in the directory's history; a link that is not https:// or tel: is refused beside its field."""
from __future__ import annotations

import re

from webapp.stats import vocabulary

from .test_directory_history import _agency, _csrf, _rows

DETAILS = {"field": "高齢・介護", "phone": "0120-000-111", "url": "https://www.example.jp/houkatsu/",
           "hours": "平日 8:30〜17:15"}


def _save(client, term_id: int, **values):
    path = f"/admin/directory/agencies/{term_id}"
    return client.post(path, data={"csrf_token": _csrf(client, path), **values})


def _help_item(client, name: str) -> str:
    """The help page's line of one place, as plain text with its links' targets."""
    page = client.get("/help").get_data(as_text=True)
    item = next(li for li in page.split("<li>") if li.startswith(name))
    item = item.split("</li>", 1)[0]
    links = " ".join(re.findall(r'href="([^"]+)"', item))
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", item)) + " " + links


def test_an_admins_details_show_on_the_help_page_and_in_the_history(client, auth, make_user):
    make_user("boss", role="admin")
    auth.login("boss")
    agency = _agency("chiiki_houkatsu")
    assert "0120-000-111" not in _help_item(client, "地域包括支援センター")

    answer = _save(client, agency.id, **DETAILS)
    assert answer.status_code == 302

    shown = _help_item(client, "地域包括支援センター")
    assert all(value in shown for value in DETAILS.values())
    assert "tel:0120000111" in shown
    rows = _rows(client.get("/admin/directory/history").get_data(as_text=True))
    field_row = next(row for row in rows if "分野" in row)
    assert "boss" in field_row and "chiiki_houkatsu" in field_row
    # the profile's value before, the admin's after
    assert "高齢" in field_row.replace("高齢・介護", "") and "高齢・介護" in field_row
    assert any("電話番号" in row and "0120-000-111" in row for row in rows)
    assert any("受付時間" in row and "平日 8:30〜17:15" in row for row in rows)
    assert "Opening hours" in client.get("/admin/directory/history?lang=en").get_data(as_text=True)


def test_a_cleared_detail_no_longer_shows_and_a_second_save_keeps_the_first_values(client, auth, make_user):
    make_user("boss", role="admin")
    auth.login("boss")
    agency = _agency("chiiki_houkatsu")
    _save(client, agency.id, **DETAILS)
    _save(client, agency.id, **{**DETAILS, "field": "", "phone": "0120-000-222"})
    shown = _help_item(client, "地域包括支援センター")
    assert "高齢" not in shown and "0120-000-222" in shown and "平日 8:30〜17:15" in shown
    form = client.get(f"/admin/directory/agencies/{agency.id}").get_data(as_text=True)
    assert 'value="0120-000-222"' in form and 'value="https://www.example.jp/houkatsu/"' in form


def test_an_agency_added_in_the_app_gets_details_too(client, auth, make_user):
    make_user("boss", role="admin")
    added = vocabulary.add_term("agency", "ひきこもり相談窓口", "Hikikomori desk")
    auth.login("boss")
    saved = _save(client, added.id, phone="03-0000-0000", url="tel:0300000000", hours="毎週水曜", field="")
    assert saved.status_code == 302
    shown = _help_item(client, "ひきこもり相談窓口")
    assert "03-0000-0000" in shown and "毎週水曜" in shown and "tel:0300000000" in shown


def test_a_link_that_is_not_https_or_tel_is_refused_beside_its_field(client, auth, make_user):
    make_user("boss", role="admin")
    auth.login("boss")
    agency = _agency("chiiki_houkatsu")
    answer = _save(client, agency.id, **{**DETAILS, "url": "javascript:alert(1)"})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    error = re.search(r'<p class="field-error" id="url-error">([^<]+)</p>\s*<input([^>]+)>', page)
    assert error and "https://" in error.group(1)
    assert "autofocus" in error.group(2) and 'aria-invalid="true"' in error.group(2) and 'id="url"' in error.group(2)
    assert page.count("autofocus") == 1
    assert "0120-000-111" not in _help_item(client, "地域包括支援センター")  # nothing of the refused form is kept
    history = _rows(client.get("/admin/directory/history").get_data(as_text=True))
    assert not any("chiiki_houkatsu" in row for row in history)


def test_a_phone_with_letters_is_refused_beside_its_field(client, auth, make_user):
    make_user("boss", role="admin")
    auth.login("boss")
    answer = _save(client, _agency("chiiki_houkatsu").id, phone="call us")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert re.search(r'id="phone-error">[^<]*数字', page) and re.search(r'<input[^>]*autofocus[^>]*id="phone"', page)


def test_promoters_may_not_edit_an_agencys_details(client, auth, make_user):
    make_user("sato", role="promoter")
    agency = _agency("chiiki_houkatsu")
    auth.login("sato")
    path = f"/admin/directory/agencies/{agency.id}"
    assert client.get(path).status_code == 403
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/staff/").get_data(as_text=True)).group(1)
    assert client.post(path, data={**DETAILS, "csrf_token": token}).status_code == 403
    assert "0120-000-111" not in _help_item(client, "地域包括支援センター")


def test_a_topic_has_no_details_page(client, auth, make_user):
    make_user("boss", role="admin")
    auth.login("boss")
    topic = vocabulary.terms("topic")[0]
    assert client.get(f"/admin/directory/agencies/{topic.id}").status_code == 404


def test_a_detail_left_as_the_profiles_follows_a_later_profile_change(app, client, auth, make_user):
    make_user("boss", role="admin")
    auth.login("boss")
    _save(client, _agency("chiiki_houkatsu").id, field="高齢", phone="0120-000-111")  # the field left as it was
    profile = app.config["PROFILE"]
    app.config["PROFILE"] = profile.model_copy(update={"agencies": [
        agency.model_copy(update={"field": "高齢者の暮らし"}) if agency.id == "chiiki_houkatsu" else agency
        for agency in profile.agencies]})
    shown = _help_item(client, "地域包括支援センター")
    assert "高齢者の暮らし" in shown and "0120-000-111" in shown


def test_a_deleted_agencys_details_go_with_it(client, auth, make_user):
    make_user("boss", role="admin")
    typo = vocabulary.add_term("agency", "ひきこもり相談窓囗", key="hikikomori")
    auth.login("boss")
    _save(client, typo.id, phone="03-0000-0000")
    vocabulary.delete_term(typo)
    again = vocabulary.add_term("agency", "ひきこもり相談窓口", key="hikikomori")
    assert "03-0000-0000" not in _help_item(client, "ひきこもり相談窓口")
    assert 'value="03-0000-0000"' not in client.get(f"/admin/directory/agencies/{again.id}").get_data(as_text=True)
