"""``nhc-scale serve``: the appliance's web service (the phone page and the HTTP API)."""

from __future__ import annotations

import argparse
from pathlib import Path

from nhc_scale.cli import CommandError
from nhc_scale.config import load_settings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("serve", help="run the appliance: sensor, sessions, phone page")
    parser.add_argument("--host", default="0.0.0.0", help="address to listen on (all by default)")
    parser.add_argument("--port", type=int, default=8000, help="TCP port (default 8000)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from nhc_scale import calibration
    from nhc_scale.admin_token import TokenError, ensure_token
    from nhc_scale.instance_lock import InstanceBusy, InstanceLock
    from nhc_scale.store import Store, StoreError
    from nhc_scale.web.app import create_app
    from nhc_scale.web.http_server import protocol_for_this_process

    if not 1 <= args.port <= 65535:
        raise CommandError("--port must be between 1 and 65535", code=2)
    settings = load_settings()
    try:
        # Held until the process exits: a second copy on this state directory is refused.
        lock = InstanceLock(settings.state_dir).acquire()
    except InstanceBusy as error:
        raise CommandError(str(error)) from error
    # Refuse before starting anything if the database or the calibration is not ours or is
    # damaged: the message must reach the user, not a traceback from inside the start-up.
    try:
        Store.open(Path(settings.state_dir) / "nhc-scale.db").close()
        calibration.load(settings.state_dir, settings.gain)
    except (StoreError, calibration.CalibrationError) as error:
        lock.release(tidy=True)
        raise CommandError(str(error)) from error
    try:
        ensure_token(settings)  # made here so that a state dir we cannot write is one line
    except TokenError as error:
        raise CommandError(str(error)) from error
    uvicorn.run(
        create_app(settings),
        host=args.host,
        port=args.port,
        # httptools with a header limit, read timeouts and a connection cap (web/http_server.py)
        http=protocol_for_this_process(),
        ws="none",  # no route is a WebSocket; an upgrade would leave the connection cap
        log_level="info",
        access_log=False,
        timeout_graceful_shutdown=5,
        # No proxy stands in front of the scale: a client's address is its own, never what an
        # X-Forwarded-For header says (the lockout of token guesses goes by that address).
        proxy_headers=False,
    )
    return 0
