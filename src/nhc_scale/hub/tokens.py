"""Pad tokens and login tokens: random, shown once, stored only as their SHA-256.

Both are long random secrets (not words a person chose), so a fast hash is the right one: it
cannot be reversed, and it lets the hub find the token's row by its hash with an index, at no
cost per request. Passwords, which people choose, get Argon2 (passwords.py).
"""

from __future__ import annotations

import hashlib
import secrets

# As the pad's admin token: no 0/o, 1/l/i, so a token read off a screen survives the typing.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
PAD_TOKEN_GROUPS, GROUP_LEN = 6, 4  # 24 characters from 31: ~119 bits
PAD_TOKEN_PREFIX = "pad-"


def new_pad_token() -> str:
    groups = (
        "".join(secrets.choice(ALPHABET) for _ in range(GROUP_LEN)) for _ in range(PAD_TOKEN_GROUPS)
    )
    return PAD_TOKEN_PREFIX + "-".join(groups)


def new_login_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
