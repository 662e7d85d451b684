"""A 复核 run inherits the reviewed run's seed, with proof (``seed.inherit``), and verify checks that proof.

The original is a zone lottery through the two-witness ceremony; the review is a run of the same
inputs plus a corrections file whose first note names the original. It freezes, inherits the seed
(no declaration, witnesses or beacon), executes and publishes; verify proves the seed is the one
the original's signed log derived. Each tamper case is a dishonest operator's re-signed bundle.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tamper_cases import INHERITED, resigned

from api.audit_runs import load_bundle_files
from api.inputs import InputFile
from api.runs.lottery import prepare_lottery
from api.service import ceremony as service
from audit.errors import CeremonyError
from audit.signing import Signer

SCHOOLS = InputFile("schools.csv", "学校代码,招生计划\nS1,1\nS2,2\n".encode())
APPLICANTS = InputFile("applicants.csv", "报名号,志愿\nA1,S1;S2\nA2,S1;S2\nA3,S1;S2\nA4,S1\n".encode())


def _fix(holder: str) -> InputFile:
    return InputFile("corrections.csv", f"报名号,更正项目,原值,新值,理由\n{holder},退出,,退出,家长放弃学位\n".encode())


def _results(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text("utf-8"))))


def _holder(tmp_path: Path) -> str:
    """Who holds the one S1 seat in the original's published results."""
    return next(r["applicant_id"] for r in _results(tmp_path / "parent-out" / "results.csv") if r["school_id"] == "S1")


@pytest.fixture
def original(tmp_path: Path, operator: Signer, run_ceremony: Any) -> Any:
    return run_ceremony(tmp_path / "parent", operator, prepare_lottery(SCHOOLS, APPLICANTS),
                        out=tmp_path / "parent-out")


def _review(tmp_path: Path, operator: Signer, kit: Any, parent: Any, *, until: str = "published",
            name: str = "review") -> Any:
    """The review of ``parent``: its S1 seat holder withdraws; driven to ``until`` (``frozen`` or published)."""
    run = prepare_lottery(SCHOOLS, APPLICANTS, corrections=_fix(_holder(tmp_path)))
    d = kit.Ceremony(tmp_path / name)
    d.init(run, operator, actor="operator", time=kit.T_INIT)
    step = service.Step(operator, "operator", kit.T_INIT)
    service.mark_review(d.store, step, parent.store.info().run_id, "家长申请复核")
    d.freeze(operator, "operator", kit.T_INIT)
    if until == "frozen":
        return d
    service.inherit_seed(d.store, step, parent.store)
    d.execute(operator, "operator", kit.T0)
    d.publish(operator, "operator", kit.T0, tmp_path / f"{name}-out")
    return d


def test_a_review_inherits_the_original_seed_and_verifies(tmp_path: Path, operator: Signer, kit: Any,
                                                          original: Any, verify_files: Any) -> None:
    review = _review(tmp_path, operator, kit, original)
    assert review.state().seed_record["seed"] == original.state().seed_record["seed"]
    files = load_bundle_files(tmp_path / "review-out")
    lines = verify_files(files, keys=[operator.verifier])
    seed_line = next(line for line in lines if line.startswith("seed:"))
    assert f"inherited from run {original.store.info().run_id}" in seed_line and "pinned key" in seed_line
    assert "NOT pinned" in next(line for line in verify_files(files) if line.startswith("seed:"))
    before = {r["applicant_id"]: r for r in _results(tmp_path / "parent-out" / "results.csv")}
    after = {r["applicant_id"]: r for r in _results(tmp_path / "review-out" / "results.csv")}
    numbered = {a: r["lottery_number"] for a, r in after.items() if r["lottery_number"]}
    assert len(numbered) >= len(before) - 1  # the withdrawn applicant may publish no number
    assert numbered == {a: before[a]["lottery_number"] for a in numbered}  # the original's numbers, kept
    diff = {r["applicant_id"]: r for r in _results(tmp_path / "review-out" / "review_diff.csv")}
    holder = _holder(tmp_path)
    assert diff[holder]["cause"] == "own"
    assert all(r["cause"] != "own" for a, r in diff.items() if a != holder)
    for a, r in before.items():  # whoever the diff does not name keeps the original placement
        if a not in diff:
            assert after[a]["school_id"] == r["school_id"]


@pytest.mark.parametrize("case", sorted(INHERITED), ids=sorted(INHERITED))
def test_a_tampered_inheritance_fails_verify(tmp_path: Path, operator: Signer, kit: Any, original: Any,
                                             verify_failure: Any, case: str) -> None:
    _review(tmp_path, operator, kit, original)
    step, edit = INHERITED[case]
    bad: dict[str, bytes] = edit(load_bundle_files(tmp_path / "review-out"), operator)
    failure = verify_failure(bad, keys=[operator.verifier])
    assert failure.step == step, failure.message_en


def _refused(fn: Callable[[], object], match: str) -> None:
    with pytest.raises(CeremonyError, match=match):
        fn()


def test_only_a_review_of_that_parent_inherits_and_only_by_inheriting(
        tmp_path: Path, operator: Signer, kit: Any, original: Any, run_ceremony: Any) -> None:
    step = service.Step(operator, "operator", kit.T_INIT)
    plain = kit.Ceremony(tmp_path / "plain")
    plain.init(prepare_lottery(SCHOOLS, APPLICANTS), operator, actor="operator", time=kit.T_INIT)
    plain.freeze(operator, "operator", kit.T_INIT)
    _refused(lambda: service.inherit_seed(plain.store, step, original.store), "is not a review of run")
    other = run_ceremony(tmp_path / "other", operator, prepare_lottery(SCHOOLS, APPLICANTS), out=tmp_path / "o-out")
    review = _review(tmp_path, operator, kit, original, until="frozen")
    _refused(lambda: service.inherit_seed(review.store, step, other.store), "is not a review of run")
    _refused(lambda: review.declare(operator), "inherits the seed of run")
    _refused(lambda: review.withdraw(operator, "operator", kit.T_INIT, "A2"), "withdraws through its corrections")
    _refused(lambda: service.mark_review(review.store, step, "0" * 16, "again"), "right after ceremony.init")
    size = review.store.log().size
    # a roster that is not the original's (one more applicant) cannot inherit
    more = InputFile("applicants.csv", APPLICANTS.data + b"A5,S2\n")
    grown = kit.Ceremony(tmp_path / "grown")
    grown.init(prepare_lottery(SCHOOLS, more), operator, actor="operator", time=kit.T_INIT)
    service.mark_review(grown.store, step, original.store.info().run_id, "x")
    grown.freeze(operator, "operator", kit.T_INIT)
    _refused(lambda: service.inherit_seed(grown.store, step, original.store), "public roster root")
    # another config (a different mechanism) cannot inherit either
    boston = kit.Ceremony(tmp_path / "boston")
    boston.init(prepare_lottery(SCHOOLS, APPLICANTS, mechanism="boston"), operator, actor="operator", time=kit.T_INIT)
    service.mark_review(boston.store, step, original.store.info().run_id, "x")
    boston.freeze(operator, "operator", kit.T_INIT)
    _refused(lambda: service.inherit_seed(boston.store, step, original.store), "without its corrections, differs")
    assert review.store.log().size == size  # every refusal appended nothing
    unpublished = run_ceremony(tmp_path / "unpub", operator, prepare_lottery(SCHOOLS, APPLICANTS), until="execute")
    early = kit.Ceremony(tmp_path / "early")
    early.init(prepare_lottery(SCHOOLS, APPLICANTS), operator, actor="operator", time=kit.T_INIT)
    service.mark_review(early.store, step, unpublished.store.info().run_id, "x")
    early.freeze(operator, "operator", kit.T_INIT)
    _refused(lambda: service.inherit_seed(early.store, step, unpublished.store), "is not published")


def test_the_replay_refuses_an_inheritance_from_another_run(tmp_path: Path, operator: Signer, kit: Any,
                                                            original: Any) -> None:
    """The state machine itself (not only the service step) ties the payload to review_of."""
    review = _review(tmp_path, operator, kit, original, until="frozen")
    from audit.inherit import inherit_payload

    payload = inherit_payload(original.store.log(), original.store.checkpoints()[-1], original.store.info().run_id)
    forged = {**payload, "parent_run_id": "f" * 16}
    _refused(lambda: review.append(operator, "operator", kit.T0, "seed.inherit", forged), "only the reviewed run")
    cp = json.loads(json.dumps(payload))
    cp["entry_index"] = payload["entry_index"] - 1
    _refused(lambda: review.append(operator, "operator", kit.T0, "seed.inherit", cp), "inclusion proof")


def test_tamper_helper_alone_fails_only_at_the_manifest(tmp_path: Path, operator: Signer, kit: Any, original: Any,
                                                        verify_failure: Any) -> None:
    """Re-signing with no edit passes every step up to the (unsigned-by-design) manifest: so each tamper case
    above fails at its step because of its own edit, not because of the re-signing."""
    _review(tmp_path, operator, kit, original)
    files = load_bundle_files(tmp_path / "review-out")
    assert verify_failure(resigned(files, operator, lambda a, p: p), keys=[operator.verifier]).step == "manifest"


def test_the_cli_reviews_and_inherits_through_the_same_step(tmp_path: Path, operator: Signer, kit: Any,
                                                             original: Any, sunshine: Any) -> None:
    """``ceremony init --review-of``, ``ceremony inherit``, execute, publish; ``sunshine verify`` says VERIFIED."""
    key = tmp_path / "op.key"
    key.write_text(operator.skey)
    (tmp_path / "schools.csv").write_bytes(SCHOOLS.data)
    (tmp_path / "applicants.csv").write_bytes(APPLICANTS.data)
    (tmp_path / "corrections.csv").write_bytes(_fix(_holder(tmp_path)).data)
    k = ("--key-file", key, "--time", kit.T0)
    review, parent = tmp_path / "cli-review", tmp_path / "parent"

    def ok(*args: Any) -> str:
        r = sunshine(*args)
        assert r.returncode == 0, r.stdout + r.stderr
        return str(r.stdout)

    refused = sunshine("ceremony", "init", review, "--kind", "lottery", "--schools", tmp_path / "schools.csv",
                       "--applicants", tmp_path / "applicants.csv", "--review-of", parent, *k)
    assert refused.returncode == 2 and "--reason" in refused.stderr
    assert "复核 of run" in ok("ceremony", "init", review, "--kind", "lottery", "--schools", tmp_path / "schools.csv",
                              "--applicants", tmp_path / "applicants.csv",
                              "--corrections", tmp_path / "corrections.csv",
                              "--review-of", parent, "--reason", "家长放弃学位", *k)
    ok("ceremony", "freeze", review, *k)
    assert "state: SEEDED" in ok("ceremony", "inherit", review, "--parent", parent, *k)
    ok("ceremony", "execute", review, *k)
    ok("ceremony", "publish", review, "--out", tmp_path / "cli-out", *k)
    out = ok("verify", tmp_path / "cli-out", "--key", operator.verifier.vkey)
    assert "VERIFIED: every step holds" in out and f"inherited from run {original.store.info().run_id}" in out
