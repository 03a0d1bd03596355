"""Pages of the second factor: the sign-in's second step, enrolment, the staff member's own settings,
an admin's reset of a colleague's; and the fence that keeps an admin who must enrol on enrolment."""
from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from webapp.db import db_session
from webapp.errors import error_body
from webapp.exceptions import DomainError
from webapp.http_cache import no_store
from webapp.sessions.views import safe_next
from webapp.staff.auth import _bearer, admin_required
from webapp.staff.models import User
from webapp.staff.twofactor import codes, operations, pending
from webapp.staff.twofactor.forms import ProveForm, SetupForm, VerifyForm
from webapp.staff.twofactor.qr import qr_svg
from webapp.staff.views import _finish_login, _user_or_404

bp = Blueprint("twofactor", __name__, template_folder="templates")

#: What an admin who must enrol may still reach: enrolment itself, signing out, the language switch.
OPEN_BEFORE_ENROLMENT = frozenset({"twofactor.setup", "staff.logout", "sessions.set_language", "static",
                                   "look.theme", "look.logo"})


def _required() -> bool:
    return bool(current_app.config.get("ADMIN_2FA_REQUIRED", True))


def _key() -> str:
    return current_app.config["SECRET_KEY"]


def _page(template: str, status: int = 200, **context):
    """Codes and secrets are on these pages: never cached."""
    return no_store(make_response(render_template(template, **context), status))


@bp.app_template_global()
def two_factor_on(user: User) -> bool:
    return operations.is_enabled(user)


@bp.before_app_request
def _enrol_first():
    """A signed-in admin without a second factor, while it is required, is sent to enrolment from anywhere."""
    if not _required() or request.endpoint in OPEN_BEFORE_ENROLMENT:
        return None
    if request.path.startswith("/api/") and _bearer() is not None:
        return None  # the API then ignores the cookie: a personal token, handed out by an admin or the CLI
    if not current_user.is_authenticated or not operations.must_enrol(current_user, required=True):
        return None
    if request.path.startswith("/api/"):
        return jsonify(error_body("two_factor_required",
                                  "Set up two-step sign-in at /staff/two-factor/setup first.")), 403
    return redirect(url_for("twofactor.setup"))


def _start_again(message: str | None = None):
    """The pending sign-in is over: back to the password, saying why."""
    if message is None and pending.expired():
        message = _("ログインの途中で%(n)d分たったため、取り消しました。もう一度パスワードから入力してください。",
                    n=operations.PENDING_S // 60)
    pending.clear()
    if message:
        flash(message, "info")
    return redirect(url_for("staff.login"))


# --- Sign in: the second step ------------------------------------------------------------------------

@bp.route("/staff/login/verify", methods=["GET", "POST"])
def verify():
    if current_user.is_authenticated:
        return redirect(url_for("staff.home"))
    user = pending.user("verify")
    if user is None or pending.attempts_used(user):
        return _start_again()
    form = VerifyForm()
    if form.validate_on_submit():
        field, typed = form.typed()
        kind = operations.check(user, typed, _key()) if typed.strip() else None
        if kind is not None:
            target = safe_next(pending.next_url(), url_for("staff.home"))
            pending.clear()
            _finish_login(user)
            if kind == "recovery":
                flash(_("回復コードを1つ使いました（使ったコードはもう使えません）。残りは%(n)d個です。",
                        n=operations.recovery_codes_left(user)), "info")
            return redirect(target)
        if typed.strip() and pending.attempts_used(user):
            return _start_again(_("確認コードが%(n)d回違ったため、ログインを取り消しました。"
                                  "もう一度パスワードから入力してください。", n=operations.ATTEMPTS))
        getattr(form, field).errors = [_wrong_message(field, typed)]
    status = 400 if form.is_submitted() else 200
    return _page("twofactor/verify.html", status, form=form)


def _wrong_message(field: str, typed: str) -> str:
    if not typed.strip():
        return _("認証アプリに表示されている6桁の数字を入力してください。")
    if field == "recovery_code":
        return _("回復コードが違うか、すでに使われています。")
    return _("確認コードが違うか、すでに使われています。認証アプリにいま表示されている6桁の数字を入力してください。")


# --- Enrolment ---------------------------------------------------------------------------------------

def _enrolling() -> User | None:
    """Who is setting up: the signed-in staff member, or an admin between password and enrolment."""
    if current_user.is_authenticated:
        return current_user._get_current_object()
    return pending.user("enrol")


@bp.route("/staff/two-factor/setup", methods=["GET", "POST"])
def setup():
    user = _enrolling()
    if user is None:
        return _start_again() if pending.expired() else redirect(url_for("staff.login"))
    if operations.is_enabled(user):
        flash(_("2段階認証はすでに設定されています。"), "info")
        return redirect(url_for("twofactor.status"))
    secret = pending.setup_secret(user, _key())
    form = SetupForm()
    if form.validate_on_submit():
        try:
            recovery = operations.enable(user, secret, form.code.data, _key())
        except DomainError as err:
            db_session.rollback()
            if err.code != "wrong_code":
                return redirect(url_for("twofactor.status"))
            form.code.errors = [_("確認コードが違います。認証アプリにいま表示されている6桁の数字を入力してください。")]
        else:
            pending.forget_setup()
            target = url_for("twofactor.status")
            if not current_user.is_authenticated:
                target = safe_next(pending.next_url(), url_for("staff.home"))
                pending.clear()
                _finish_login(user)
            # Rendered, not redirected: the codes exist only in this answer and are stored as hashes.
            return _page("twofactor/recovery_codes.html", recovery_codes=recovery, continue_url=target, first=True)
    uri = codes.provisioning_uri(secret, user.login, current_app.config["TOTP_ISSUER"])
    return _page("twofactor/setup.html", 400 if form.is_submitted() else 200, form=form,
                 qr=Markup(qr_svg(uri, _("認証アプリで読み取るQRコード"))),
                 secret_groups=[secret[i:i + 4] for i in range(0, len(secret), 4)],
                 required=operations.must_enrol(user, _required()))


# --- The staff member's own settings -----------------------------------------------------------------

def _status(status: int = 200, **refused: ProveForm):
    """The settings page; `refused` holds a form sent back with its error (regenerate=..., disable=...)."""
    forms = {name: refused.get(name) or ProveForm(prefix=name, formdata=None) for name in ("regenerate", "disable")}
    return _page("twofactor/status.html", status, enabled=operations.is_enabled(current_user),
                 left=operations.recovery_codes_left(current_user), forms=forms,
                 required=_required() and current_user.is_admin, count=codes.RECOVERY_COUNT)


def _with_proof(name: str, act):
    """Run `act(code)` for someone who gives a current code or a recovery code in the form `name`."""
    form = ProveForm(prefix=name)
    if not operations.is_enabled(current_user):
        return redirect(url_for("twofactor.status"))
    if form.validate_on_submit():
        try:
            return act(form.code.data)
        except DomainError:
            form.code.errors = [_("確認コードか回復コードが違います。")]
    return _status(400, **{name: form})


@bp.get("/staff/two-factor")
@login_required
def status():
    return _status()


@bp.post("/staff/two-factor/recovery-codes")
@login_required
def regenerate():
    def show_new_codes(code: str):
        recovery = operations.regenerate_recovery_codes(current_user, code, _key())
        return _page("twofactor/recovery_codes.html", recovery_codes=recovery,
                     continue_url=url_for("twofactor.status"), first=False)
    return _with_proof("regenerate", show_new_codes)


@bp.post("/staff/two-factor/disable")
@login_required
def disable():
    def turn_off(code: str):
        operations.disable(current_user, code, _key())
        flash(_("2段階認証を解除しました。"), "success")
        return redirect(url_for("twofactor.status"))
    return _with_proof("disable", turn_off)


# --- An admin's reset of a colleague's second factor (a lost phone) -----------------------------------

@bp.post("/admin/users/<int:user_id>/two-factor/reset")
@admin_required
def reset(user_id: int):
    user = _user_or_404(user_id)
    if user.id == current_user.id:
        flash(_("自分の2段階認証は「2段階認証」のページで変更してください。"), "error")
    elif operations.is_enabled(user):
        operations.turn_off(user)
        flash(_("「%(login)s」の2段階認証を解除しました。次のログインで設定し直すよう本人に伝えてください。",
                login=user.login), "success")
    return redirect(url_for("staff.user_edit", user_id=user.id))
