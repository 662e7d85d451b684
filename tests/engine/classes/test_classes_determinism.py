"""Same input + seed ⇒ byte-identical placement in another process (other hash seed) and for shuffled rows."""

from __future__ import annotations

import hashlib
import os
import random
import subprocess
import sys
from pathlib import Path

from engine.classes import Cohort, PlacementRules, Student, place_students

ROOT = Path(__file__).resolve().parents[3]


def make_case(i: int) -> tuple[Cohort, PlacementRules]:
    rnd = random.Random(i)
    k = rnd.randint(2, 5)
    n = rnd.randint(3 * k, 12 * k)
    students = []
    for j in range(n):
        a, b = rnd.randint(0, 300), rnd.randint(0, 300)
        students.append(Student(
            f"{rnd.randint(0, 10**6):07d}-{j}", rnd.choice("MF"), (50 * (a + b), 50 * a, 50 * b),  # type: ignore[arg-type]
            (rnd.random() < 0.3,), together=f"T{j // 2}" if j < 4 else "", apart=("A",) if 4 <= j < 4 + k else (),
        ))
    rnd.shuffle(students)
    return Cohort(("total", "a", "b"), ("flag",), tuple(students)), PlacementRules(classes=k, search_passes=30)


def digest(count: int = 12, shuffle: bool = False) -> str:
    h = hashlib.sha256()
    for i in range(count):
        cohort, rules = make_case(i)
        if shuffle:
            rows = list(cohort.students)
            random.Random(-i).shuffle(rows)
            cohort = Cohort(cohort.score_names, cohort.flag_names, tuple(rows))
        pl = place_students(cohort, rules, hashlib.sha256(str(i).encode()).digest())
        for j, s in enumerate(pl.problem.cohort.students):
            h.update(f"{s.student_id}:{pl.class_of(j)};".encode())
        h.update(repr(sorted(pl.head_teachers.items())).encode() + repr(pl.report.gaps).encode())
    return h.hexdigest()


def test_identical_across_processes_and_row_orders() -> None:
    here = digest()
    assert digest(shuffle=True) == here
    code = "import sys; sys.path.insert(0, sys.argv[1]); from test_classes_determinism import digest; print(digest())"
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(ROOT)}
    other = subprocess.run([sys.executable, "-c", code, str(Path(__file__).parent)], cwd=ROOT, env=env,
                           check=True, capture_output=True, text=True, timeout=300).stdout.strip()
    assert other == here
