"""The admin token: what a request must carry to change anything (tare, calibration, settings,
sessions). Reading is open to everyone on the network; changing is not.

A token always exists: ``admin_token`` from the settings, else one generated on the first start
into ``state_dir/admin-token`` (mode 0600). It is short and typeable, because a person copies it
once from ``nhc-scale doctor`` or the service log into the phone page, which remembers it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from nhc_scale.config import Settings

TOKEN_FILE = "admin-token"
# No 0/o, 1/l/i: a token read off a terminal and typed on a phone must survive the copying.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
GROUPS, GROUP_LEN = 4, 4  # 16 characters from 31: ~79 bits, far beyond guessing over Wi-Fi
MIN_LENGTH = 8


class TokenError(Exception):
    """The token file cannot be read or written; the message says which and why."""


def token_path(settings: Settings) -> Path:
    return Path(settings.state_dir) / TOKEN_FILE


def generate() -> str:
    return "-".join(
        "".join(secrets.choice(ALPHABET) for _ in range(GROUP_LEN)) for _ in range(GROUPS)
    )


def read_token(settings: Settings) -> tuple[str | None, str]:
    """The token in force and where it comes from, without creating one (for doctor)."""
    if settings.admin_token:
        return settings.admin_token, "the admin_token setting (NHC_ADMIN_TOKEN)"
    path = token_path(settings)
    try:
        token = path.read_text().strip()
    except FileNotFoundError:
        return None, f"{path} (not created yet: the server makes it on its first start)"
    except OSError as error:
        raise TokenError(f"cannot read the admin token {path}: {error.strerror}") from None
    if len(token) < MIN_LENGTH:
        return None, f"{path} (empty or damaged: the server replaces it on its next start)"
    return token, str(path)


def ensure_token(settings: Settings) -> tuple[str, str, bool]:
    """The token in force, where it comes from, and whether it was generated just now."""
    token, origin = read_token(settings)
    if token is not None:
        return token, origin, False
    path = token_path(settings)
    token = generate()
    temporary = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        # Created 0600 from the start (never readable by others, not even for a moment), then
        # renamed into place: a power cut leaves the old file or the whole new one.
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(token + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as error:
        raise TokenError(f"cannot write the admin token {path}: {error.strerror}") from None
    return token, str(path), True
