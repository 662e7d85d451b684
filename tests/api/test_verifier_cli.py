"""``sunshine verifier --out FILE``: one self-contained page, stable bytes, its SHA-256 printed last, never over a
file that is not ours (docs/verifier.md)."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

from api.verifier_page import SCRIPTS, verifier_html, verifier_sha256


def sunshine(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from api.cli import main; main()", *map(str, args)],
                          capture_output=True, text=True, timeout=120)


def test_writes_the_page_and_prints_its_hash_last(tmp_path: Path) -> None:
    out = tmp_path / "verifier.html"
    done = sunshine("verifier", "--out", out)
    assert done.returncode == 0, done.stderr
    data = out.read_bytes()
    assert done.stdout.strip().splitlines()[-1] == hashlib.sha256(data).hexdigest() == verifier_sha256()
    assert data == verifier_html()  # the same bytes every time: the published hash means something
    again = sunshine("verifier", "--out", out)  # a page we wrote may be replaced
    assert again.returncode == 0 and out.read_bytes() == data


def test_the_page_is_self_contained() -> None:
    page = verifier_html().decode("utf-8")
    assert "/*VERIFIER_JS*/" not in page and "/*VERIFIER_CSS*/" not in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # no CDN, no remote script, style or font
    assert "default-src 'none'" in page  # the page's own policy forbids any network access
    assert page.count("<script>") == 1
    for name in SCRIPTS:  # every source is inlined, in order
        first = (Path(__file__).resolve().parents[2] / "api" / "pages" / "verifier" / name).read_text().splitlines()[0]
        assert first in page, name
    assert "\r" not in page


@pytest.mark.parametrize("existing", [b"my own notes\n", b"<html>another page</html>"])
def test_refuses_to_overwrite_a_file_that_is_not_ours(tmp_path: Path, existing: bytes) -> None:
    out = tmp_path / "notes.html"
    out.write_bytes(existing)
    done = sunshine("verifier", "--out", out)
    assert done.returncode == 2
    assert "拒绝覆盖" in done.stderr and "refusing to overwrite" in done.stderr
    assert out.read_bytes() == existing  # nothing changed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.html"]  # no temporary file left behind


def test_refuses_a_folder(tmp_path: Path) -> None:
    done = sunshine("verifier", "--out", tmp_path)
    assert done.returncode == 2 and "refusing to overwrite" in done.stderr


def test_the_documented_hash_is_this_page() -> None:
    """docs/verifier.md publishes the page's hash: a change to the page must update it (as a golden digest)."""
    doc = (Path(__file__).resolve().parents[2] / "docs" / "verifier.md").read_text(encoding="utf-8")
    assert f"sha256 {verifier_sha256()}" in doc
