"""`make demo` is a README promise: it must run every job and verify every bundle."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_demo_runs_every_job_and_verifies(tmp_path: Path) -> None:
    out = tmp_path / "demo-out"
    done = subprocess.run([sys.executable, "-m", "api.demo", "--out", str(out)],
                          capture_output=True, text=True, check=False, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    for job in ("lottery", "points", "classes"):
        assert (out / job / "bundle.zip").is_file()
        assert f"verify {out / job / 'bundle.zip'}: 11 steps hold" in done.stdout
    assert "VERIFIED: every step holds" in done.stdout
    assert "receipt for 202600010 verified" in done.stdout
    assert (out / "lottery" / "results.csv").read_text(encoding="utf-8").startswith(
        "applicant_id,lottery_number,tier,school_id,choice_rank,round"
    )
    assert "inherited from run" in done.stdout  # the 复核 of the served lottery run inherits its seed
    assert (out / "service" / "lottery-review-bundle.zip").is_file()
