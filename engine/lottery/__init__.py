"""Zone lottery (多校划片 电脑随机派位): seeded numbers, DA / Boston / serial placement, round 2.

Spec: ``docs/lottery.md`` (placement rules) and ``docs/randomness.md`` §3.2 (lottery
numbers). The package is pure: it takes frozen dataclasses and numpy arrays and
returns result dataclasses; the edge (``api/runs/lottery.py``) does all I/O.
"""

from engine.lottery.data import Applicant, LotteryProblem, Market, Mechanism, School, build_market
from engine.lottery.numbers import draw_numbers, priority_ranks
from engine.lottery.rounds import LotteryResult, Reason, run_lottery

__all__ = [
    "Applicant",
    "LotteryProblem",
    "LotteryResult",
    "Market",
    "Mechanism",
    "Reason",
    "School",
    "build_market",
    "draw_numbers",
    "priority_ranks",
    "run_lottery",
]
