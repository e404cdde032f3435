"""Passwords are hashed with Argon2id; hashes of the old scrypt format and Argon2 hashes of a
lower cost still verify, and are replaced by a current hash."""

from __future__ import annotations

from pwdlib.hashers.argon2 import Argon2Hasher

from service.auth.passwords import hash_password, verify_and_update
from tests.support.passwords import OLD_PASSWORD, OLD_SCRYPT_HASH


def test_new_hashes_are_argon2id_and_carry_their_parameters() -> None:
    stored = hash_password(OLD_PASSWORD)
    assert stored.startswith("$argon2id$v=19$m=")
    assert verify_and_update(OLD_PASSWORD, stored) == (True, None)
    assert verify_and_update("wrong horse battery", stored) == (False, None)


def test_an_old_scrypt_hash_verifies_and_is_replaced_by_argon2() -> None:
    old = OLD_SCRYPT_HASH
    assert verify_and_update("wrong horse battery", old) == (False, None)
    valid, new = verify_and_update(OLD_PASSWORD, old)
    assert valid
    assert new is not None
    assert new.startswith("$argon2id$")
    assert verify_and_update(OLD_PASSWORD, new) == (True, None)


def test_a_hash_of_a_lower_cost_is_replaced_on_the_next_sign_in() -> None:
    cheap = Argon2Hasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(OLD_PASSWORD)
    valid, new = verify_and_update(OLD_PASSWORD, cheap)
    assert valid
    assert new is not None
    assert new != cheap


def test_no_hash_or_an_unknown_one_never_matches() -> None:
    for stored in (None, "", "md5$abc", "scrypt$zz$00", "scrypt$00", "$argon2id$v=19$garbage"):
        assert verify_and_update(OLD_PASSWORD, stored) == (False, None)
