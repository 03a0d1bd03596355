"""iCalendar routes: the public and staff feeds, a reservation's .ics, and the staff's feed settings.

The blueprint has no prefix because the reservation file lives under /api/v1.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import Blueprint, Response, current_app, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.http import is_resource_modified

from calendars import feeds, queries
from calendars.cache import FeedCache, etag_for
from calendars.forms import FeedTokenForm
from webapp import city, secret_once
from webapp.db import utcnow
from webapp.exceptions import ApiError
from webapp.microcache import public_cache
from webapp.reservations import operations as reservations
from webapp.staff import operations as staff
from webapp.templating import lang

bp = Blueprint("calendars", __name__, template_folder="templates")

ICS_TYPE = "text/calendar; charset=utf-8"


def _cache() -> FeedCache:
    """One cache per app, so two apps (tests, workers) never share bytes."""
    return current_app.extensions.setdefault("calendars.cache", FeedCache())


def _cancelled_since() -> dt.datetime:
    return utcnow() - dt.timedelta(days=current_app.config["CANCELLED_FEED_DAYS"])


def _session_url(session) -> str:
    return url_for("sessions.detail", session_id=session.id, _external=True)


def _console_url(session) -> str:
    return url_for("checkins.console", session_id=session.id, _external=True)


def _feed_response(key: tuple, state: queries.FeedState, build: Callable[[], bytes], *,
                   filename: str, cache_control: str) -> Response:
    """304 from the fingerprint alone when the client is up to date; else cached or fresh bytes."""
    etag = etag_for(key, state.values)
    if not is_resource_modified(request.environ, etag=etag, last_modified=state.last_modified):
        response = Response(status=304)
    else:
        response = Response(_cache().get(key, etag, build), content_type=ICS_TYPE)
        response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.set_etag(etag)
    if state.last_modified is not None:
        response.last_modified = state.last_modified
    response.headers["Cache-Control"] = cache_control
    return response


@bp.get("/calendars/public.ics")
def public_feed():
    since = _cancelled_since()
    key = ("public", lang(), request.host_url)
    # The fingerprint is the same for everyone: micro-cached per feed, not per `since` (which moves
    # every microsecond), so a 304 within the window needs no query.
    state = public_cache().get(("calendars.public_state",), lambda: queries.public_state(since))
    return _feed_response(
        key, state,
        lambda: feeds.public_calendar(queries.public_sessions(since), session_url=_session_url),
        filename=f"{city.slug()}-public.ics", cache_control="public, no-cache",
    )


@bp.get("/calendars/staff/<token>.ics")
def staff_feed(token: str):
    user = staff.user_for_feed_token(token)
    if user is None:
        # Plain text: a calendar app shows this, not a browser.
        return Response("Not found: this calendar link is unknown or was re-issued.\n", status=404,
                        content_type="text/plain; charset=utf-8", headers={"Cache-Control": "no-store"})
    since = _cancelled_since()
    key = ("staff", user.id, user.display_name, lang(), request.host_url)
    response = _feed_response(
        key, queries.staff_state(user.id, since),
        lambda: feeds.staff_calendar(queries.staff_sessions(user.id, since), staff_name=user.display_name,
                                     counts=queries.staff_counts(user.id, since), session_url=_session_url,
                                     console_url=_console_url),
        filename=f"{city.slug()}-staff.ics", cache_control="private, no-cache",
    )
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/api/v1/reservations/<code>.ics")
def reservation_ics(code: str):
    reservation = reservations.find(code)
    if reservation is None:
        raise ApiError(404, "not_found", "No reservation with this code.")
    session = reservations.session_of(reservation)
    body = feeds.reservation_calendar(
        reservation, session, session_page=_session_url(session),
        manage_url=url_for("reservations.show", code=reservation.code, _external=True),
    )
    response = Response(body, content_type=ICS_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{city.slug()}-reservation.ics"'
    # The file holds the code: no shared cache may keep it.
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _feed_links(endpoint: str, **values) -> dict[str, str]:
    """The https (http when run locally) address of a feed and its webcal:// twin."""
    web = url_for(endpoint, _external=True, **values)
    return {"web": web, "webcal": "webcal://" + web.split("://", 1)[1]}


def _settings_page(form: FeedTokenForm, new_token: str | None = None, replaced: bool = False, status: int = 200):
    personal = _feed_links("calendars.staff_feed", token=new_token) if new_token else None
    response = make_response(render_template(
        "calendars/settings.html", form=form, personal=personal, replaced=replaced,
        has_token=bool(current_user.feed_token_hash),
        public=_feed_links("calendars.public_feed"),
    ), status)
    # The personal address is shown once; no cache (not even back/forward) may keep it.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/calendars/settings")
@login_required
def staff_settings():
    issued = secret_once.take(f"feed:{current_user.id}")  # shown on this one view after issuing
    if issued:
        return _settings_page(FeedTokenForm(), new_token=issued["value"], replaced=issued["replaced"])
    return _settings_page(FeedTokenForm())


@bp.post("/calendars/settings")
@login_required
def rotate_feed_token():
    form = FeedTokenForm()
    if not form.validate_on_submit():
        return _settings_page(form, status=400)
    replaced = bool(current_user.feed_token_hash)
    token = staff.rotate_feed_token(current_user._get_current_object())
    # Post/redirect/get: a reload of the page that shows the URL never issues another one.
    secret_once.keep(f"feed:{current_user.id}", token, replaced=replaced)
    return redirect(url_for("calendars.staff_settings"), 303)
