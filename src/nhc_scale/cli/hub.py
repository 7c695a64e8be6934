"""``nhc-scale hub``: the team hub (docs/hub.md), and the coach's commands for it.

    nhc-scale hub [--host H] [--port P]          run the hub (default 0.0.0.0:8800)
    nhc-scale hub user add NAME [--password-stdin]
    nhc-scale hub user password NAME [--password-stdin]
    nhc-scale hub pad add NAME                   pair a pad: prints its token, once
    nhc-scale hub pad list
    nhc-scale hub pad revoke ID|NAME

Every command reads the same ``NHC_HUB_*`` settings, so it works on the database the hub uses.
The hub's dependencies (the ``hub`` extra) are imported only here, inside the handlers.
"""

from __future__ import annotations

import argparse
import getpass
import sys
import time
from typing import Any

from nhc_scale.cli import CommandError

DEFAULT_PORT = 8800


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "hub", help="run the team hub that pads sync to, or manage its users and pads"
    )
    parser.add_argument("--host", default="0.0.0.0", help="address to listen on (all by default)")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"TCP port (default {DEFAULT_PORT})"
    )
    parser.set_defaults(handler=run)
    commands = parser.add_subparsers(dest="hub_command", metavar="COMMAND")

    user = commands.add_parser("user", help="coaches who may log in").add_subparsers(
        dest="user_command", metavar="ACTION", required=True
    )
    for action, text in (("add", "create a user"), ("password", "set a user's password")):
        sub = user.add_parser(action, help=text)
        sub.add_argument("username")
        sub.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from standard input (for scripts) instead of asking",
        )
        sub.set_defaults(handler=user_add if action == "add" else user_password)

    pad = commands.add_parser("pad", help="pads that sync to this hub").add_subparsers(
        dest="pad_command", metavar="ACTION", required=True
    )
    add = pad.add_parser("add", help="pair a pad: prints its token (shown only once)")
    add.add_argument("name", help="e.g. 'Gym pad 1'")
    add.set_defaults(handler=pad_add)
    pad.add_parser("list", help="every pad and its sync state").set_defaults(handler=pad_list)
    revoke = pad.add_parser("revoke", help="stop a pad's token from working")
    revoke.add_argument("pad", help="the pad's id or name")
    revoke.set_defaults(handler=pad_revoke)


def _engine() -> Any:
    """The migrated engine of the hub's database, or one line saying why not."""
    from nhc_scale.hub.database import DatabaseError, make_engine, migrate
    from nhc_scale.hub.settings import HubConfigError, load_hub_settings

    try:
        settings = load_hub_settings()
    except HubConfigError as error:
        raise CommandError(str(error), code=2) from None
    try:
        engine = make_engine(settings.url)
        migrate(engine)
    except DatabaseError as error:
        raise CommandError(str(error)) from None
    except ImportError as error:
        raise CommandError(
            f"the hub needs its extra dependencies ({error.name} is missing): "
            "pip install 'nhc-scale[hub]'"
        ) from None
    return engine


def run(args: argparse.Namespace) -> int:
    try:
        import uvicorn

        from nhc_scale.hub.app import create_hub_app
        from nhc_scale.hub.settings import HubConfigError, load_hub_settings
    except ImportError as error:
        raise CommandError(
            f"the hub needs its extra dependencies ({error.name} is missing): "
            "pip install 'nhc-scale[hub]'"
        ) from None
    if not 1 <= args.port <= 65535:
        raise CommandError("--port must be between 1 and 65535", code=2)
    try:
        settings = load_hub_settings()
    except HubConfigError as error:
        raise CommandError(str(error), code=2) from None
    # Refuse before starting the server if the database is not the hub's: one line, no
    # traceback from inside the server's start-up.
    _engine().dispose()
    uvicorn.run(
        create_hub_app(settings),
        host=args.host,
        port=args.port,
        log_level="info",
        access_log=False,
        timeout_graceful_shutdown=5,
    )
    return 0


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(f"password for {args.username}: ")
    if getpass.getpass("again: ") != first:
        raise CommandError("the two passwords differ; nothing was changed")
    return first


def user_add(args: argparse.Namespace) -> int:
    from nhc_scale.hub import accounts

    engine = _engine()
    try:
        accounts.check_username(args.username)
        accounts.create_user(engine, args.username, _password(args), time.time())
    except accounts.AccountError as error:
        raise CommandError(str(error)) from None
    print(f"user {args.username} created: log in on the hub's page")
    return 0


def user_password(args: argparse.Namespace) -> int:
    from nhc_scale.hub import accounts

    engine = _engine()
    try:
        accounts.set_password(engine, args.username, _password(args))
    except accounts.AccountError as error:
        raise CommandError(str(error)) from None
    print(f"password of {args.username} changed; their logins were ended")
    return 0


def pad_add(args: argparse.Namespace) -> int:
    from nhc_scale.hub import pads

    try:
        pad, token = pads.pair(_engine(), args.name, time.time())
    except pads.PadError as error:
        raise CommandError(str(error)) from None
    print(f"pad {pad['id']} ({pad['name']}) paired. Its token, shown only this once:")
    print()
    print(f"    {token}")
    print()
    print(
        "On the pad: its page's Athletes tab, Team hub, or `nhc-scale pair HUB_URL` there, "
        "with this hub's address and the token."
    )
    return 0


def pad_list(args: argparse.Namespace) -> int:
    from nhc_scale.hub import pads
    from nhc_scale.hub.views import iso

    rows = pads.list_pads(_engine())
    if not rows:
        print("no pads yet: `nhc-scale hub pad add NAME` pairs one")
        return 0
    for pad in rows:
        state = "revoked" if pad["revoked_at"] is not None else "active"
        queued = "?" if pad["queued_sessions"] is None else pad["queued_sessions"]
        print(
            f"{pad['id']:>4}  {pad['name']:<24} {state:<8} sessions {pad['session_count']:<6} "
            f"queued {queued!s:<5} last seen {iso(pad['last_seen_at']) or 'never'}"
        )
    return 0


def pad_revoke(args: argparse.Namespace) -> int:
    from nhc_scale.hub import pads

    engine = _engine()
    try:
        pad = pads.find_pad(engine, args.pad)
    except pads.PadError as error:
        raise CommandError(str(error)) from None
    pads.revoke(engine, pad["id"], time.time())
    print(f"pad {pad['id']} ({pad['name']}) revoked: its token no longer works")
    return 0
