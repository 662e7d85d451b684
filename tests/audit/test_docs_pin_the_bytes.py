"""The byte formats and known answers written in docs/ are what the code produces (a doc that drifts fails here).

A reader with only the documents must be able to check a run: these tests take the examples
out of ``docs/outputs.md`` and ``docs/randomness.md`` and compare them with real runs.
"""

from __future__ import annotations

import re
from pathlib import Path

from api.inputs import InputFile, read_input_file
from api.runs import get_kind
from api.runs.classes import prepare_classes
from api.runs.lottery import prepare_lottery
from audit.canonical import canonical_bytes
from audit.verify import spec_lottery_numbers
from engine.randomness import WordStream, item_digest, seeded_permutation

DOCS = Path(__file__).resolve().parents[2] / "docs"
SEED = bytes(31) + b"\x07"
SCHOOLS = ("学校代码,学校名称,招生计划\nS0001,阳光实验小学,2\nS0002,东城第一小学,1\nS0003,西湖路小学,1\n"
           "S0004,育才小学,1\nS0006,新华街小学,2\n")
APPLICANTS = ("报名号,志愿,类别,优先,多胞胎组,二轮志愿\n202600010,S0001;S0002,2,,,S0003；S0001\n"
              "202600110,S0002;S0001;S0004,1,S0002:0,,\n202601230,S0001;S0003,1,,T0123,S0006\n"
              "202601231,S0001;S0003,1,,T0123,S0006\n")


def _block_after(text: str, heading: str) -> str:
    """The first fenced code block after ``heading``, as the file's bytes would be (with its final newline)."""
    start = text.index(heading)
    m = re.search(r"```[a-z]*\n(.*?)```", text[start:], flags=re.S)
    assert m is not None, heading
    return m.group(1)


def test_outputs_md_lottery_example_is_the_real_output(tmp_path: Path) -> None:
    (tmp_path / "schools.csv").write_text(SCHOOLS, encoding="utf-8")
    (tmp_path / "applicants.csv").write_text(APPLICANTS, encoding="utf-8")
    run = prepare_lottery(read_input_file(tmp_path / "schools.csv"), read_input_file(tmp_path / "applicants.csv"),
                          round2=True)
    files = get_kind("lottery").execute(run.config, run.roster, SEED)
    doc = (DOCS / "outputs.md").read_text(encoding="utf-8")
    section = doc[doc.index("## 2. Zone lottery"):doc.index("## 3. Points admission")]
    for name in ("results.csv", "schools.csv", "summary.json"):
        assert files[name].decode("utf-8") == _block_after(section, f"### `{name}`"), name
    # the record example of lottery.md § Roster record is the committed record of 202600110
    record = next(r for r in run.roster if r["id"] == "202600110")
    lottery_doc = (DOCS / "lottery.md").read_text(encoding="utf-8")
    assert canonical_bytes(record).decode() + "\n" == _block_after(lottery_doc, "### Roster record")


def _hex_after(text: str, label: str) -> str:
    m = re.search(re.escape(label) + r".*?`([0-9a-f]{16,})`", text, flags=re.S)
    assert m is not None, label
    return m.group(1)


def test_randomness_md_known_answers_recompute() -> None:
    doc = (DOCS / "randomness.md").read_text(encoding="utf-8")
    section = doc[doc.index("## 7. Worked example"):doc.index("## 8. Versioning")]
    seed = bytes(range(32))
    assert _hex_after(section, "**Seed**") == seed.hex()
    assert _hex_after(section, "| digest `D` |") == item_digest(seed, "lottery", "lottery-number", ["A0001"]).hex()
    for key, kind in ((["A0001"], "lottery"), (["A0002"], "lottery"), (["2024-0017"], "lottery"),
                      (["2024-0017", "2024-0018"], "lottery"), (["A0001"], "points")):
        [number] = spec_lottery_numbers(seed, kind, [key])
        assert f"`{number}`" in section, (key, kind)
    stream = WordStream(seed, "classes", "class-labels", "S0001")
    words = [f"{stream.next_word():016x}" for _ in range(5)]
    assert all(f"`{w}`" in section for w in words)
    bounded = WordStream(seed, "classes", "order-among-equals", "")
    assert f"`{', '.join(str(bounded.below(n)) for n in (1, 2, 3, 7, 10))}`" in section
    permutation = seeded_permutation(seed, "classes", "class-labels", list(range(1, 11)))
    assert f"`{permutation}`" in section


def test_outputs_md_points_examples_are_lines_of_the_sample_run() -> None:
    from api.runs.points import prepare_points

    samples = Path(__file__).resolve().parents[2] / "samples" / "points"
    rules, applicants, schools = (read_input_file(samples / n) for n in ("rules.toml", "applicants.csv", "schools.csv"))
    run = prepare_points(rules, applicants, schools, corrections=read_input_file(samples / "corrections.csv"),
                         second_pass=False)
    corrected = get_kind("points").execute(run.config, run.roster, SEED)
    run = prepare_points(rules, applicants, schools, second_pass=True)
    files = {**get_kind("points").execute(run.config, run.roster, SEED),
             "review_diff.csv": corrected["review_diff.csv"]}
    doc = (DOCS / "outputs.md").read_text(encoding="utf-8")
    section = doc[doc.index("## 3. Points admission"):doc.index("## 4. Audit files")]
    for name in ("results.csv", "schools.csv", "breakdown.csv", "publication.csv", "review_diff.csv"):
        published = files[name].decode("utf-8").removeprefix("\ufeff").split("\n")  # people-facing: a BOM
        block = _block_after(section, f"### `{name}`").rstrip("\n").split("\n")
        assert block[0] == published[0], name  # the whole header
        for line in block[1:]:
            assert line in published, (name, line)
    ranking = files["ranking.csv"].decode("utf-8").split("\n")
    for line in _block_after(section, "### `ranking.csv`").rstrip("\n").split("\n"):
        head, _, tail = line.partition(",…,")
        assert any(r.startswith(head + ",") and r.endswith("," + tail) for r in ranking), line


def _blocks_after(text: str, heading: str) -> list[str]:
    """The fenced code blocks of the subsection that starts at ``heading`` (up to the next heading)."""
    start = text.index(heading)
    end = text.find("\n#", start + len(heading))
    return re.findall(r"```[a-z]*\n(.*?)```", text[start:end if end >= 0 else None], flags=re.S)


def test_outputs_md_lottery_review_example_is_the_real_output() -> None:
    doc = (DOCS / "outputs.md").read_text(encoding="utf-8")
    section = doc[doc.index("## 2. Zone lottery"):doc.index("## 3. Points admission")]
    corrections, results, diff = _blocks_after(section, "### `review_diff.csv`")
    run = prepare_lottery(InputFile("schools.csv", SCHOOLS.encode()), InputFile("applicants.csv", APPLICANTS.encode()),
                          round2=True, corrections=InputFile("corrections.csv", corrections.encode()))
    files = get_kind("lottery").execute(run.config, run.roster, SEED)
    assert files["results.csv"].decode() == results
    assert files["review_diff.csv"].decode() == diff


def test_outputs_md_classes_review_lines_are_real_rows() -> None:
    doc = (DOCS / "outputs.md").read_text(encoding="utf-8")
    (block,) = _blocks_after(doc, "## Class placement `review_diff.csv`")
    samples = DOCS.parent / "samples" / "classes"
    run = prepare_classes(read_input_file(samples / "students.csv"), None, read_input_file(samples / "config.toml"),
                          read_input_file(samples / "corrections.csv"))
    real = get_kind("classes").execute(run.config, run.roster, bytes(range(32)))["review_diff.csv"].decode()
    assert block.splitlines()[0] == real.splitlines()[0]
    assert set(block.splitlines()) <= set(real.splitlines())
