"""TOTP and recovery codes: making them, reading them as people type them, checking them; the secret's
encryption at rest. Pure functions (no database, no Flask)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
import unicodedata

import pyotp
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

#: Seconds per TOTP step and digits per code (what every authenticator app uses by default).
STEP_S, DIGITS = 30, 6
#: Steps either side of now that are accepted, for a phone clock a little off.
WINDOW = 1
#: Recovery codes: how many, and their shape (12 symbols of 31, about 59 random bits, no 0/O/1/I/L).
RECOVERY_COUNT = 10
RECOVERY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RECOVERY_GROUPS, RECOVERY_GROUP_LEN = 3, 4


def new_secret() -> str:
    """A fresh base32 secret of 160 random bits."""
    return pyotp.random_base32()


def provisioning_uri(secret: str, login: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=login, issuer_name=issuer)


def current_step(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // STEP_S)


def totp_digits(raw: str | None) -> str | None:
    """Six digits from what was typed (full-width digits, spaces and hyphens allowed), or None."""
    if not isinstance(raw, str):
        return None
    digits = "".join(c for c in unicodedata.normalize("NFKC", raw) if not (c.isspace() or c == "-"))
    return digits if len(digits) == DIGITS and digits.isascii() and digits.isdigit() else None


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The step within the window whose code is `code`, or None; compared in constant time."""
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_S)
    step = current_step(now)
    found = None
    for candidate in range(step - WINDOW, step + WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(candidate), code):
            found = candidate
    return found


def new_recovery_codes() -> list[str]:
    """Fresh codes such as 'K7XP-M9QH-4WZR'."""
    def one() -> str:
        symbols = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_GROUPS * RECOVERY_GROUP_LEN))
        return "-".join(symbols[i:i + RECOVERY_GROUP_LEN] for i in range(0, len(symbols), RECOVERY_GROUP_LEN))
    return [one() for _ in range(RECOVERY_COUNT)]


def recovery_symbols(raw: str | None) -> str | None:
    """A recovery code as its 12 symbols (any case or width, separators dropped), or None."""
    if not isinstance(raw, str):
        return None
    symbols = "".join(c for c in unicodedata.normalize("NFKC", raw).upper() if c.isalnum())
    if len(symbols) != RECOVERY_GROUPS * RECOVERY_GROUP_LEN or any(c not in RECOVERY_ALPHABET for c in symbols):
        return None
    return symbols


def recovery_hash(user_id: int, symbols: str) -> str:
    """SHA-256 of the account and the code: the same code of two accounts hashes differently."""
    return hashlib.sha256(f"{user_id}:{symbols}".encode()).hexdigest()


def _fernet(secret_key: str) -> Fernet:
    """A Fernet key derived from SECRET_KEY (HKDF), for this one purpose."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"ikomaru totp secret").derive(
        secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(secret: str, secret_key: str) -> str:
    return _fernet(secret_key).encrypt(secret.encode()).decode()


def decrypt(stored: str, secret_key: str) -> str | None:
    """The secret, or None when it was encrypted under another SECRET_KEY."""
    try:
        return _fernet(secret_key).decrypt(stored.encode()).decode()
    except (InvalidToken, ValueError):
        return None
