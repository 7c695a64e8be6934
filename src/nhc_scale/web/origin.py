"""Requests that need no token must still come through the scale's own address.

DNS rebinding: a web page on the internet points its own name at the scale's LAN address, and a
phone on the Wi-Fi that opens it sends requests to the scale as that name, same-origin to the
browser. The Host header gives it away: the scale is reached by an IP address, ``localhost``,
its host name or its host name under a local suffix (``nhc-scale.local``), nothing else.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from fastapi import HTTPException, Request

LOCAL_SUFFIXES = ("local", "lan", "home", "home.arpa", "localdomain", "internal")


def host_name(authority: str) -> str:
    """``host[:port]`` or ``[v6]:port`` to the bare, lower-case host."""
    authority = authority.strip().lower()
    if authority.startswith("["):
        return authority[1 : authority.find("]")] if "]" in authority else authority
    return authority.rsplit(":", 1)[0] if authority.count(":") == 1 else authority


def is_own_name(name: str, own_host: str | None = None) -> bool:
    name = name.rstrip(".")
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        pass
    own = (own_host or socket.gethostname()).lower().split(".")[0]
    names = {"localhost", own, *(f"{own}.{suffix}" for suffix in LOCAL_SUFFIXES)}
    return name in names


def same_origin_only(request: Request) -> None:
    """A dependency: refuse (403) a request through a name that is not the scale's own, or
    sent by a page of another origin."""
    authority = request.headers.get("host", "")
    name = host_name(authority)
    if not is_own_name(name):
        raise HTTPException(
            403,
            f"This request reached the scale through the name {name!r}, which is not its own: "
            "open the page at the scale's address (http://nhc-scale.local or its IP address).",
        )
    origin = request.headers.get("origin")
    if origin and urlsplit(origin).netloc.lower() != authority.strip().lower():
        raise HTTPException(
            403, "This request came from another site's page; the scale only answers its own."
        )
