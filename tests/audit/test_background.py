"""audit.background: the same results forked or inline; a failing job fails as it would inline."""

from __future__ import annotations

import hashlib

import pytest

from audit.background import Background

DATA = bytes(range(256)) * 4096  # shared copy-on-write with the child, never pickled


def _digest(n: int) -> str:
    return hashlib.sha256(DATA * n).hexdigest()


def _boom(arg: int) -> int:
    raise ValueError(f"bad {arg}")


@pytest.mark.parametrize("fork", [True, False])
def test_jobs_in_order(fork: bool) -> None:
    bg = Background([lambda _: len(DATA), _digest, lambda xs: sorted(xs)], fork=fork)
    bg.submit(None)
    bg.submit(3)
    assert bg.result() == len(DATA)
    bg.submit([3, 1, 2])
    assert bg.result() == _digest(3)
    assert bg.result() == [1, 2, 3]
    bg.close()


@pytest.mark.parametrize("fork", [True, False])
def test_a_failing_job_raises_in_the_caller_and_later_jobs_still_run(fork: bool) -> None:
    bg = Background([_boom, _digest], fork=fork)
    bg.submit(7)
    bg.submit(1)
    with pytest.raises(ValueError, match="bad 7"):
        bg.result()
    assert bg.result() == _digest(1)
    bg.close()


def test_close_while_the_child_is_busy() -> None:
    bg = Background([_digest], fork=True)
    bg.submit(200)  # long enough to still be running
    child = bg.child
    assert child is not None and child.is_alive()
    bg.close()
    assert not child.is_alive() and bg.child is None
    bg.close()  # idempotent
