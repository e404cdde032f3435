"""Password hashes: Argon2id through pwdlib, with the cost written into each hash.

Every hash names its algorithm and parameters (`$argon2id$v=19$m=...,t=...,p=...$...`), so the
cost can be raised later: a sign-in that verifies a hash made with other parameters, or with the
scrypt format used before (which stored no parameters), gets the password hashed again with the
current ones (`verify_and_update`).
"""

from __future__ import annotations

import hashlib
import hmac

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

_SCRYPT_PREFIX = "scrypt$"


class LegacyScryptHasher:
    """Verifies the hashes stored before Argon2 (`scrypt$<salt hex>$<digest hex>`, n=2**14, r=8,
    p=1); it makes none, and every hash it recognises is due for rehashing."""

    @classmethod
    def identify(cls, hash: str | bytes) -> bool:
        return _text(hash).startswith(_SCRYPT_PREFIX)

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        raise NotImplementedError("new passwords are hashed with Argon2")

    def verify(self, password: str | bytes, hash: str | bytes) -> bool:
        match _text(hash).split("$"):
            case [_, salt_hex, digest_hex]:
                pass
            case _:
                return False
        try:
            salt = bytes.fromhex(salt_hex)
        except ValueError:
            return False
        digest = hashlib.scrypt(_bytes(password), salt=salt, n=2**14, r=8, p=1)
        return hmac.compare_digest(digest.hex(), digest_hex)

    def check_needs_rehash(self, hash: str | bytes) -> bool:
        return True


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _bytes(value: str | bytes) -> bytes:
    return value.encode() if isinstance(value, str) else value


# The first hasher makes new hashes; the others only verify old ones.
PASSWORDS = PasswordHash((Argon2Hasher(), LegacyScryptHasher()))


def hash_password(password: str) -> str:
    return PASSWORDS.hash(password)


def verify_and_update(password: str, stored: str | None) -> tuple[bool, str | None]:
    """Whether `password` matches `stored`, and the hash to store instead when it is outdated.

    No stored hash (an account that signs in by token only) or one in no known format never
    matches."""
    if not stored or not any(hasher.identify(stored) for hasher in PASSWORDS.hashers):
        return False, None
    return PASSWORDS.verify_and_update(password, stored)
