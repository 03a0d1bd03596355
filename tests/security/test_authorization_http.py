"""Every route of the app, tried by every role: the expected answer is asserted for each cell, and a
refused call must leave the database exactly as it was.

Roles (tests/security/conftest.py): anonymous; resident (holds a check-in to the running session S);
promoter (sato, assigned to S and to the future session F); other_promoter (kimura, assigned to
neither); admin. Page calls use the login cookie and CSRF token; API calls from staff use their
personal bearer token, residents' API calls carry only their cookie (the API treats them as anyone).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

import pytest

from tests.security.conftest import Roles, changed_tables, csrf_token, snapshot
from webapp.clock import today_tokyo
from webapp.db import db_session

LOGIN = "login"  # a 302 to the staff login page
CSRF = object()  # stands for this client's CSRF token in form data
R = Roles.NAMES


def public(status: int) -> dict:
    return dict.fromkeys(R, status)


def staff(status: int) -> dict:
    return {"anonymous": LOGIN, "resident": LOGIN, "promoter": status, "other_promoter": status, "admin": status}


def assigned(status: int) -> dict:
    return {"anonymous": LOGIN, "resident": LOGIN, "promoter": status, "other_promoter": 403, "admin": status}


def admin(status: int) -> dict:
    return {"anonymous": LOGIN, "resident": LOGIN, "promoter": 403, "other_promoter": 403, "admin": status}


def api_staff(status: int) -> dict:
    return {"anonymous": 401, "resident": 401, "promoter": status, "other_promoter": status, "admin": status}


def api_admin(status: int) -> dict:
    return {"anonymous": 401, "resident": 401, "promoter": 403, "other_promoter": 403, "admin": status}


@dataclasses.dataclass
class Call:
    """One route: how to call it (given the Roles context) and what each role gets."""

    method: str
    rule: str
    expect: dict
    path: Callable[[Roles], str]
    form: Callable[[Roles], dict] | None = None
    json: Callable[[Roles], dict] | None = None
    #: Roles that get an ordinary answer but must not change anything (e.g. a chat line without a check-in).
    no_writes: tuple[str, ...] = ()

    def denied(self, role: str) -> bool:
        return self.expect[role] in (LOGIN, 401, 403) or role in self.no_writes


# --- things a call acts on, made fresh for each call ---------------------------------------------

def new_code(ctx: Roles) -> str:
    from webapp.reservations.operations import reserve

    try:
        return reserve(ctx.F_slot).code
    finally:
        db_session.remove()


def new_reservation(ctx: Roles) -> str:
    """The path of a fresh reservation in F (sato's session) on the staff reservations page."""
    from webapp.reservations.operations import reserve

    try:
        return f"/staff/sessions/{ctx.F}/reservations/{reserve(ctx.F_slot).id}"
    finally:
        db_session.remove()


def metaverse_session(ctx: Roles) -> int:
    """A metaverse session 50 days ahead: its room is open for 見学 (practice) now."""
    from webapp.sessions.operations import SessionSpec, create_session
    from webapp.timeutil import TOKYO

    day = today_tokyo() + dt.timedelta(days=50)
    start = dt.datetime.combine(day, dt.time(13, 30), tzinfo=TOKYO)
    try:
        return create_session(SessionSpec(date=day, starts_at=start, ends_at=start + dt.timedelta(hours=3),
                                          format="metaverse", location="", join_url="", slot_minutes=30, capacity=2,
                                          promoters=[])).id
    finally:
        db_session.remove()


def new_session(ctx: Roles) -> int:
    """A scheduled session 60 days ahead, for admins to edit, cancel and restore."""
    from webapp.sessions.operations import SessionSpec, create_session
    from webapp.timeutil import TOKYO

    day = today_tokyo() + dt.timedelta(days=60)
    start = dt.datetime.combine(day, dt.time(13, 30), tzinfo=TOKYO)
    try:
        return create_session(SessionSpec(date=day, starts_at=start, ends_at=start + dt.timedelta(hours=3),
                                          format="online", location="", join_url="", slot_minutes=30, capacity=2,
                                          promoters=[])).id
    finally:
        db_session.remove()


def cancelled_session(ctx: Roles) -> int:
    from webapp.sessions.models import Session
    from webapp.sessions.operations import update_session

    session_id = new_session(ctx)
    try:
        update_session(db_session.get(Session, session_id), {"status": "cancelled"})
        return session_id
    finally:
        db_session.remove()


def new_user(ctx: Roles) -> int:
    from webapp.staff.operations import create_user

    try:
        return create_user(f"target{dt.datetime.now().strftime('%H%M%S%f')}", "promoter", "対象", "long-enough-pass").id
    finally:
        db_session.remove()


def new_term(ctx: Roles) -> int:
    from webapp.stats.vocabulary import add_term

    try:
        return add_term("topic", "試験の語", "Test term").id
    finally:
        db_session.remove()


def new_agency(ctx: Roles) -> int:
    from webapp.stats.vocabulary import add_term

    try:
        return add_term("agency", "試験の機関", "Test agency").id
    finally:
        db_session.remove()


def new_phrase(ctx: Roles) -> int:
    from webapp.checkins.operations.crisis_settings import add_phrase

    try:
        return add_phrase(f"試験のことば{dt.datetime.now().timestamp()}").id
    finally:
        db_session.remove()


def new_contact(ctx: Roles) -> int:
    from webapp.checkins.operations.crisis_settings import add_contact

    try:
        return add_contact({"name_ja": "試験の窓口", "url": "tel:0743000000"}).id
    finally:
        db_session.remove()


CONTACT_FORM = {"name_ja": "改めた窓口", "name_en": "Renamed", "detail_ja": "", "detail_en": "", "url": "tel:110",
                "position": "4"}


def session_form(ctx: Roles) -> dict:
    day = today_tokyo() + dt.timedelta(days=70)
    return {"date": day.isoformat(), "start": "13:30", "end": "16:30", "format": "online", "location": "オンライン",
            "join_url": "", "slot_minutes": "30", "capacity": "2"}


SESSION_JSON = {"date": "2031-06-17", "starts_at": "13:30", "ends_at": "16:30", "format": "in_person",
                "slot_minutes": 30, "capacity": 2, "promoters": []}

ROUTES = [
    # residents and the public
    Call("GET", "/", public(200), lambda c: "/"),
    Call("GET", "/sessions/<int:session_id>", public(200), lambda c: f"/sessions/{c.F}"),
    Call("GET", "/help", public(200), lambda c: "/help"),
    Call("GET", "/theme.css", public(200), lambda c: "/theme.css"),
    Call("GET", "/logo", public(404), lambda c: "/logo"),  # the Ikoma profile has no logo file: the text mark
    Call("GET", "/lang/<code>", public(302), lambda c: "/lang/en?next=/help"),
    Call("GET", "/stats/public", public(200), lambda c: "/stats/public"),
    Call("GET", "/reservations", public(200), lambda c: "/reservations"),
    Call("POST", "/reservations", public(302), lambda c: "/reservations", form=lambda c: {"code": new_code(c)}),
    Call("GET", "/reservations/<code>", public(200), lambda c: f"/reservations/{new_code(c)}"),
    Call("GET", "/reservations/<code>/cancel", public(200), lambda c: f"/reservations/{new_code(c)}/cancel"),
    Call("POST", "/reservations/<code>/cancel", public(302), lambda c: f"/reservations/{new_code(c)}/cancel",
         form=lambda c: {}),
    Call("POST", "/reservations/<code>/move", public(400), lambda c: f"/reservations/{new_code(c)}/move",
         form=lambda c: {}),
    Call("POST", "/slots/<int:slot_id>/reserve", public(302), lambda c: f"/slots/{c.F_slot}/reserve",
         form=lambda c: {f"s{c.F_slot}-csrf_token": CSRF, f"s{c.F_slot}-nickname": "", f"s{c.F_slot}-topic": ""}),
    Call("GET", "/calendars/public.ics", public(200), lambda c: "/calendars/public.ics"),
    Call("GET", "/calendars/staff/<token>.ics", public(200), lambda c: f"/calendars/staff/{c.feed_token}.ics"),
    Call("GET", "/sessions/<int:session_id>/checkin", {**public(200), "resident": 302},
         lambda c: f"/sessions/{c.S}/checkin"),
    Call("POST", "/sessions/<int:session_id>/checkin", public(302), lambda c: f"/sessions/{c.S}/checkin",
         form=lambda c: {"avatar": "dog", "nickname": "", "reservation_code": ""}, no_writes=("resident",)),
    Call("GET", "/checkins/wait", public(200), lambda c: "/checkins/wait"),
    Call("GET", "/checkins/state", public(200), lambda c: "/checkins/state"),
    Call("POST", "/checkins/message", public(302), lambda c: "/checkins/message", form=lambda c: {"text": "こんにちは"},
         no_writes=("anonymous", "promoter", "other_promoter", "admin")),
    Call("GET", "/checkins/leave", {**public(302), "resident": 200}, lambda c: "/checkins/leave"),
    Call("POST", "/checkins/leave", public(302), lambda c: "/checkins/leave", form=lambda c: {},
         no_writes=("anonymous", "promoter", "other_promoter", "admin")),
    Call("POST", "/checkins/erase", public(302), lambda c: "/checkins/erase", form=lambda c: {},
         no_writes=("anonymous", "promoter", "other_promoter", "admin")),
    Call("GET", "/checkins/done", public(200), lambda c: "/checkins/done"),
    Call("GET", "/rooms/<int:session_id>", public(200), lambda c: f"/rooms/{metaverse_session(c)}"),
    Call("POST", "/rooms/<int:session_id>/enter", public(302), lambda c: f"/rooms/{metaverse_session(c)}/enter",
         form=lambda c: {"avatar": "dog", "nickname": ""}),
    # staff
    Call("GET", "/staff/login", {**staff(302), "anonymous": 200, "resident": 200}, lambda c: "/staff/login"),
    Call("POST", "/staff/login", public(400), lambda c: "/staff/login",
         form=lambda c: {"login": "nobody", "password": "not-the-password"}),
    Call("POST", "/staff/logout", public(302), lambda c: "/staff/logout", form=lambda c: {}),
    Call("GET", "/staff/", staff(200), lambda c: "/staff/"),
    Call("POST", "/staff/sign-out-everywhere", staff(302), lambda c: "/staff/sign-out-everywhere", form=lambda c: {}),
    Call("GET", "/staff/sessions/<int:session_id>/console", assigned(200), lambda c: f"/staff/sessions/{c.S}/console"),
    Call("GET", "/staff/sessions/<int:session_id>/reservations", assigned(200),
         lambda c: f"/staff/sessions/{c.F}/reservations"),
    Call("GET", "/staff/sessions/<int:session_id>/reservations/<int:reservation_id>/cancel", assigned(200),
         lambda c: f"{new_reservation(c)}/cancel"),
    Call("POST", "/staff/sessions/<int:session_id>/reservations/<int:reservation_id>/cancel", assigned(302),
         lambda c: f"{new_reservation(c)}/cancel", form=lambda c: {}),
    Call("GET", "/staff/stats", staff(200), lambda c: "/staff/stats"),
    Call("GET", "/staff/stats/sessions/<int:session_id>", assigned(200), lambda c: f"/staff/stats/sessions/{c.S}"),
    Call("GET", "/calendars/settings", staff(200), lambda c: "/calendars/settings"),
    Call("POST", "/calendars/settings", staff(303), lambda c: "/calendars/settings", form=lambda c: {}),
    # staff: the second factor (none of these accounts has one; a second step needs a right password first)
    Call("GET", "/staff/login/verify", staff(302), lambda c: "/staff/login/verify"),
    Call("POST", "/staff/login/verify", staff(302), lambda c: "/staff/login/verify", form=lambda c: {"code": "123456"}),
    Call("GET", "/staff/two-factor", staff(200), lambda c: "/staff/two-factor"),
    Call("GET", "/staff/two-factor/setup", staff(200), lambda c: "/staff/two-factor/setup"),
    Call("POST", "/staff/two-factor/setup", staff(400), lambda c: "/staff/two-factor/setup",
         form=lambda c: {"code": "not-a-code"}),
    Call("POST", "/staff/two-factor/recovery-codes", staff(302), lambda c: "/staff/two-factor/recovery-codes",
         form=lambda c: {"regenerate-csrf_token": CSRF, "regenerate-code": "123456"}),
    Call("POST", "/staff/two-factor/disable", staff(302), lambda c: "/staff/two-factor/disable",
         form=lambda c: {"disable-csrf_token": CSRF, "disable-code": "123456"}),
    # admins: accounts
    Call("GET", "/admin/users", admin(200), lambda c: "/admin/users"),
    Call("GET", "/admin/users/new", admin(200), lambda c: "/admin/users/new"),
    Call("POST", "/admin/users/new", admin(302), lambda c: "/admin/users/new", form=lambda c: {
        "login": "newcomer", "display_name": "新しい推進員", "role": "promoter", "password": "long-enough-pass"}),
    Call("GET", "/admin/users/<int:user_id>", admin(200), lambda c: f"/admin/users/{new_user(c)}"),
    Call("POST", "/admin/users/<int:user_id>", admin(302), lambda c: f"/admin/users/{new_user(c)}",
         form=lambda c: {"display_name": "改名", "role": "admin"}),
    Call("POST", "/admin/users/<int:user_id>/password", admin(302), lambda c: f"/admin/users/{new_user(c)}/password",
         form=lambda c: {"password": "another-long-pass"}),
    Call("POST", "/admin/users/<int:user_id>/active", admin(302), lambda c: f"/admin/users/{new_user(c)}/active",
         form=lambda c: {}),
    Call("POST", "/admin/users/<int:user_id>/tokens", admin(303), lambda c: f"/admin/users/{new_user(c)}/tokens",
         form=lambda c: {}),
    Call("POST", "/admin/users/<int:user_id>/sign-out", admin(302), lambda c: f"/admin/users/{new_user(c)}/sign-out",
         form=lambda c: {}),
    Call("POST", "/admin/users/<int:user_id>/tokens/revoke", admin(302),
         lambda c: f"/admin/users/{c.world.user_ids['sato']}/tokens/revoke", form=lambda c: {}),
    Call("POST", "/admin/users/<int:user_id>/two-factor/reset", admin(302),
         lambda c: f"/admin/users/{new_user(c)}/two-factor/reset", form=lambda c: {}),
    # admins: sessions
    Call("GET", "/admin/sessions", admin(200), lambda c: "/admin/sessions"),
    Call("GET", "/admin/sessions/new", admin(200), lambda c: "/admin/sessions/new"),
    Call("POST", "/admin/sessions/new", admin(302), lambda c: "/admin/sessions/new", form=session_form),
    Call("GET", "/admin/sessions/<int:session_id>/edit", admin(200),
         lambda c: f"/admin/sessions/{new_session(c)}/edit"),
    Call("POST", "/admin/sessions/<int:session_id>/edit", admin(302),
         lambda c: f"/admin/sessions/{new_session(c)}/edit", form=session_form),
    Call("GET", "/admin/sessions/<int:session_id>/cancel", admin(200),
         lambda c: f"/admin/sessions/{new_session(c)}/cancel"),
    Call("POST", "/admin/sessions/<int:session_id>/cancel", admin(302),
         lambda c: f"/admin/sessions/{new_session(c)}/cancel", form=lambda c: {"note": "台風のため"}),
    Call("POST", "/admin/sessions/<int:session_id>/restore", admin(302),
         lambda c: f"/admin/sessions/{cancelled_session(c)}/restore", form=lambda c: {}),
    Call("GET", "/admin/sessions/generate", admin(200), lambda c: "/admin/sessions/generate"),
    Call("POST", "/admin/sessions/generate", admin(200), lambda c: "/admin/sessions/generate",
         form=lambda c: {"fiscal_year": "2031"}),
    # admins: vocabulary
    Call("GET", "/admin/vocabulary", admin(200), lambda c: "/admin/vocabulary"),
    Call("POST", "/admin/vocabulary/<kind>", admin(302), lambda c: "/admin/vocabulary/topic",
         form=lambda c: {"topic-csrf_token": CSRF, "topic-label_ja": "新しい相談内容", "topic-label_en": "New topic",
                         "topic-key": ""}),
    Call("GET", "/admin/vocabulary/<int:term_id>/edit", admin(200), lambda c: f"/admin/vocabulary/{new_term(c)}/edit"),
    Call("POST", "/admin/vocabulary/<int:term_id>/edit", admin(302), lambda c: f"/admin/vocabulary/{new_term(c)}/edit",
         form=lambda c: {"label_ja": "改めた語", "label_en": "Renamed", "position": "5"}),
    Call("POST", "/admin/vocabulary/<int:term_id>/retire", admin(302),
         lambda c: f"/admin/vocabulary/{new_term(c)}/retire", form=lambda c: {}),
    Call("POST", "/admin/vocabulary/<int:term_id>/restore", admin(302),
         lambda c: f"/admin/vocabulary/{new_term(c)}/restore", form=lambda c: {}),
    Call("POST", "/admin/vocabulary/<int:term_id>/delete", admin(302),
         lambda c: f"/admin/vocabulary/{new_term(c)}/delete", form=lambda c: {}),
    # admins: crisis phrases and contacts
    Call("GET", "/admin/crisis", admin(200), lambda c: "/admin/crisis"),
    Call("POST", "/admin/crisis/phrases", admin(302), lambda c: "/admin/crisis/phrases",
         form=lambda c: {"phrase-csrf_token": CSRF, "phrase-text": "遠くへ行ってしまいたい", "phrase-kind": "phrase"}),
    Call("POST", "/admin/crisis/contacts", admin(302), lambda c: "/admin/crisis/contacts",
         form=lambda c: {"contact-csrf_token": CSRF, "contact-name_ja": "新しい窓口", "contact-url": "tel:110"}),
    Call("GET", "/admin/crisis/phrases/<int:item_id>/edit", admin(200),
         lambda c: f"/admin/crisis/phrases/{new_phrase(c)}/edit"),
    Call("POST", "/admin/crisis/phrases/<int:item_id>/edit", admin(302),
         lambda c: f"/admin/crisis/phrases/{new_phrase(c)}/edit",
         form=lambda c: {"text": "改めたことば", "kind": "word"}),
    Call("POST", "/admin/crisis/phrases/<int:item_id>/<any(retire, restore):action>", admin(302),
         lambda c: f"/admin/crisis/phrases/{new_phrase(c)}/retire", form=lambda c: {}),
    Call("GET", "/admin/crisis/contacts/<int:item_id>/edit", admin(200),
         lambda c: f"/admin/crisis/contacts/{new_contact(c)}/edit"),
    Call("POST", "/admin/crisis/contacts/<int:item_id>/edit", admin(302),
         lambda c: f"/admin/crisis/contacts/{new_contact(c)}/edit", form=lambda c: dict(CONTACT_FORM)),
    Call("POST", "/admin/crisis/contacts/<int:item_id>/<any(retire, restore):action>", admin(302),
         lambda c: f"/admin/crisis/contacts/{new_contact(c)}/retire", form=lambda c: {}),
    # the JSON API
    Call("GET", "/api/v1/sessions", public(200), lambda c: "/api/v1/sessions"),
    Call("POST", "/api/v1/sessions", api_admin(201), lambda c: "/api/v1/sessions", json=lambda c: SESSION_JSON),
    Call("GET", "/api/v1/sessions/<int(max=2147483647):session_id>", public(200), lambda c: f"/api/v1/sessions/{c.F}"),
    Call("PATCH", "/api/v1/sessions/<int(max=2147483647):session_id>", api_admin(200),
         lambda c: f"/api/v1/sessions/{new_session(c)}", json=lambda c: {"location": "図書館"}),
    Call("POST", "/api/v1/slots/<int(max=2147483647):slot_id>/reservations", public(201),
         lambda c: f"/api/v1/slots/{c.F_slot}/reservations", json=lambda c: {}),
    Call("GET", "/api/v1/reservations/<code:code>", public(200), lambda c: f"/api/v1/reservations/{new_code(c)}"),
    Call("DELETE", "/api/v1/reservations/<code:code>", public(204), lambda c: f"/api/v1/reservations/{new_code(c)}"),
    Call("GET", "/api/v1/reservations/<code>.ics", public(200), lambda c: f"/api/v1/reservations/{new_code(c)}.ics"),
    Call("GET", "/api/v1/avatars", public(200), lambda c: "/api/v1/avatars"),
    Call("GET", "/api/v1/openapi.json", public(200), lambda c: "/api/v1/openapi.json"),
    Call("POST", "/api/v1/sessions/<int:session_id>/checkins", public(201),
         lambda c: f"/api/v1/sessions/{c.S}/checkins", json=lambda c: {"avatar": "bird"}),
    Call("POST", "/api/v1/sessions/<int:session_id>/checkins", assigned(201) | {"anonymous": 401, "resident": 401},
         lambda c: f"/api/v1/sessions/{c.S}/checkins", json=lambda c: {"avatar": "bird", "source": "staff"}),
    Call("GET", "/api/v1/sessions/<int:session_id>/counts", public(200), lambda c: f"/api/v1/sessions/{c.S}/counts"),
    Call("GET", "/api/v1/sessions/<int:session_id>/room", public(200),
         lambda c: f"/api/v1/sessions/{metaverse_session(c)}/room"),
    Call("POST", "/api/v1/sessions/<int:session_id>/room/practice", public(201),
         lambda c: f"/api/v1/sessions/{metaverse_session(c)}/room/practice", json=lambda c: {}),
    Call("GET", "/api/v1/realtime/token", api_staff(200), lambda c: "/api/v1/realtime/token"),
    Call("GET", "/api/v1/stats", api_staff(200), lambda c: "/api/v1/stats?fiscal_year=2026"),
    Call("GET", "/api/v1/stats.csv", api_staff(200), lambda c: "/api/v1/stats.csv?fiscal_year=2026"),
    # admins: the audit log
    Call("GET", "/admin/audit", admin(200), lambda c: "/admin/audit"),
    Call("GET", "/admin/directory/history", admin(200), lambda c: "/admin/directory/history"),
    Call("GET", "/admin/directory/agencies/<int:term_id>", admin(200),
         lambda c: f"/admin/directory/agencies/{new_agency(c)}"),
    Call("POST", "/admin/directory/agencies/<int:term_id>", admin(302),
         lambda c: f"/admin/directory/agencies/{new_agency(c)}", form=lambda c: {"phone": "0120-000-000"}),
    Call("GET", "/admin/audit.csv", admin(200), lambda c: "/admin/audit.csv"),
    Call("GET", "/api/v1/audit", api_admin(200), lambda c: "/api/v1/audit"),
    # last: ending reception of the running session S would refuse the check-ins above
    Call("GET", "/staff/sessions/<int:session_id>/reception", assigned(200),
         lambda c: f"/staff/sessions/{c.S}/reception"),
    Call("POST", "/staff/sessions/<int:session_id>/reception", assigned(302),
         lambda c: f"/staff/sessions/{c.S}/reception", form=lambda c: {}),
]


def _answer(response) -> int | str:
    if response.status_code == 302 and "/staff/login" in response.headers.get("Location", ""):
        return LOGIN
    return response.status_code


def _prepare(ctx: Roles, role: str, call: Call) -> tuple:
    """The client, path and request arguments, with every target made before the request."""
    client = ctx.client(role)
    path = call.path(ctx)
    kwargs = {"method": call.method, "headers": {}}
    if path.startswith("/api/") and role in Roles.LOGINS:
        kwargs["headers"]["Authorization"] = f"Bearer {ctx.bearer[role]}"
    if call.json is not None:
        kwargs["json"] = call.json(ctx)
    elif call.form is not None:
        data = call.form(ctx)
        if not any(key.endswith("csrf_token") for key in data):
            data["csrf_token"] = CSRF
        token = csrf_token(client)
        kwargs["data"] = {key: token if value is CSRF else value for key, value in data.items()}
    return client, path, kwargs


def test_the_matrix_names_every_route_and_method_the_app_serves(app):
    served = {(rule.rule, method) for rule in app.url_map.iter_rules() if rule.endpoint != "static"
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    listed = {(call.rule, call.method) for call in ROUTES}
    assert served - listed == set(), "routes without an authorization expectation"
    assert listed - served == set(), "expectations for routes the app does not serve"


@pytest.mark.parametrize("role", R)
def test_each_role_gets_exactly_what_it_may_and_refusals_change_nothing(roles, role):
    wrong = []
    for call in ROUTES:
        client, path, kwargs = _prepare(roles, role, call)
        before = snapshot() if call.denied(role) else None
        got = _answer(client.open(path, **kwargs))
        if got != call.expect[role]:
            wrong.append(f"{call.method} {call.rule}: expected {call.expect[role]}, got {got}")
        elif before is not None and (changed := changed_tables(before, snapshot())):
            wrong.append(f"{call.method} {call.rule}: refused but wrote to {changed}")
    assert not wrong, "\n".join(wrong)
