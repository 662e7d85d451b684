"""Class placement is checkable from the public files alone (issue 11, §1).

``check_public`` below is a verifier written from docs/classes.md and docs/randomness.md
only: its HMAC streams, rejection sampling, Fisher–Yates, canonical order, draws, hard
rules and balance figures are re-implemented here and use nothing from ``engine``. Given
the public roster, the configuration, the seed and the public result files it recomputes
the class-number, head-teacher and extra-seat draws, every hard rule and every balance
figure. Only the formation itself (which students share a class) needs the engine.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import math
from collections.abc import Iterator, Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from api.inputs import read_input_file
from api.runs.classes import execute, prepare_classes

SEED = bytes.fromhex("5a" * 32)
KIND = "classes"


# --- docs/randomness.md, written out -------------------------------------------------------------------------

def _enc(text: str) -> bytes:
    raw = text.encode("utf-8")
    return len(raw).to_bytes(4, "big") + raw


def _item_digest(seed: bytes, purpose: str, key: list[str]) -> bytes:
    msg = _enc("sunshine/v1/item") + _enc(KIND) + _enc(purpose) + len(key).to_bytes(4, "big")
    return hmac.new(seed, msg + b"".join(_enc(k) for k in key), hashlib.sha256).digest()


def _words(seed: bytes, purpose: str, label: str) -> Iterator[int]:
    j = 0
    while True:
        msg = _enc("sunshine/v1/stream") + _enc(KIND) + _enc(purpose) + _enc(label) + j.to_bytes(8, "big")
        block = hmac.new(seed, msg, hashlib.sha256).digest()
        for q in range(4):
            yield int.from_bytes(block[8 * q:8 * q + 8], "big")
        j += 1


def _permute(seed: bytes, purpose: str, items: list[Any], label: str = "") -> list[Any]:
    a, words = list(items), _words(seed, purpose, label)
    for i in range(len(a) - 1, 0, -1):
        n = i + 1
        limit = 2**64 - 2**64 % n
        w = next(words)
        while w >= limit:
            w = next(words)
        j = w % n
        a[i], a[j] = a[j], a[i]
    return a


# --- docs/classes.md, written out -----------------------------------------------------------------------------

def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def _b(text: str) -> bytes:
    return text.encode("utf-8")


def _stats(values: list[int]) -> tuple[float, float]:
    """Mean and population SD in points from integer hundredths (exact fractions, one rounding each)."""
    n, s1, s2 = len(values), sum(values), sum(v * v for v in values)
    return float(Fraction(s1, n * 100)), math.sqrt(float(Fraction(n * s2 - s1 * s1, n * n * 10000)))


def check_public(config: Mapping[str, Any], roster: list[dict[str, Any]], seed: bytes,
                 files: Mapping[str, bytes]) -> list[str]:
    """Every discrepancy found between the public files and the documented rules (empty = all hold)."""
    bad: list[str] = []
    k, n = int(config["classes"]), len(roster)
    by_id = {r["id"]: r for r in roster}
    # formed_classes.csv: canonical form.
    formed_rows = _rows(files["formed_classes.csv"])
    if files["formed_classes.csv"].split(b"\n", 1)[0] != b"group,student_id":
        bad.append("formed_classes.csv header")
    group_of = {r["student_id"]: int(r["group"]) for r in formed_rows}
    members: dict[int, list[str]] = {}
    for r in formed_rows:
        members.setdefault(int(r["group"]), []).append(r["student_id"])
    if sorted(group_of) != sorted(by_id) or len(formed_rows) != n or sorted(members) != list(range(1, k + 1)):
        bad.append("formed_classes.csv does not list every student once in groups 1..K")
        return bad
    if [(int(r["group"]), _b(r["student_id"])) for r in formed_rows] != sorted(
            (int(r["group"]), _b(r["student_id"])) for r in formed_rows):
        bad.append("formed_classes.csv rows not sorted by (group, student_id)")
    smallest = [min(_b(s) for s in members[g]) for g in range(1, k + 1)]
    if smallest != sorted(smallest):
        bad.append("groups not in canonical order (smallest student id ascending)")
    # placement_public.csv: each class number is one formed group.
    label_of = {r["student_id"]: int(r["class"]) for r in _rows(files["placement_public.csv"])}
    group_label: dict[int, int] = {}
    for sid, g in group_of.items():
        if group_label.setdefault(g, label_of[sid]) != label_of[sid]:
            bad.append(f"formed group {g} is split over several class numbers")
    balance = json.loads(files["balance.json"])
    if {int(lab): int(g) for lab, g in balance["class_labels"].items()} != {v: g for g, v in group_label.items()}:
        bad.append("balance.json class_labels differ from the placement")
    size = {g: len(members[g]) for g in members}
    # Presets (a preset student's together group goes with them) and the class-number draw.
    unit_preset: dict[str, int] = {}
    for r in roster:
        if r["preset"] is not None:
            unit_preset[r["together"] or r["id"]] = int(r["preset"])
    pinned_group = {}
    for r in roster:
        p = unit_preset.get(r["together"] or r["id"])
        if p is not None:
            pinned_group[p] = group_of[r["id"]]
            if label_of[r["id"]] != p:
                bad.append(f"preset of {r['id']} broken")
    sizes_cfg = config["class_sizes"]
    free_numbers: dict[int, list[int]] = {}
    free_groups: dict[int, list[int]] = {}
    for q in range(1, k + 1):
        if q not in pinned_group:
            free_numbers.setdefault(int(sizes_cfg[q - 1]) if sizes_cfg else 0, []).append(q)
    for g in range(1, k + 1):
        if g not in pinned_group.values():
            free_groups.setdefault(size[g] if sizes_cfg else 0, []).append(g)
    for s, numbers in sorted(free_numbers.items()):
        drawn = _permute(seed, "class-labels", numbers, str(s) if sizes_cfg else "")
        for g, q in zip(free_groups.get(s, []), drawn, strict=False):
            if group_label[g] != q:
                bad.append(f"class-labels draw: group {g} should be class {q}, is {group_label[g]}")
    # Extra-seat draw (no configured sizes): preset classes' sizes and the number of larger free classes.
    if sizes_cfg:
        for q in range(1, k + 1):
            if size[next(g for g, lab in group_label.items() if lab == q)] != int(sizes_cfg[q - 1]):
                bad.append(f"class {q} does not have its configured size")
    else:
        base, extra = divmod(n, k)
        load = {q: 0 for q in range(1, k + 1)}
        for r in roster:
            p = unit_preset.get(r["together"] or r["id"])
            if p is not None:
                load[p] += 1
        order = _permute(seed, "extra-seat-classes", list(range(1, k + 1)))
        chosen = set(([q for q in order if load[q] > base] + [q for q in order if load[q] <= base])[:extra])
        for q, g in pinned_group.items():
            if size[g] != base + (q in chosen):
                bad.append(f"extra-seat draw: preset class {q} has size {size[g]}")
        larger_free = sum(1 for g in range(1, k + 1) if g not in pinned_group.values() and size[g] == base + 1)
        if larger_free != len(chosen - set(pinned_group)) or any(s not in (base, base + 1) for s in size.values()):
            bad.append("extra-seat draw: free class sizes")
    # Head-teacher draw: teachers by name (UTF-8 bytes), i-th drawn teacher leads formed group i.
    per_class = {int(r["class"]): r for r in _rows(files["classes.csv"])}
    teachers = sorted(config["head_teachers"], key=_b)
    if teachers:
        drawn = _permute(seed, "head-teachers", teachers)
        for g in range(1, k + 1):
            q = group_label[g]
            if per_class[q]["head_teacher"] != drawn[g - 1] or balance["head_teachers"].get(str(q)) != drawn[g - 1]:
                bad.append(f"head-teachers draw: class {q} (group {g}) should have {drawn[g - 1]}")
    for q, row in per_class.items():
        if int(row["group"]) != next(g for g, lab in group_label.items() if lab == q):
            bad.append(f"classes.csv: class {q} names the wrong group")
    # Hard rules.
    together: dict[str, set[int]] = {}
    apart: dict[str, list[tuple[int, str]]] = {}
    for r in roster:
        if r["together"]:
            together.setdefault(r["together"], set()).add(label_of[r["id"]])
        for a in r["apart"]:
            apart.setdefault("a:" + a, []).append((label_of[r["id"]], r["together"] or r["id"]))
        if r["homophone"] and config["homophones_apart"]:
            apart.setdefault("h:" + r["homophone"], []).append((label_of[r["id"]], r["together"] or r["id"]))
    bad += [f"together {t}" for t, cls in together.items() if len(cls) != 1]
    bad += [f"apart {a}" for a, m in apart.items() if len({c for c, _ in m}) != len(set(m))]
    # Count rules: boys, flags, bands, top/bottom-N; ranks by total, ties by the order among equals.
    total_name = config["score_names"][0]
    digest = {r["id"]: _item_digest(seed, "order-among-equals", [r["id"]]) for r in roster}
    ranked = sorted(roster, key=lambda r: (-int(r["scores"][total_name]), digest[r["id"]]))
    rank = {r["id"]: i for i, r in enumerate(ranked)}
    rules: dict[str, set[str]] = {"boys": {r["id"] for r in roster if r["gender"] == "M"}}
    for f in config["flag_names"]:
        rules[f] = {r["id"] for r in roster if r["flags"][f]}
    bands = int(config["bands"])
    if bands > 1:
        for b in range(bands):
            rules[f"band {b + 1}/{bands}"] = {sid for sid, i in rank.items() if i * bands // n == b}
    top = min(2 * k if config["top_n"] is None else int(config["top_n"]), n)
    bottom = min(2 * k if config["bottom_n"] is None else int(config["bottom_n"]), n)
    if top:
        rules[f"top {top}"] = {sid for sid, i in rank.items() if i < top}
    if bottom:
        rules[f"bottom {bottom}"] = {sid for sid, i in rank.items() if i >= n - bottom}
    for name, who in rules.items():
        counts = []
        for q in range(1, k + 1):
            in_q = [sid for sid in by_id if label_of[sid] == q]
            count = sum(1 for sid in in_q if sid in who)
            counts.append(count)
            if not len(who) * len(in_q) - n <= n * count <= len(who) * len(in_q) + n:
                bad.append(f"count {name} class {q}: {count}")
            if int(per_class[q][name]) != count:
                bad.append(f"classes.csv {name} class {q}")
        if balance["gaps"][name] != f"{max(counts) - min(counts):.4f}":
            bad.append(f"gap {name}")
    # Balance figures: mean and population SD per class, printed with four decimals; gaps max − min.
    for s in config["score_names"]:
        means, sds = [], []
        for q in range(1, k + 1):
            mean, sd = _stats([int(r["scores"][s]) for r in roster if label_of[r["id"]] == q])
            means.append(mean)
            sds.append(sd)
            if per_class[q][f"{s} mean"] != f"{mean:.4f}" or per_class[q][f"{s} sd"] != f"{sd:.4f}":
                bad.append(f"classes.csv {s} class {q}")
        if balance["gaps"][f"mean {s}"] != f"{max(means) - min(means):.4f}":
            bad.append(f"gap mean {s}")
        if balance["gaps"][f"sd {s}"] != f"{max(sds) - min(sds):.4f}":
            bad.append(f"gap sd {s}")
    return bad


# --- the cases ---------------------------------------------------------------------------------------------

def _inputs(tmp: Path, n: int, sized: bool) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    lines = ["学号,姓名,性别,语文,数学,住校,捆绑,分开,预设班级"]
    for i in range(n):
        together = "双胞胎1" if i in (7, 8) else ""
        apart = "分1" if i in (3, 14, 25) else ""
        preset = {5: "2", 8: "4"}.get(i, "")
        lines.append(f"2025{(i * 37) % 1000:04d},学生{i},{'男' if i % 3 else '女'},{60 + (i * 13) % 41},"
                     f"{55 + (i * 29) % 46}.5,{'是' if i % 4 == 0 else '否'},{together},{apart},{preset}")
    (tmp / "s.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    sizes = "class_sizes = [13, 12, 13, 12, 12]\n" if sized else ""
    (tmp / "c.toml").write_text(f'{sizes}head_teachers = ["王老师", "李老师", "张老师", "Amy", "赵老师"]\n'
                                "bands = 3\n", encoding="utf-8")
    run = prepare_classes(read_input_file(tmp / "s.csv"), 5, read_input_file(tmp / "c.toml"))
    return run.config, run.roster


@pytest.mark.parametrize("sized", [False, True])
def test_draws_rules_and_figures_recomputed_from_public_files(tmp_path: Path, sized: bool) -> None:
    config, roster = _inputs(tmp_path, 62, sized)
    files = execute(config, roster, SEED)
    assert check_public(config, roster, SEED, files) == []


def _relabel(files: Mapping[str, bytes], a: int, b: int) -> dict[str, bytes]:
    """Swap class numbers a and b consistently in every public file (what a forger would do)."""
    swap = {a: b, b: a}

    def lab(x: str) -> str:
        return str(swap.get(int(x), int(x)))

    out = dict(files)
    place = _rows(files["placement_public.csv"])
    out["placement_public.csv"] = ("student_id,class\n" + "".join(
        f"{r['student_id']},{lab(r['class'])}\n" for r in place)).encode()
    text = files["classes.csv"].decode()
    header, *body = text.splitlines()
    rows = sorted(([lab(line.split(",", 1)[0]), line.split(",", 1)[1]] for line in body), key=lambda r: int(r[0]))
    out["classes.csv"] = (header + "\n" + "".join(f"{q},{rest}\n" for q, rest in rows)).encode()
    bal = json.loads(files["balance.json"])
    bal["class_labels"] = {lab(q): g for q, g in bal["class_labels"].items()}
    bal["head_teachers"] = {lab(q): t for q, t in bal["head_teachers"].items()}
    for c in bal["checks"]:
        c["classes"] = [int(lab(str(x))) for x in c["classes"]]
    out["balance.json"] = (json.dumps(bal, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()
    return out


def test_consistent_relabelling_of_two_classes_is_detected(tmp_path: Path) -> None:
    config, roster = _inputs(tmp_path, 62, False)
    files = execute(config, roster, SEED)
    assert check_public(config, roster, SEED, files) == []
    # Classes 2 and 4 hold presets; 1, 3 and 5 are drawn. Relabel two drawn classes everywhere.
    forged = _relabel(files, 1, 3)
    assert forged != files
    problems = check_public(config, roster, SEED, forged)
    assert any(p.startswith("class-labels draw") for p in problems), problems
