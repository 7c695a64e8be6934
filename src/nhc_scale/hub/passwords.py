"""Coach passwords, hashed with Argon2id (argon2-cffi, its RFC 9106 "low memory" profile).

Argon2id is the password hash the OWASP cheat sheet puts first; argon2-cffi is the reference
implementation's binding. A hash carries its own parameters, so parameters raised in a later
version re-hash a password at its next login (:func:`needs_rehash`).
"""

from __future__ import annotations

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD_LENGTH = 10


@functools.cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2-cffi's defaults: RFC 9106 low-memory (64 MiB, t=3, p=4)


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher().check_needs_rehash(stored_hash)


def check_new_password(password: str) -> None:
    """Raise ValueError with a sentence if the password is too weak to protect athletes' data."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > 1024:
        raise ValueError("a password may have at most 1024 characters")
