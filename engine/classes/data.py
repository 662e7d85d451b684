"""Validated inputs of class placement: students, cohort and rules.

Scores are integer hundredths (``87.5`` → ``8750``) so every sum is exact and the
roster is float-free JSON. The first score column is always the total; when the input
has none, the caller computes it as the sum of the subjects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from engine.errors import ConfigError, EngineError

__all__ = ["DEFAULT_MAX_JUNIOR", "DEFAULT_MAX_PRIMARY", "LARGE_CLASS", "SUBJECT_WEIGHT", "TOTAL_WEIGHT",
           "TOTAL_WEIGHT_FACTOR", "Cohort", "PlacementRules", "Student"]

DEFAULT_MAX_PRIMARY = 45
DEFAULT_MAX_JUNIOR = 50
LARGE_CLASS = 56  # MoE 大班额 starts at 56
# Objective weights are integer percentages. The total counts TOTAL_WEIGHT_FACTOR times a subject:
# it sums every subject and is what parents compare first. A configured weight w becomes
# w · TOTAL_WEIGHT for the total and w · SUBJECT_WEIGHT for a subject.
TOTAL_WEIGHT_FACTOR = 4
SUBJECT_WEIGHT = 100
TOTAL_WEIGHT = TOTAL_WEIGHT_FACTOR * SUBJECT_WEIGHT

Gender = Literal["M", "F"]


@dataclass(frozen=True)
class Student:
    """One student as the engine sees it: no name, no ID number."""

    student_id: str
    gender: Gender
    scores: tuple[int, ...]
    flags: tuple[bool, ...] = ()
    together: str = ""
    apart: tuple[str, ...] = ()
    preset: int | None = None
    homophone: str = ""


@dataclass(frozen=True)
class Cohort:
    """All students of one placement, sorted by ``student_id`` (the canonical order)."""

    score_names: tuple[str, ...]
    flag_names: tuple[str, ...]
    students: tuple[Student, ...]

    def __post_init__(self) -> None:
        if not self.score_names:
            raise EngineError("至少需要一个成绩列", "at least one score column is required")
        ids = [s.student_id for s in self.students]
        if len(set(ids)) != len(ids):
            raise EngineError("学号重复", "duplicate student_id")
        for s in self.students:
            if len(s.scores) != len(self.score_names) or len(s.flags) != len(self.flag_names):
                raise EngineError(f"学生 {s.student_id} 的列数不符", f"student {s.student_id}: wrong number of values")
        ordered = tuple(sorted(self.students, key=lambda s: s.student_id.encode("utf-8")))
        object.__setattr__(self, "students", ordered)

    @property
    def size(self) -> int:
        return len(self.students)


@dataclass(frozen=True)
class PlacementRules:
    """Hard rules and tuning of one placement.

    ``class_sizes`` (when given) fixes each class's size by label; otherwise sizes are
    ``n // K`` or one more, the extra seats going to classes drawn by lot.
    ``weights`` are integer percentages per score name (missing → ``SUBJECT_WEIGHT``; the total →
    ``TOTAL_WEIGHT``, ``TOTAL_WEIGHT_FACTOR`` times a subject).
    """

    classes: int
    class_sizes: tuple[int, ...] | None = None
    max_class_size: int = DEFAULT_MAX_JUNIOR
    allow_large_classes: bool = False
    bands: int = 5
    top_n: int | None = None
    bottom_n: int | None = None
    homophones_apart: bool = True
    weights: dict[str, int] = field(default_factory=dict)
    variance_weight: int = 5
    head_teachers: tuple[str, ...] = ()
    search_passes: int = 400

    def __post_init__(self) -> None:
        if self.classes < 1:
            raise ConfigError("config", "classes", "班级数必须至少为 1", "the number of classes must be at least 1")
        if self.class_sizes is not None and len(self.class_sizes) != self.classes:
            raise ConfigError("config", "class_sizes", "班额个数必须等于班级数",
                              "class_sizes must list one size per class")
        if self.max_class_size >= LARGE_CLASS and not self.allow_large_classes:
            raise ConfigError(
                "config", "max_class_size",
                f"班额上限 {self.max_class_size} 属于大班额（56 人及以上），需设置 allow_large_classes = true",
                f"max_class_size {self.max_class_size} is a large class (56+); set allow_large_classes = true",
            )
        if self.head_teachers and len(self.head_teachers) != self.classes:
            raise ConfigError("config", "head_teachers", f"班主任人数必须等于班级数 {self.classes}",
                              f"head_teachers must list exactly {self.classes} teachers")
        if self.bands < 1:
            raise ConfigError("config", "bands", "分段数至少为 1", "bands must be at least 1")

    def top(self) -> int:
        return 2 * self.classes if self.top_n is None else self.top_n

    def bottom(self) -> int:
        return 2 * self.classes if self.bottom_n is None else self.bottom_n
