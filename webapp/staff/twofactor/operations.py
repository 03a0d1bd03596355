"""Turning a staff member's second factor on and off, and checking a code at sign-in (no Flask).

A TOTP code is accepted once: the step it belongs to must be later than the last one accepted,
claimed with one conditional UPDATE, so two requests racing with the same code cannot both win.
A recovery code is used up the same way. `secret_key` is the app's SECRET_KEY (codes.encrypt).
"""
from __future__ import annotations

import logging

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from webapp.db import db_session, utcnow
from webapp.exceptions import DomainError
from webapp.staff.models import User
from webapp.staff.twofactor import codes
from webapp.staff.twofactor.models import RecoveryCode, TwoFactor

#: Seconds from the right password to the second step; later, the password must be given again.
PENDING_S = 300
#: Wrong codes that end one pending sign-in.
ATTEMPTS = 5

log = logging.getLogger(__name__)


def _row(user: User) -> TwoFactor | None:
    """The stored row as it is now (the UPDATEs below bypass the session's copy, so reload it)."""
    return db_session.scalar(select(TwoFactor).where(TwoFactor.user_id == user.id)
                             .execution_options(populate_existing=True))


def is_enabled(user: User) -> bool:
    return _row(user) is not None


def must_enrol(user: User, required: bool) -> bool:
    """An admin without a second factor while ADMIN_2FA_REQUIRED is on: may do nothing but enrol."""
    return required and user.is_admin and not is_enabled(user)


def second_step(user: User, required: bool) -> str | None:
    """What follows the right password: "verify" (a code), "enrol" (set one up first) or None."""
    if is_enabled(user):
        return "verify"
    return "enrol" if must_enrol(user, required) else None


def wrong_codes(user: User) -> int:
    """Wrong codes ever entered for this account (a pending sign-in counts those after its start)."""
    row = _row(user)
    return row.wrong_codes if row is not None else 0


def _wrong_code() -> DomainError:
    return DomainError("wrong_code", "The code is not right, or was already used.", 400)


def enable(user: User, secret: str, code: str, secret_key: str) -> list[str]:
    """Store the secret once a first code from the app proves it was scanned; returns new recovery codes."""
    digits = codes.totp_digits(code)
    step = codes.matching_step(secret, digits) if digits else None
    if step is None:
        raise _wrong_code()
    if is_enabled(user):
        raise DomainError("already_enabled", "Two-step sign-in is already on for this account.", 409)
    db_session.add(TwoFactor(user_id=user.id, secret=codes.encrypt(secret, secret_key), last_step=step))
    recovery = _replace_recovery_codes(user)
    try:
        db_session.commit()
    except IntegrityError as err:  # enabled meanwhile from another page
        db_session.rollback()
        raise DomainError("already_enabled", "Two-step sign-in is already on for this account.", 409) from err
    return recovery


def _replace_recovery_codes(user: User) -> list[str]:
    db_session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    fresh = codes.new_recovery_codes()
    db_session.add_all(RecoveryCode(user_id=user.id, code_hash=codes.recovery_hash(user.id, codes.recovery_symbols(c)))
                       for c in fresh)
    return fresh


def check(user: User, code: str, secret_key: str) -> str | None:
    """"totp" or "recovery" when `code` is a right one (a recovery code is then used up); None, counted, if not."""
    row = _row(user)
    if row is None:
        return None
    kind = None
    digits = codes.totp_digits(code)
    if digits is not None:
        secret = codes.decrypt(row.secret, secret_key)
        if secret is None:
            log.warning("the TOTP secret of account %s cannot be decrypted (SECRET_KEY changed?); "
                        "recovery codes or `users reset-2fa` still work", user.id)
        step = codes.matching_step(secret, digits) if secret else None
        if step is not None and _claim_step(user, step):
            kind = "totp"
    else:
        symbols = codes.recovery_symbols(code)
        if symbols is not None and _use_recovery_code(user, symbols):
            kind = "recovery"
    if kind is None:
        db_session.execute(update(TwoFactor).where(TwoFactor.user_id == user.id)
                           .values(wrong_codes=TwoFactor.wrong_codes + 1))
    db_session.commit()
    return kind


def _claim_step(user: User, step: int) -> bool:
    claimed = db_session.execute(update(TwoFactor).where(TwoFactor.user_id == user.id, TwoFactor.last_step < step)
                                 .values(last_step=step))
    return claimed.rowcount == 1


def _use_recovery_code(user: User, symbols: str) -> bool:
    used = db_session.execute(update(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.code_hash == codes.recovery_hash(user.id, symbols),
        RecoveryCode.used_at.is_(None)).values(used_at=utcnow()))
    return used.rowcount == 1


def recovery_codes_left(user: User) -> int:
    return len(db_session.scalars(select(RecoveryCode.id).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).all())


def regenerate_recovery_codes(user: User, code: str, secret_key: str) -> list[str]:
    """New recovery codes (the old ones stop working), for someone who proves a current code."""
    if check(user, code, secret_key) is None:
        raise _wrong_code()
    fresh = _replace_recovery_codes(user)
    db_session.commit()
    return fresh


def disable(user: User, code: str, secret_key: str) -> None:
    """Turn the second factor off, for someone who proves a current code or a recovery code."""
    if check(user, code, secret_key) is None:
        raise _wrong_code()
    turn_off(user)


def turn_off(user: User) -> None:
    """Forget the secret and the recovery codes (a lost phone: an admin's reset, `users reset-2fa`)."""
    db_session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    row = _row(user)
    if row is not None:
        db_session.delete(row)  # through the session, so a later `enable` in it adds a fresh row
    db_session.commit()
