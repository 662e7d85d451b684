"""chart.png drawn by the helper process: the same bytes as drawn here, and a failing worker is an error.

Real components: the sample students, the real solver, a real ``python -m api.classes_chart`` child."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from api.classes_chart import ChartData, ChartError, ChartWorker, chart_png
from api.inputs import read_input_file
from api.runs.classes import _chart_data, cohort_from_roster, prepare_classes, rules_from_config
from engine.classes import place_students

ROOT = Path(__file__).resolve().parents[2]
SEED = bytes.fromhex("c1" * 32)


def _sample_chart() -> ChartData:
    run = prepare_classes(read_input_file(ROOT / "samples/classes/students.csv"), None,
                          read_input_file(ROOT / "samples/classes/config.toml"))
    placement = place_students(cohort_from_roster(run.config, run.roster), rules_from_config(run.config), SEED)
    return _chart_data(placement)


def test_the_worker_draws_the_bytes_drawn_in_process() -> None:
    chart = _sample_chart()
    worker = ChartWorker()
    try:
        from_worker = worker.draw(chart)
    finally:
        worker.close()
    assert from_worker.startswith(b"\x89PNG\r\n\x1a\n")
    assert hashlib.sha256(from_worker).hexdigest() == hashlib.sha256(chart_png(chart)).hexdigest()


def test_a_failing_worker_raises_with_its_error() -> None:
    worker = ChartWorker()
    with pytest.raises(ChartError, match=r"(?s)chart worker exited with status 1: .*KeyError: 'labels'"):
        worker.draw({"n": 1})  # type: ignore[typeddict-item]

