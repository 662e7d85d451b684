"""``sunshine verifier --out FILE``: write the offline browser verifier and print its SHA-256 (docs/verifier.md)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Annotated

import typer

from api.cli.app import app
from api.verifier_page import GENERATOR_MARK, verifier_html
from engine.errors import SunshineError

__all__ = ["VerifierFileError", "write_verifier"]


class VerifierFileError(SunshineError):
    """``--out`` names something that is not a verifier page this command wrote (or cannot be written)."""


def _is_ours(path: Path) -> bool:
    """A file we may replace: a verifier page written by this command (it carries the generator mark)."""
    try:
        with path.open("rb") as f:
            head = f.read(4096)
    except OSError:
        return False
    return GENERATOR_MARK.encode() in head


def write_verifier(out: Path) -> bytes:
    """Write the page to ``out`` (atomically, via a sibling temporary file); refuse anything not ours."""
    if out.is_dir() or (out.exists() and not _is_ours(out)):
        raise VerifierFileError(
            f"拒绝覆盖 {out}：它不是 sunshine verifier 生成的核验页面（请换一个文件名，或先自行移走它）",
            f"refusing to overwrite {out}: it is not a verifier page written by sunshine verifier "
            "(choose another name, or move it away yourself)")
    page = verifier_html()
    tmp = out.with_name(f".{out.name}.{secrets.token_hex(4)}.tmp")
    try:
        tmp.write_bytes(page)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise VerifierFileError(f"无法写入 {out}：{exc.strerror}", f"cannot write {out}: {exc.strerror}") from exc
    return page


@app.command("verifier")
def verifier(
    out: Annotated[Path, typer.Option("--out", help="写入的 HTML 文件 the HTML file to write, e.g. verifier.html")],
) -> None:
    """写出离线浏览器核验页面并显示其 SHA-256。 Write the offline browser verifier (one HTML file); print its SHA-256.

    例 example: sunshine verifier --out verifier.html
    """
    import hashlib

    page = write_verifier(out)
    print(f"wrote {out} ({len(page)} bytes): open it in a browser and drop a bundle.zip on it")
    print(f"已写出 {out}：用浏览器打开，把 bundle.zip 拖进去即可核验")
    print(hashlib.sha256(page).hexdigest())
