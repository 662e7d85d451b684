"""The pages people use (docs/pages.md): plain HTML, CSS and JS modules from ``api/pages/site/``.

Each page is a static file; everything it shows it fetches from ``/api/v1`` in the browser, so
the pages hold no state and no secret of the server. The witness page's keys and secret values
live only in the witness's browser. Files are served from a fixed list read at start-up (never
a path from the request), with a Content-Security-Policy that allows only this origin: no CDN,
no inline script, so text from the API can only ever be text.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import Response

from api.http.errors import ApiError
from api.verifier_page import verifier_html, verifier_sha256

__all__ = ["SITE", "router"]

#: Where the page files are (shipped as package data).
SITE = Path(__file__).resolve().parent.parent / "pages" / "site"

_MEDIA = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
          ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml"}
_FILES = {p.name: p for p in SITE.iterdir() if p.suffix in _MEDIA} if SITE.is_dir() else {}
_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; "
                               "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}

router = APIRouter(include_in_schema=False)


def _file(name: str) -> Response:
    path = _FILES.get(name)
    if path is None:
        raise ApiError(404, "not_found", f"没有页面文件 {name}", f"there is no page file {name!r}")
    return Response(path.read_bytes(), media_type=_MEDIA[path.suffix], headers=_HEADERS)


@router.get("/")
def index() -> Response:
    return _file("index.html")


@router.get("/runs/{run_id}")
def run_page(run_id: str) -> Response:
    return _file("run.html")


@router.get("/runs/{run_id}/sheet")
def run_sheet(run_id: str) -> Response:
    return _file("sheet.html")


@router.get("/screen/{run_id}")
def big_screen(run_id: str) -> Response:
    return _file("screen.html")


@router.get("/console")
def console() -> Response:
    return _file("console.html")


@router.get("/witness")
def witness() -> Response:
    return _file("witness.html")


@router.get("/verifier.html")
def browser_verifier() -> Response:
    """The offline browser verifier (docs/verifier.md): served as the exact bytes ``sunshine verifier``
    writes, under its own policy (inline code, no network), with its SHA-256 so it can be compared."""
    page = verifier_html()
    return Response(page, media_type="text/html; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="sunshine-verifier.html"',
        "X-Sunshine-Verifier-SHA256": verifier_sha256(), "X-Content-Type-Options": "nosniff"})


@router.get("/static/{name}")
def static(name: str) -> Response:
    return _file(name)
