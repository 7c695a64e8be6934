"""``nhc-scale pair``: pair this pad with a team hub, show the pairing, or remove it.

    nhc-scale pair HUB_URL [--token-stdin]   check the pad token with the hub, then keep both
    nhc-scale pair                           show the pairing
    nhc-scale pair --remove                  forget the hub

The token is the one the coach got from the hub (its Pads page, or `nhc-scale hub pad add`);
it is asked for without echo, or read from standard input for scripts, never taken as an
argument (other users can read a process's arguments). The pairing goes into the state
directory, where a running pad picks it up within a few seconds: run it as the service's user
(`sudo -u nhc-scale nhc-scale pair ...`). The settings hub_url and hub_token, when given, win
over it (docs/hub.md, "The pad's side").
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import UTC, datetime

from nhc_scale.cli import CommandError
from nhc_scale.config import Settings, load_settings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "pair", help="pair this pad with a team hub (or show or --remove the pairing)"
    )
    parser.add_argument(
        "hub_url", nargs="?", metavar="HUB_URL", help="the hub's address, e.g. http://coach:8800"
    )
    parser.add_argument(
        "--token-stdin",
        action="store_true",
        help="read the pad token from standard input (for scripts) instead of asking",
    )
    parser.add_argument("--remove", action="store_true", help="forget the hub")
    parser.set_defaults(handler=run)


def _refuse_if_pinned(settings: Settings, what: str) -> None:
    if settings.hub_url is not None:
        raise CommandError(
            f"this pad's hub is set in its settings ({settings.hub_url}, from NHC_HUB_URL and "
            f"NHC_HUB_TOKEN or the config file), which win over a pairing: {what} there"
        )


def run(args: argparse.Namespace) -> int:
    from nhc_scale import __version__
    from nhc_scale.sync import pairing
    from nhc_scale.sync.client import HubError

    settings = load_settings()
    if args.remove and args.hub_url:
        raise CommandError("give a hub's address to pair, or --remove, not both", code=2)
    try:
        if args.remove:
            _refuse_if_pinned(settings, "remove it")
            try:
                kept = pairing.load(settings.state_dir)
            except pairing.PairingError:
                kept = None  # a damaged file goes too
            if not pairing.remove(settings.state_dir):
                print("this pad was not paired with a hub")
                return 0
            hub = f" with {kept.hub_url}" if kept is not None else ""
            print(f"the pairing{hub} is removed; finished sessions wait on the pad")
            return 0
        if args.hub_url is None:
            return _show(settings)
        _refuse_if_pinned(settings, "change it")
        if args.token_stdin:
            token = sys.stdin.readline()
        else:
            token = getpass.getpass("pad token (from the hub's Pads page): ")
        try:
            paired = pairing.pair(args.hub_url, token, __version__)
        except (ValueError, HubError) as error:
            raise CommandError(f"not paired: {error}") from None
        path = pairing.save(settings.state_dir, paired)
    except pairing.PairingError as error:
        raise CommandError(str(error)) from None
    print(f"paired with {paired.hub_url} as {paired.pad_name!r} (kept in {path})")
    print("a running pad starts syncing with it within a few seconds")
    return 0


def _show(settings: Settings) -> int:
    from nhc_scale.sync import pairing

    if settings.hub_url is not None:
        print(f"hub: {settings.hub_url} (from the settings: NHC_HUB_URL or the config file)")
        return 0
    found = pairing.load(settings.state_dir)
    if found is None:
        print("not paired with a hub: `nhc-scale pair HUB_URL` pairs it")
        return 0
    when = (
        ""
        if found.paired_at is None
        else f", paired {datetime.fromtimestamp(found.paired_at, UTC):%Y-%m-%d %H:%M} UTC"
    )
    print(f"hub: {found.hub_url}, as {found.pad_name!r}{when}")
    return 0
