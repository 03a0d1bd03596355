"""Password hashes without the web stack: scrypt, stored as `scrypt:n:r:p$salt$hex`.

That is the format werkzeug.security writes, so hashes made before this module (and by werkzeug)
keep verifying; `pbkdf2:<hash>:<iterations>$salt$hex` ones still verify too.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import string

#: scrypt cost: 32 MiB and ~0.1 s per hash, memory-hard against GPU guessing.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
SALT_ALPHABET = string.ascii_letters + string.digits
SALT_LENGTH = 16


def _scrypt(password: str, salt: str, n: int, r: int, p: int) -> str:
    return hashlib.scrypt(password.encode(), salt=salt.encode(), n=n, r=r, p=p, maxmem=132 * n * r * p).hex()


def hash_password(password: str) -> str:
    """A fresh salted scrypt hash of `password`."""
    salt = "".join(secrets.choice(SALT_ALPHABET) for _ in range(SALT_LENGTH))
    return f"scrypt:{SCRYPT_N}:{SCRYPT_R}:{SCRYPT_P}${salt}${_scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)}"


def password_matches(stored: str, password: str) -> bool:
    """Whether `password` is the one `stored` was made from (compared in constant time)."""
    method, _, rest = stored.partition("$")
    salt, _, expected = rest.partition("$")
    name, *params = method.split(":")
    if name == "scrypt" and len(params) == 3:
        actual = _scrypt(password, salt, *map(int, params))
    elif name == "pbkdf2" and len(params) == 2:
        actual = hashlib.pbkdf2_hmac(params[0], password.encode(), salt.encode(), int(params[1])).hex()
    else:
        return False
    return hmac.compare_digest(actual, expected)
