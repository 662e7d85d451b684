"""The --out folder is written whole or not at all, and a user's own folder or file is never replaced."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from api.store.result_folder import MARKER, OutputError, write_result_folder

FILES = {"results.csv": b"a,b\n1,2\n", "private/names.csv": b"id,name\n1,x\n",
         "audit-private/roster_private.json": b"{}\n"}


def write(out: Path) -> Path:
    return write_result_folder(out, FILES, run_id="r1", kind="fake")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_new_folder_gets_marker_and_private_modes(tmp_path: Path) -> None:
    out = write(tmp_path / "结果")
    assert (out / MARKER).is_file() and (out / "results.csv").read_bytes() == FILES["results.csv"]
    assert (out / "private" / "names.csv").stat().st_mode & 0o777 == 0o600
    assert (out / "audit-private").stat().st_mode & 0o777 == 0o700
    assert sorted(p.name for p in tmp_path.iterdir()) == ["结果"]


def test_previous_result_folder_and_empty_folder_are_replaced(tmp_path: Path) -> None:
    out = write(tmp_path / "out")
    (out / "stale.csv").write_text("old")
    write_result_folder(out, {"results.csv": b"new\n"}, run_id="r2", kind="fake")
    assert not (out / "stale.csv").exists() and (out / "results.csv").read_bytes() == b"new\n"
    empty = tmp_path / "empty"
    empty.mkdir()
    write(empty)
    assert (empty / MARKER).exists()


@pytest.mark.parametrize("setup", ["documents", "file", "dot"])
def test_users_folder_or_file_is_refused_and_untouched(tmp_path: Path, setup: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    if setup == "documents":
        target = tmp_path / "招生2026"
        target.mkdir()
        (target / "报名表.xlsx").write_bytes(b"inputs")
        (target / "通知.docx").write_bytes(b"notice")
    elif setup == "file":
        target = tmp_path / "out"
        target.write_text("a user's file")
    else:
        (tmp_path / "inputs.csv").write_text("x")
        monkeypatch.chdir(tmp_path)
        target = Path(".")
    before = snapshot(tmp_path)
    with pytest.raises(OutputError, match="nothing was changed|refusing to replace") as info:
        write(target)
    assert "阳光招生" in info.value.message_zh or "覆盖" in info.value.message_zh
    assert snapshot(tmp_path) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_place_is_a_clear_error(tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        with pytest.raises(OutputError, match="permission denied"):
            write(ro / "out")
    finally:
        ro.chmod(0o700)


def test_disk_full_keeps_the_previous_result(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    import api.store.result_folder as rf

    out = write(tmp_path / "out")
    before = snapshot(out)

    def full(root: Path, files: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(rf, "_write_tree", full)
    with pytest.raises(OutputError, match="no space left") as info:
        write(out)
    assert "磁盘空间不足" in info.value.message_zh
    assert snapshot(out) == before and sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_file_in_the_way_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("x")
    with pytest.raises(OutputError, match="in the way|not a folder"):
        write(tmp_path / "blocker" / "out")


def test_staging_left_by_a_killed_writer_is_removed_next_time(tmp_path: Path) -> None:
    """SIGKILL mid-write leaves a 0700 staging folder; the next write beside it removes it."""
    script = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        import api.store.result_folder as rf
        real = rf._write_tree
        def dying(root, files):
            real(root, files)
            os.kill(os.getpid(), signal.SIGKILL)
        rf._write_tree = dying
        rf.write_result_folder(Path({str(tmp_path / 'out')!r}), {{"private/names.csv": b"x"}}, run_id="r", kind="k")
    """)
    done = subprocess.run([sys.executable, "-c", script], check=False)
    assert done.returncode == -signal.SIGKILL
    left = [p for p in tmp_path.iterdir() if p.name.startswith(".out.sunshine-staging-")]
    assert len(left) == 1 and left[0].stat().st_mode & 0o777 == 0o700
    write(tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_sigterm_mid_write_leaves_nothing(tmp_path: Path) -> None:
    script = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        import api.store.result_folder as rf
        real = rf._write_tree
        def terminated(root, files):
            real(root, files)
            os.kill(os.getpid(), signal.SIGTERM)
        rf._write_tree = terminated
        rf.write_result_folder(Path({str(tmp_path / 'out')!r}), {{"private/names.csv": b"x"}}, run_id="r", kind="k")
    """)
    done = subprocess.run([sys.executable, "-c", script], check=False)
    assert done.returncode == 128 + signal.SIGTERM
    assert list(tmp_path.iterdir()) == []
