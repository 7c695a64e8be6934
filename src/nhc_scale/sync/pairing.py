"""A pad's pairing with a team hub, as a person makes it on the pad's page or with
``nhc-scale pair``: the hub's address and this pad's token there, checked against the hub,
kept in the pad's state directory (``hub-pairing.json``, readable by the service's user only).

The settings ``hub_url`` and ``hub_token`` (NHC_HUB_URL, NHC_HUB_TOKEN, or the config file), when
given, win over this file: a pad set up by its configuration is not re-paired from its page.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from nhc_scale.config import check_hub_url
from nhc_scale.sync.client import check_pairing

PAIRING_FILE = "hub-pairing.json"
TOKEN_LENGTH = (8, 200)


class PairingError(Exception):
    """The pairing file cannot be read or written; the message says which and why."""


@dataclass(frozen=True)
class Pairing:
    hub_url: str
    pad_token: str
    pad_name: str = ""  # the hub's name for this pad when it was paired
    paired_at: float | None = None  # unix seconds


def check_pad_token(token: str) -> str:
    """A pad token as pasted (surrounding blanks dropped); ValueError with a sentence if it
    cannot be one."""
    token = token.strip()
    low, high = TOKEN_LENGTH
    if not low <= len(token) <= high:
        raise ValueError(
            f"a pad token is {low} to {high} characters: copy the whole token the hub showed"
        )
    if any(char.isspace() or not char.isprintable() for char in token):
        raise ValueError("a pad token has no spaces or line breaks: copy it as the hub showed it")
    return token


def pair(hub_url: str, pad_token: str, pad_version: str, queued: int = 0) -> Pairing:
    """Check the address and token against the hub: the pairing to keep, or ValueError (the
    address or token cannot be one) or :class:`~nhc_scale.sync.client.HubError` (what the hub,
    or the network, said), each with a sentence to show."""
    address = check_hub_url(hub_url)
    token = check_pad_token(pad_token)
    name = check_pairing(address, token, pad_version, queued)
    return Pairing(address, token, name, time.time())


def pairing_path(state_dir: Path) -> Path:
    return Path(state_dir) / PAIRING_FILE


def load(state_dir: Path) -> Pairing | None:
    """The pairing kept in ``state_dir``, None if there is none."""
    path = pairing_path(state_dir)
    try:
        data = json.loads(path.read_text())
        pairing = Pairing(
            hub_url=check_hub_url(data["hub_url"]),
            pad_token=check_pad_token(data["pad_token"]),
            pad_name=str(data.get("pad_name", "")),
            paired_at=data.get("paired_at"),
        )
    except FileNotFoundError:
        return None
    except OSError as error:
        raise PairingError(f"Cannot read the hub pairing {path}: {error.strerror}.") from None
    except (ValueError, KeyError, TypeError, AttributeError):
        raise PairingError(
            f"The hub pairing {path} is damaged: pair the pad again (or remove the file)."
        ) from None
    return pairing


def save(state_dir: Path, pairing: Pairing) -> Path:
    """Written 0600 from the start (it holds the pad's token) and renamed into place, so a
    power cut leaves the old pairing or the new one, whole."""
    path = pairing_path(state_dir)
    temporary = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(asdict(pairing), handle, indent=1)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as error:
        raise PairingError(f"Cannot write the hub pairing {path}: {error.strerror}.") from None
    return path


def remove(state_dir: Path) -> bool:
    """Forget the pairing; True if there was one."""
    path = pairing_path(state_dir)
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as error:
        raise PairingError(f"Cannot remove the hub pairing {path}: {error.strerror}.") from None
    return True


def file_signature(state_dir: Path) -> tuple[int, int, int] | None:
    """What changes when the file is written or removed (inode, size, mtime): the running pad
    notices a pairing made with ``nhc-scale pair`` by this."""
    try:
        found = pairing_path(state_dir).stat()
    except OSError:
        return None
    return (found.st_ino, found.st_size, found.st_mtime_ns)
