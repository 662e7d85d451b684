"""``sunshine ceremony init|freeze|withdraw|declare|commit|reveal|seed|execute|publish|status``.

Each command works on a run directory (``docs/ceremony.md``), is refused when the
ceremony is not in the right state, appends one signed log entry and prints the new
state. The operator key comes from ``--key-file`` (``sunshine keys init``).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Annotated, Any

import typer

from api.audit_runs import load_signer, now_utc
from api.ceremony import CeremonyDir
from api.cli.app import app
from api.runs import PreparedRun
from api.runs.publish import publish_run
from audit.ceremony import State, witness_commitment
from audit.errors import CeremonyError

__all__ = ["ceremony_app"]

ceremony_app = typer.Typer(help="公开派位仪式 public seed ceremony (RFC 3797 style)", no_args_is_help=True)
app.add_typer(ceremony_app, name="ceremony")

RunArg = Annotated[Path, typer.Argument(help="ceremony run directory")]
KeyOpt = Annotated[
    Path | None, typer.Option("--key-file", help="operator key (default ~/.config/sunshine/operator.key)")
]
ActorOpt = Annotated[str, typer.Option("--actor", help="who performs this step (recorded in the log)")]
TimeOpt = Annotated[str | None, typer.Option("--time", help="ISO 8601 UTC time to record (default: now)")]

_NEXT = {
    State.DRAFT: "freeze",
    State.ROSTER_FROZEN: "declare (or withdraw)",
    State.SOURCES_DECLARED: "commit (one per witness)",
    State.COMMITTED: "reveal (one per witness; forfeit for a witness who does not)",
    State.REVEALED: "seed --public-value …",
    State.SEEDED: "execute",
    State.EXECUTED: "publish --out …",
    State.PUBLISHED: "(done)",
}


def _done(d: CeremonyDir, what: str) -> None:
    st = d.state().state
    print(f"{what}\nstate: {st.value}; next: {_NEXT[st]}")


def _prepare(kind: str, args: dict[str, Any]) -> PreparedRun:
    module = importlib.import_module(f"api.runs.{kind}")
    prepare = getattr(module, f"prepare_{kind}", None)
    if prepare is None:
        raise CeremonyError(f"未知的运行类型 {kind}", f"unknown run kind {kind!r}")
    try:
        run: PreparedRun = prepare(**args)
    except TypeError as exc:
        raise CeremonyError(f"参数不符合 prepare_{kind}", f"arguments do not fit prepare_{kind}: {exc}") from exc
    return run


def _parse_arg(text: str) -> tuple[str, Any]:
    name, sep, value = text.partition("=")
    if not sep:
        raise CeremonyError(f"参数应写成 名称=值：{text}", f"--arg must be NAME=VALUE, got {text!r}")
    low = value.lower()
    return name, (True if low == "true" else False if low == "false" else value)


@ceremony_app.command("init")
def init(
    run_dir: RunArg,
    kind: Annotated[str, typer.Option("--kind", help="lottery | points | classes")],
    schools: Annotated[Path | None, typer.Option("--schools")] = None,
    applicants: Annotated[Path | None, typer.Option("--applicants")] = None,
    mechanism: Annotated[str, typer.Option("--mechanism", help="lottery: da | boston | serial")] = "da",
    round2: Annotated[bool, typer.Option("--round2", help="lottery: run round 2")] = False,
    rules: Annotated[Path | None, typer.Option("--rules", help="points: rule set")] = None,
    corrections: Annotated[Path | None, typer.Option("--corrections", help="points: corrections")] = None,
    second_pass: Annotated[bool, typer.Option("--second-pass", help="points: second pass")] = False,
    students: Annotated[Path | None, typer.Option("--students", help="classes: students table")] = None,
    n_classes: Annotated[int | None, typer.Option("--classes", help="classes: number of classes")] = None,
    config: Annotated[Path | None, typer.Option("--config", help="classes: placement config (TOML)")] = None,
    arg: Annotated[list[str] | None, typer.Option("--arg", help="NAME=VALUE passed to prepare_<kind>")] = None,
    force: Annotated[bool, typer.Option("--force", help="re-initialise a DRAFT run")] = False,
    key_file: KeyOpt = None,
    actor: ActorOpt = "operator",
    time: TimeOpt = None,
) -> None:
    """Create a run directory from the input files (state DRAFT)."""
    args: dict[str, Any] = dict(_parse_arg(a) for a in arg or [])
    if kind == "lottery" and schools and applicants:
        args.update(schools_path=schools, applicants_path=applicants, mechanism=mechanism, round2=round2)
    elif kind == "points" and rules and applicants and schools:
        args.update(rules=rules, applicants=applicants, schools=schools, corrections=corrections,
                    second_pass=second_pass)
    elif kind == "classes" and students:
        args.update(students_path=students, classes=n_classes, config_path=config)
    run = _prepare(kind, args)
    d = CeremonyDir(run_dir)
    run_id = d.init(run, load_signer(key_file), actor=actor, time=time or now_utc(), force=force)
    _done(d, f"run {run_id}: {len(run.roster)} records prepared")


@ceremony_app.command("freeze")
def freeze(run_dir: RunArg, key_file: KeyOpt = None, actor: ActorOpt = "operator", time: TimeOpt = None) -> None:
    """Commit to the roster (Merkle root) and config hash: ROSTER_FROZEN."""
    d = CeremonyDir(run_dir)
    root = d.freeze(load_signer(key_file), actor, time or now_utc())
    _done(d, f"roster root: {root}")


@ceremony_app.command("withdraw")
def withdraw(
    run_dir: RunArg,
    applicant_id: Annotated[str, typer.Argument(help="application number")],
    key_file: KeyOpt = None,
    actor: ActorOpt = "operator",
    time: TimeOpt = None,
) -> None:
    """Record a withdrawal after the freeze (the applicant stays committed, and is skipped)."""
    d = CeremonyDir(run_dir)
    d.withdraw(load_signer(key_file), actor, time or now_utc(), applicant_id)
    _done(d, f"withdrawn: {applicant_id}")


@ceremony_app.command("declare")
def declare(
    run_dir: RunArg,
    witness: Annotated[list[str], typer.Option("--witness", help="witness name (repeatable)")],
    public_source: Annotated[str, typer.Option("--public-source", help="future public value, e.g. a drand round")],
    fallback: Annotated[str, typer.Option("--fallback", help="source used if the public one fails")],
    key_file: KeyOpt = None,
    actor: ActorOpt = "operator",
    time: TimeOpt = None,
) -> None:
    """Declare the witnesses, the future public value and the fallback: SOURCES_DECLARED."""
    d = CeremonyDir(run_dir)
    d.append(load_signer(key_file), actor, time or now_utc(), "sources.declare",
             {"witnesses": list(witness), "public_source": public_source, "fallback": fallback})
    _done(d, f"declared {len(witness)} witness(es), source {public_source!r}, fallback {fallback!r}")


@ceremony_app.command("commit")
def commit(
    run_dir: RunArg,
    witness: Annotated[str, typer.Option("--witness")],
    commitment: Annotated[str | None, typer.Option("--commitment", help="hex H(value‖salt) from the witness")] = None,
    value: Annotated[str | None, typer.Option("--value", help="(convenience) compute the commitment here")] = None,
    salt: Annotated[str | None, typer.Option("--salt")] = None,
    key_file: KeyOpt = None,
    time: TimeOpt = None,
) -> None:
    """Record one witness's commitment; when all have committed: COMMITTED."""
    if commitment is None:
        if value is None or salt is None:
            raise CeremonyError("需要 --commitment，或 --value 和 --salt", "give --commitment, or --value and --salt")
        commitment = witness_commitment(value, salt)
    d = CeremonyDir(run_dir)
    d.append(load_signer(key_file), witness, time or now_utc(), "witness.commit",
             {"witness": witness, "commitment": commitment})
    _done(d, f"commitment of {witness}: {commitment}")


@ceremony_app.command("reveal")
def reveal(
    run_dir: RunArg,
    witness: Annotated[str, typer.Option("--witness")],
    value: Annotated[str, typer.Option("--value")],
    salt: Annotated[str, typer.Option("--salt")],
    key_file: KeyOpt = None,
    time: TimeOpt = None,
) -> None:
    """Record one witness's reveal (must match the commitment); when all revealed: REVEALED."""
    d = CeremonyDir(run_dir)
    d.append(load_signer(key_file), witness, time or now_utc(), "witness.reveal",
             {"witness": witness, "value": value, "salt": salt})
    _done(d, f"revealed: {witness}")


@ceremony_app.command("forfeit")
def forfeit(
    run_dir: RunArg,
    witness: Annotated[str, typer.Option("--witness")],
    key_file: KeyOpt = None,
    actor: ActorOpt = "operator",
    time: TimeOpt = None,
) -> None:
    """Record that a committed witness did not reveal (their contribution is left out, visibly)."""
    d = CeremonyDir(run_dir)
    d.append(load_signer(key_file), actor, time or now_utc(), "witness.forfeit", {"witness": witness})
    _done(d, f"forfeited: {witness}")


@ceremony_app.command("seed")
def seed(
    run_dir: RunArg,
    public_value: Annotated[str, typer.Option("--public-value", help="the declared public value, as published")],
    fallback: Annotated[bool, typer.Option("--fallback", help="the value comes from the declared fallback")] = False,
    key_file: KeyOpt = None,
    actor: ActorOpt = "operator",
    time: TimeOpt = None,
) -> None:
    """Derive the seed from roster root, config hash, reveals and the public value: SEEDED."""
    d = CeremonyDir(run_dir)
    s = d.seed(load_signer(key_file), actor, time or now_utc(), public_value, fallback=fallback)
    _done(d, f"seed: {s.hex()}")


@ceremony_app.command("execute")
def execute(run_dir: RunArg, key_file: KeyOpt = None, actor: ActorOpt = "operator", time: TimeOpt = None) -> None:
    """Run the engine on the committed roster (minus withdrawals) with the derived seed: EXECUTED."""
    d = CeremonyDir(run_dir)
    hashes = d.execute(load_signer(key_file), actor, time or now_utc())
    _done(d, "results: " + ", ".join(f"{n} {h[:12]}…" for n, h in hashes.items()))


@ceremony_app.command("publish")
def publish(
    run_dir: RunArg,
    out: Annotated[Path, typer.Option("--out", help="output directory (results + bundle)")],
    key_file: KeyOpt = None,
    actor: ActorOpt = "operator",
    time: TimeOpt = None,
) -> None:
    """Write results and the signed bundle into --out: PUBLISHED."""
    d = CeremonyDir(run_dir)
    st = d.state()
    if st.state is not State.EXECUTED or st.seed_record is None:
        raise CeremonyError(f"状态 {st.state.value} 下不能发布（需要 EXECUTED）",
                            f"cannot publish in state {st.state.value} (needs EXECUTED)")
    audit = d.audit_context(load_signer(key_file), actor, time or now_utc())
    published = publish_run(d.prepared(), bytes.fromhex(st.seed_record["seed"]), out, practice=False, audit=audit)
    d.record_publish(audit)
    print(published.summary)
    _done(d, f"bundle: {out / 'bundle.zip'}")


@ceremony_app.command("status")
def status(run_dir: RunArg) -> None:
    """Print the state, the log and the next step."""
    d = CeremonyDir(run_dir)
    info = d.info()
    log = d.log()
    st = d.state()
    print(f"run {info['run_id']} ({info['kind']}), origin {info['origin']}")
    for i, e in enumerate(log.entries):
        print(f"  {i:3d} {e.time or '-':20s} {e.actor:16s} {e.action}")
    print(f"state: {st.state.value}; next: {_NEXT[st.state]}")
    if st.withdrawals:
        print(f"withdrawals: {', '.join(st.withdrawals)}")
