"""Coaches: users with Argon2 password hashes, and their logins (a token per browser).

Every user may read the whole team, pair and revoke pads and manage athletes: a hub is one
team's. A login lasts ``login_hours`` after its last use; logging out deletes it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import sqlalchemy as sa

from nhc_scale.hub import passwords, tokens
from nhc_scale.hub.database import writing
from nhc_scale.hub.tables import logins, users

USERNAME = re.compile(r"[A-Za-z0-9._@-]{1,64}")
#: Touch a login's last use at most this often: a write per request would serialise reads.
TOUCH_EVERY_S = 60.0


class AccountError(ValueError):
    """A username or password that cannot be accepted; the message says why."""


@dataclass(frozen=True)
class User:
    id: int
    username: str


def check_username(username: str) -> str:
    if not USERNAME.fullmatch(username):
        raise AccountError(
            "a username is 1-64 letters, digits, dots, dashes, underscores or @, no spaces"
        )
    return username


def create_user(engine: sa.Engine, username: str, password: str, now: float) -> User:
    check_username(username)
    try:
        passwords.check_new_password(password)
    except ValueError as error:
        raise AccountError(str(error)) from None
    hashed = passwords.hash_password(password)
    with writing(engine) as conn:
        exists = conn.execute(sa.select(users.c.id).where(users.c.username == username)).first()
        if exists is not None:
            raise AccountError(f"there is already a user {username!r}")
        user_id = conn.execute(
            users.insert().values(username=username, password_hash=hashed, created_at=now)
        ).inserted_primary_key
    assert user_id is not None
    return User(int(user_id[0]), username)


def set_password(engine: sa.Engine, username: str, password: str) -> None:
    try:
        passwords.check_new_password(password)
    except ValueError as error:
        raise AccountError(str(error)) from None
    hashed = passwords.hash_password(password)
    with writing(engine) as conn:
        result = conn.execute(
            users.update().where(users.c.username == username).values(password_hash=hashed)
        )
        if result.rowcount == 0:
            raise AccountError(f"there is no user {username!r}")
        # A new password ends every login made with the old one.
        conn.execute(
            logins.delete().where(
                logins.c.user_id
                == sa.select(users.c.id).where(users.c.username == username).scalar_subquery()
            )
        )


def count_users(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(users)).scalar_one())


@functools.cache
def _dummy_hash() -> str:
    """A wrong username costs as much as a wrong password: it is verified against this hash,
    so timing does not tell which usernames exist."""
    return passwords.hash_password(tokens.new_login_token())


def log_in(engine: sa.Engine, username: str, password: str, now: float) -> tuple[User, str] | None:
    """The user and a new login token, or None if the username or password is wrong."""
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(users.c.id, users.c.password_hash).where(users.c.username == username)
        ).first()
    if row is None:
        passwords.verify_password(_dummy_hash(), password)
        return None
    if not passwords.verify_password(row.password_hash, password):
        return None
    token = tokens.new_login_token()
    with writing(engine) as conn:
        if passwords.needs_rehash(row.password_hash):
            conn.execute(
                users.update()
                .where(users.c.id == row.id)
                .values(password_hash=passwords.hash_password(password))
            )
        conn.execute(
            logins.insert().values(
                token_hash=tokens.token_hash(token),
                user_id=row.id,
                created_at=now,
                last_used_at=now,
            )
        )
    return User(int(row.id), username), token


def user_for_token(engine: sa.Engine, token: str, now: float, max_age_s: float) -> User | None:
    """The user logged in with ``token``, or None if it is unknown or expired."""
    hashed = tokens.token_hash(token)
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(users.c.id, users.c.username, logins.c.last_used_at)
            .join(users, users.c.id == logins.c.user_id)
            .where(logins.c.token_hash == hashed)
        ).first()
    if row is None:
        return None
    if now - row.last_used_at > max_age_s:
        with writing(engine) as conn:
            conn.execute(logins.delete().where(logins.c.token_hash == hashed))
        return None
    if now - row.last_used_at > TOUCH_EVERY_S:
        with writing(engine) as conn:
            conn.execute(
                logins.update().where(logins.c.token_hash == hashed).values(last_used_at=now)
            )
    return User(int(row.id), row.username)


def log_out(engine: sa.Engine, token: str) -> None:
    with writing(engine) as conn:
        conn.execute(logins.delete().where(logins.c.token_hash == tokens.token_hash(token)))
