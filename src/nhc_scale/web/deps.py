"""Reach the running appliance from a request."""

from __future__ import annotations

from fastapi import Request

from nhc_scale.appliance.core import Appliance


def appliance(request: Request) -> Appliance:
    return request.app.state.appliance
