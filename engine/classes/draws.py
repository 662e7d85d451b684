"""The public draws of class placement, keyed on the classes as formed (docs/classes.md, "Public draws").

Why a module of its own: the search works on internal *slots*, whose numbering is an
accident of the solver. Anything a parent or an auditor should be able to recompute must
not depend on it. So the classes as formed are put in a **canonical order** that anyone
can derive from the published formation alone: each formed class is named by its
smallest student id (UTF-8 bytes), and classes are listed by that id ascending. The
class-number draw (``class-labels``) and the head-teacher draw (``head-teachers``) are
keyed on that order; the extra-seat draw (``extra-seat-classes``, made before the
formation in :mod:`engine.classes.problem`) is keyed on class numbers. With these three
rules every draw can be checked from the public files (``formed_classes.csv``,
``classes.csv``, ``balance.json`` and the public roster) without running the optimizer.
"""

from __future__ import annotations

from engine.arrays import Int64Array
from engine.classes.problem import KIND, Problem
from engine.randomness import seeded_permutation

__all__ = ["canonical_slots", "draw_head_teachers", "draw_labels", "teacher_order"]


def canonical_slots(p: Problem, slot_of_student: Int64Array) -> tuple[int, ...]:
    """Slots in canonical order: by the smallest student id (UTF-8 bytes) each slot holds.

    Students are already in canonical (id byte) order, so a slot's smallest id is the id of
    its first student; every slot holds at least one student (``n ≥ K`` is a pre-check).
    """
    first: dict[int, int] = {}
    for i, c in enumerate(slot_of_student.tolist()):
        first.setdefault(int(c), i)
    return tuple(sorted(range(p.k), key=lambda c: first[c]))


def draw_labels(p: Problem, slot_of_student: Int64Array, seed: bytes) -> tuple[int, ...]:
    """Class number per slot: a preset class keeps its number; the free classes draw the free numbers.

    The free numbers (those no preset holds), ascending, are permuted by lot
    (``class-labels``, label ``""``), and the i-th free formed class in canonical order gets
    the i-th drawn number. With configured ``class_sizes`` the draw runs once per size
    (ascending, label = the size in decimal) among the free numbers of that size and the
    free formed classes of that size, so every number keeps the size the configuration gave it.
    """
    pinned = {int(c) for c in p.unit_fixed if c >= 0}
    labels = [c + 1 for c in range(p.k)]
    sized = p.rules.class_sizes is not None
    free_numbers: dict[int, list[int]] = {}
    free_classes: dict[int, list[int]] = {}
    for c in range(p.k):
        if c not in pinned:
            free_numbers.setdefault(int(p.sizes[c]) if sized else 0, []).append(c + 1)
    for c in canonical_slots(p, slot_of_student):
        if c not in pinned:
            free_classes.setdefault(int(p.sizes[c]) if sized else 0, []).append(c)
    for size, numbers in sorted(free_numbers.items()):
        drawn = seeded_permutation(seed, KIND, "class-labels", numbers, str(size) if sized else "")
        for c, number in zip(free_classes[size], drawn, strict=True):
            labels[c] = number
    return tuple(labels)


def teacher_order(teachers: tuple[str, ...]) -> list[str]:
    """The head teachers' canonical order: by name, UTF-8 bytes ascending (not the configuration's order)."""
    return sorted(teachers, key=lambda t: t.encode("utf-8"))


def draw_head_teachers(p: Problem, slot_of_student: Int64Array, labels: tuple[int, ...], seed: bytes
                       ) -> dict[int, str]:
    """Head teacher per class number: the teachers in canonical order, permuted by lot (``head-teachers``,
    label ``""``); the i-th drawn teacher leads the i-th formed class in canonical order (双随机 second draw)."""
    if not p.rules.head_teachers:
        return {}
    drawn = seeded_permutation(seed, KIND, "head-teachers", teacher_order(p.rules.head_teachers))
    return {labels[c]: t for c, t in zip(canonical_slots(p, slot_of_student), drawn, strict=True)}
