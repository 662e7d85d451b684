"""The helper processes of ``sunshine classes`` answer what this process would: the same chart.png
bytes and the same pinyin keys; a failing helper is an error; only a process's first request starts one.

Real components: the sample students, the real solver, real ``python -m api.classes_chart`` /
``python -m api.homophones`` children."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from api import helper_process
from api.classes_chart import ChartData, chart_png
from api.helper_process import HelperError, HelperProcess, InProcess, helper_for
from api.homophones import pinyin_keys
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


def test_the_chart_helper_draws_the_bytes_drawn_in_process() -> None:
    chart = _sample_chart()
    from_helper = HelperProcess("api.classes_chart").ask(json.dumps(chart, ensure_ascii=False).encode("utf-8"))
    assert from_helper.startswith(b"\x89PNG\r\n\x1a\n")
    assert hashlib.sha256(from_helper).hexdigest() == hashlib.sha256(chart_png(chart)).hexdigest()


def test_the_pinyin_helper_gives_the_keys_computed_in_process() -> None:
    # homophones, polyphonic characters read by phrase, latin letters and digits, a lone character
    names = ["张伟", "张玮", "章伟", "重庆", "重量", "银行", "行走", "Li Lei", "学生甲3", "乐", "音乐", "快乐"]
    keys = json.loads(HelperProcess("api.homophones").ask(json.dumps(names, ensure_ascii=False).encode("utf-8")))
    assert keys == pinyin_keys(names)
    assert keys[0] == keys[1] == keys[2] == "zhang wei"


def test_a_failing_helper_raises_with_its_error() -> None:
    helper = HelperProcess("api.classes_chart")
    with pytest.raises(HelperError, match=r"(?s)api.classes_chart helper exited with status 1: .*KeyError: 'labels'"):
        helper.ask(b'{"n": 1}')


def test_only_the_first_request_of_a_process_starts_a_helper(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(helper_process, "_STARTED", set())
    first = helper_for("api.homophones", lambda request: request)
    first.close()
    assert isinstance(first, HelperProcess)
    again = helper_for("api.homophones", lambda request: request[::-1])
    assert isinstance(again, InProcess) and again.ask(b"ab") == b"ba"
