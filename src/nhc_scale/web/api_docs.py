"""``GET /docs``: the API reference, drawn in the browser from ``/openapi.json``.

FastAPI's own /docs and /redoc load unpinned scripts from a CDN into this origin, where the phone
page keeps the admin token, and show nothing offline. This page is three small files from the
package, served with a policy that lets the browser load nothing from anywhere else.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

PAGE = Path(__file__).parent / "static" / "api-docs.html"
# Only this origin's own files and /openapi.json; no inline code, no frames, no forms.
POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

router = APIRouter()


@router.get("/docs", include_in_schema=False)
def api_docs() -> FileResponse:
    return FileResponse(
        PAGE, headers={"Cache-Control": "no-cache", "Content-Security-Policy": POLICY}
    )
