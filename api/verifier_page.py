"""The browser verifier as one self-contained HTML file (``sunshine verifier --out FILE``).

The sources live in ``api/pages/verifier/`` (an HTML shell, a stylesheet and the scripts, which
are written from ``docs/`` and not from this package's Python). :func:`verifier_html` inlines
them into one file: no CDN, no network, nothing to install, so a parent can keep the file and
open it offline, and anyone can compare its SHA-256 with the published one. The bytes depend only
on the sources (fixed order, no timestamp), so the hash is the same on every machine.
"""

from __future__ import annotations

import functools
import hashlib
from importlib import metadata
from importlib.resources import files

__all__ = ["GENERATOR_MARK", "SCRIPTS", "verifier_html", "verifier_record", "verifier_sha256"]

#: The scripts in the order they are inlined (each uses only what the earlier ones define).
#: ``vendor/noble-bls12-381.js`` is @noble/curves' BLS12-381, bundled once (vendor/README.md) for the drand
#: beacon; it comes after crypto.js so that crypto.js's "use strict" stays the directive of the whole script.
#: ``vendor/pako-deflate.js`` is pako 2.1.0's deflate (zlib's exact bytes) for ``xlsx.js``, which rebuilds the
#: XLSX lists (docs/xlsx.md) and uses zip.js's CRC-32 and reader.
SCRIPTS = ("crypto.js", "vendor/noble-bls12-381.js", "beacon.js", "zip.js", "vendor/pako-deflate.js", "xlsx.js",
           "notes.js", "inherit.js", "ceremony.js",
           "verify.js", "rows.js", "lottery.js", "lottery-review.js", "points.js",
           "classes-numbers.js", "classes-formation.js", "classes-polish.js", "classes-files.js", "classes.js",
           "page.js")
#: Written into the file: how ``sunshine verifier`` recognises a file it may overwrite.
GENERATOR_MARK = '<meta name="generator" content="sunshine-verifier">'

_CSS_SLOT = "/*VERIFIER_CSS*/"
_JS_SLOT = "/*VERIFIER_JS*/"


def _source(name: str) -> str:
    return files("api.pages").joinpath("verifier", *name.split("/")).read_text(encoding="utf-8")


def verifier_html() -> bytes:
    """The whole page: the HTML shell with the stylesheet and every script inlined (UTF-8, LF)."""
    shell = _source("verifier.html")
    script = "\n".join(_source(name) for name in SCRIPTS)
    if "</script" in script.lower() or "</style" in _source("verifier.css").lower():
        raise ValueError("an inlined source would close its own element")  # a packaging mistake, not user input
    page = shell.replace(_CSS_SLOT, _source("verifier.css")).replace(_JS_SLOT, script)
    page = page.replace('<meta charset="utf-8">', '<meta charset="utf-8">\n' + GENERATOR_MARK, 1)
    return page.replace("\r\n", "\n").encode("utf-8")


def verifier_sha256() -> str:
    """Hex SHA-256 of :func:`verifier_html`: the hash to publish next to the file."""
    return hashlib.sha256(verifier_html()).hexdigest()


@functools.cache
def verifier_record() -> dict[str, str]:
    """``{"sha256", "version"}`` of the page this Sunshine writes: recorded in every ``run.publish`` entry.

    Why: a parent who is handed a ``verifier.html`` can compare its hash with the one the run's signed
    log names, so the page that checks a run is fixed by the run itself. The page's bytes never depend on
    a bundle (only on its sources), so recording the hash in bundles makes no cycle. Cached: the sources
    do not change while a process runs, and publishing must not read them once per run.
    """
    try:
        version = metadata.version("sunshine")
    except metadata.PackageNotFoundError:
        version = "unknown"
    return {"sha256": verifier_sha256(), "version": version}
