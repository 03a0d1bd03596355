"""Staff login, logout, the promoter's own sessions and account management (/admin/users)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import func, select

from webapp import caps, secret_once
from webapp.audit import web as audit
from webapp.db import db_session, utcnow
from webapp.exceptions import DomainError
from webapp.extensions import login_manager
from webapp.http_cache import no_store
from webapp.sessions.models import Session
from webapp.sessions.queries import run_by
from webapp.sessions.views import safe_next
from webapp.staff import auth, login_sessions, operations, throttle
from webapp.staff.auth import admin_required
from webapp.staff.forms import LoginForm, NewUserForm, PasswordForm, UserForm, role_label, show_error
from webapp.staff.models import ApiToken, User
from webapp.staff.twofactor import operations as twofactor
from webapp.staff.twofactor import pending

bp = Blueprint("staff", __name__, template_folder="templates")

login_manager.login_view = "staff.login"
login_manager.login_message = _l("職員ページを見るにはログインしてください。")
login_manager.login_message_category = "info"


@bp.app_template_global()
def role_name(role: str) -> str:
    return role_label(role)


@bp.context_processor
def _limits():
    return {"min_password": operations.MIN_PASSWORD}


def _no_store(html, status=200):
    """Staff pages hold assignments or secrets: keep them out of caches."""
    return no_store(make_response(html, status))


# --- Sign in and out -------------------------------------------------------------------------------

@bp.route("/staff/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(form.next.data, url_for("staff.home")))
    status = 400 if form.is_submitted() else 200
    if form.validate_on_submit():
        attempt = throttle.account_cap(form.login.data)
        try:
            with caps.counted(attempt):
                user = operations.authenticate(form.login.data, form.password.data)
        except DomainError:
            audit.login_throttled(form.login.data)
            form.form_errors.append(_("このアカウントはログインの失敗が続いたため、しばらくログインできません。"
                                      "%(minutes)d分ほど待ってから、もう一度お試しください。",
                                      minutes=throttle.window_minutes()))
            return _no_store(render_template("staff/login.html", form=form), 429)
        if user is not None:
            caps.give_back(attempt)  # only failures count against the account
            step = twofactor.second_step(user, current_app.config["ADMIN_2FA_REQUIRED"])
            if step is not None:  # not signed in yet: a code (or enrolment) comes first
                pending.start(user, step, form.next.data)
                return redirect(url_for("twofactor.verify" if step == "verify" else "twofactor.setup"))
            _finish_login(user)
            return redirect(safe_next(form.next.data, url_for("staff.home")))
        audit.login_failed(form.login.data)
        # One answer for an unknown login, a wrong password or a deactivated account.
        form.form_errors.append(_("ログイン名またはパスワードが違います。"))
    return _no_store(render_template("staff/login.html", form=form), status)


def _finish_login(user: User) -> None:
    """Sign `user` in, once every step of the sign-in (password, second factor) has passed."""
    auth.sign_in(user)
    audit.signed_in(user)


@bp.post("/staff/logout")
def logout():
    # CSRFProtect has already refused a POST without a valid token, so another site cannot log anyone out.
    audit.signing_out()
    auth.sign_out()
    flash(_("ログアウトしました。"), "success")
    return redirect(url_for("sessions.index"))


@bp.post("/staff/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    """End every sign-in of this account, on every device (this one too), and its open consoles."""
    operations.sign_out_everywhere(current_user._get_current_object())
    return _signed_out_here()


def _signed_out_here():
    """This browser's sign-in was ended with all the others: forget it here too and say so."""
    auth.sign_out()
    flash(_("すべての端末でログアウトしました。もう一度ログインしてください。"), "success")
    return redirect(url_for("sessions.index"))


def _open_sessions(user: User) -> int:
    """How many devices `user` is signed in on now."""
    return login_sessions.open_count(user, login_sessions.Limits.from_config(current_app.config))


# --- The staff member's own sessions ---------------------------------------------------------------

def _my_upcoming(user: User) -> list[Session]:
    """Sessions not yet over that `user` runs (an admin: all), soonest first."""
    return list(db_session.scalars(
        select(Session).where(Session.ends_at > utcnow(), run_by(user)).order_by(Session.starts_at)))


@bp.get("/staff/")
@login_required
def home():
    return _no_store(render_template("staff/home.html", sessions=_my_upcoming(current_user),
                                     signed_in=_open_sessions(current_user)))


# --- Accounts (admins) -----------------------------------------------------------------------------

def _user_or_404(user_id: int) -> User:
    user = db_session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _live_tokens() -> dict[int, int]:
    """Unrevoked API tokens per account."""
    rows = db_session.execute(
        select(ApiToken.user_id, func.count(ApiToken.id)).where(ApiToken.revoked_at.is_(None))
        .group_by(ApiToken.user_id))
    return dict(rows.all())


@bp.get("/admin/users")
@admin_required
def users():
    return _no_store(render_template("staff/users.html", users=operations.all_users(), tokens=_live_tokens()))


@bp.route("/admin/users/new", methods=["GET", "POST"])
@admin_required
def user_new():
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = operations.create_user(form.login.data, form.role.data, form.display_name.data, form.password.data)
        except DomainError as err:
            db_session.rollback()
            show_error(form, err)
        else:
            flash(_("アカウント「%(login)s」を作成しました。", login=user.login), "success")
            return redirect(url_for("staff.user_edit", user_id=user.id))
    status = 400 if form.is_submitted() else 200
    return _no_store(render_template("staff/user_new.html", form=form), status)


def _render_user(user: User, form: UserForm | None = None, password_form: PasswordForm | None = None,
                 new_token: str | None = None, status: int = 200):
    """The account page with its separate small forms (details, password, status, tokens)."""
    return _no_store(render_template(
        "staff/user_edit.html", user=user, form=form or UserForm(obj=user, formdata=None),
        password_form=password_form or PasswordForm(formdata=None),
        tokens=_live_tokens().get(user.id, 0), new_token=new_token, signed_in=_open_sessions(user),
    ), status)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def user_edit(user_id: int):
    user = _user_or_404(user_id)
    form = UserForm(obj=user)
    if request.method == "GET":
        issued = secret_once.take(f"api_token:{user.id}")  # shown on this one view after issuing
        if issued:
            return _render_user(user, form=form, new_token=issued["value"])
    if form.validate_on_submit():
        if user.id == current_user.id and form.role.data != "admin":
            form.role.errors = [_("自分自身を管理者から外すことはできません。ほかの管理者に依頼してください。")]
            return _render_user(user, form=form, status=400)
        try:
            operations.update_user(user, display_name=form.display_name.data, role=form.role.data)
        except DomainError as err:
            db_session.rollback()
            show_error(form, err)
            return _render_user(user, form=form, status=400)
        flash(_("アカウントを更新しました。"), "success")
        return redirect(url_for("staff.user_edit", user_id=user.id))
    return _render_user(user, form=form, status=400 if form.is_submitted() else 200)


@bp.post("/admin/users/<int:user_id>/password")
@admin_required
def user_password(user_id: int):
    user = _user_or_404(user_id)
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            operations.set_password(user, form.password.data)
        except DomainError as err:
            db_session.rollback()
            show_error(form, err)
        else:
            if user.id == current_user.id:
                auth.sign_in(user)  # the new password ended every session: this browser gets a fresh one
            flash(_("新しいパスワードを設定しました。本人に安全な方法で伝えてください。"), "success")
            return redirect(url_for("staff.user_edit", user_id=user.id))
    return _render_user(user, password_form=form, status=400)


@bp.post("/admin/users/<int:user_id>/active")
@admin_required
def user_active(user_id: int):
    user = _user_or_404(user_id)
    if user.id == current_user.id:
        flash(_("自分自身のアカウントは無効にできません。"), "error")
        return redirect(url_for("staff.user_edit", user_id=user.id))
    if user.active:
        operations.deactivate(user)
        flash(_("アカウントを無効にしました。ログインとAPIトークンは使えなくなります。"), "success")
    else:
        operations.activate(user)
        flash(_("アカウントを有効に戻しました。"), "success")
    return redirect(url_for("staff.user_edit", user_id=user.id))


@bp.post("/admin/users/<int:user_id>/sign-out")
@admin_required
def user_sign_out(user_id: int):
    """An admin ends every sign-in and open console of an account (a lost phone, a shared PC)."""
    user = _user_or_404(user_id)
    operations.sign_out_everywhere(user)
    if user.id == current_user.id:
        return _signed_out_here()
    flash(_("このアカウントをすべての端末でログアウトさせました。"), "success")
    return redirect(url_for("staff.user_edit", user_id=user.id))


@bp.post("/admin/users/<int:user_id>/tokens")
@admin_required
def user_token(user_id: int):
    user = _user_or_404(user_id)
    if not user.active:
        flash(_("無効なアカウントにはトークンを発行できません。"), "error")
        return redirect(url_for("staff.user_edit", user_id=user.id))
    # Post/redirect/get: the token is shown on the next view only (never stored in clear), and a
    # reload of that page issues no other one.
    secret_once.keep(f"api_token:{user.id}", operations.issue_api_token(user))
    return redirect(url_for("staff.user_edit", user_id=user.id), 303)


@bp.post("/admin/users/<int:user_id>/tokens/revoke")
@admin_required
def user_tokens_revoke(user_id: int):
    user = _user_or_404(user_id)
    operations.revoke_api_tokens(user)
    flash(_("このアカウントのAPIトークンをすべて無効にしました。"), "success")
    return redirect(url_for("staff.user_edit", user_id=user.id))
