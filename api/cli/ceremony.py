"""``sunshine ceremony init|freeze|withdraw|declare|commit|reveal|forfeit|seed|execute|publish|status``.

Each command works on a run directory (``docs/ceremony.md``) through the ceremony service
(:mod:`api.service.ceremony`) over a :class:`~api.store.directory.DirectoryRunStore`; a step
not allowed in the current state is refused and nothing is appended. The operator key comes
from ``--key-file`` (``sunshine keys init``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.audit_runs import load_signer, now_utc
from api.cli.app import app
from api.cli.common import prepare_from_paths, print_summary
from api.runs import get_kind
from api.runs.kind import OptionValue
from api.service import ceremony as service
from api.store.directory import DirectoryRunStore
from api.store.result_folder import write_result_folder
from audit.ceremony import witness_commitment
from audit.errors import CeremonyError
from audit.signing import Signer

__all__ = ["ceremony_app"]

ceremony_app = typer.Typer(help="公开派位仪式 public seed ceremony (RFC 3797 style)", no_args_is_help=True)
app.add_typer(ceremony_app, name="ceremony")

RunArg = Annotated[Path, typer.Argument(help="仪式运行目录 ceremony run directory")]
KeyOpt = Annotated[
    Path | None, typer.Option("--key-file", help="操作员密钥 operator key (default ~/.config/sunshine/operator.key)")
]
ActorOpt = Annotated[str, typer.Option("--actor", help="执行人（记入日志） who performs this step (logged)")]
TimeOpt = Annotated[
    str | None, typer.Option("--time", help="记录的 ISO 8601 UTC 时间（默认当前） time to record (default: now)")
]


def _step(key_file: Path | None, actor: str, time: str | None, signer: Signer | None = None) -> service.Step:
    return service.Step(signer or load_signer(key_file), actor, time or now_utc())


def _done(store: DirectoryRunStore, what: str) -> None:
    st = service.status(store)
    print(f"{what}\nstate: {st.state.state.value}; next: {st.next_step}")


def _parse_arg(text: str, types: dict[str, type]) -> tuple[str, OptionValue]:
    name, sep, value = text.partition("=")
    if not sep:
        raise CeremonyError(f"参数应写成 名称=值：{text}", f"--arg must be NAME=VALUE, got {text!r}")
    wanted = types.get(name, str)
    if wanted is bool:
        if value.lower() not in ("true", "false"):
            raise CeremonyError(f"{name} 应为 true 或 false", f"{name} must be true or false")
        return name, value.lower() == "true"
    if wanted is int:
        try:
            return name, int(value)
        except ValueError as exc:
            raise CeremonyError(f"{name} 应为整数", f"{name} must be a whole number") from exc
    return name, value


@ceremony_app.command("init")
def init(
    run_dir: RunArg,
    kind: Annotated[str, typer.Option("--kind", help="类型 kind: lottery | points | classes")],
    schools: Annotated[Path | None, typer.Option("--schools")] = None,
    applicants: Annotated[Path | None, typer.Option("--applicants")] = None,
    mechanism: Annotated[str, typer.Option("--mechanism", help="派位方式 lottery: da | boston | serial")] = "da",
    round2: Annotated[bool, typer.Option("--round2", help="二次派位 lottery: run round 2")] = False,
    rules: Annotated[Path | None, typer.Option("--rules", help="积分规则 points: rule set")] = None,
    corrections: Annotated[Path | None, typer.Option("--corrections", help="复核更正表 points: corrections")] = None,
    second_pass: Annotated[bool, typer.Option("--second-pass", help="二次排位 points: second pass")] = False,
    students: Annotated[Path | None, typer.Option("--students", help="学生表 classes: students table")] = None,
    n_classes: Annotated[int | None, typer.Option("--classes", help="班级数 classes: number of classes")] = None,
    config: Annotated[Path | None, typer.Option("--config", help="编班配置 classes: placement config (TOML)")] = None,
    arg: Annotated[
        list[str] | None, typer.Option("--arg", help="其他选项 名称=值 NAME=VALUE option of the kind")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="重新初始化草稿 re-initialise a DRAFT run")] = False,
    key_file: KeyOpt = None,
    actor: ActorOpt = "operator",
    time: TimeOpt = None,
) -> None:
    """由输入文件建立仪式目录（草稿）。 Create a run directory (DRAFT); --force replaces a DRAFT's inputs."""
    run_kind = get_kind(kind)
    given = {"schools": schools, "applicants": applicants, "rules": rules, "corrections": corrections,
             "students": students, "config": config}
    declared = {spec.key for spec in run_kind.inputs}
    for key, path in given.items():
        if path is not None and key not in declared:
            raise CeremonyError(f"--{key} 不是 {kind} 的输入", f"--{key} is not an input of kind {kind}")
    flags: dict[str, OptionValue] = {"mechanism": mechanism, "round2": round2, "second_pass": second_pass,
                                     "classes": n_classes}
    types = {spec.key: spec.type for spec in run_kind.options}
    options = {key: flags[key] for key in types if key in flags}
    options.update(_parse_arg(a, types) for a in arg or [])
    run = prepare_from_paths(kind, {key: given[key] for key in declared}, options)
    step = _step(key_file, actor, time)
    if force and (run_dir / "run.json").exists():
        store = DirectoryRunStore(run_dir)
        service.update_inputs(store, run, step)
        _done(store, f"run {store.info().run_id}: inputs replaced, {len(run.roster)} records prepared")
        return
    service.init_run(lambda new: DirectoryRunStore.create(run_dir, new), run, step)
    store = DirectoryRunStore(run_dir)
    _done(store, f"run {store.info().run_id}: {len(run.roster)} records prepared")


@ceremony_app.command("freeze")
def freeze(run_dir: RunArg, key_file: KeyOpt = None, actor: ActorOpt = "operator", time: TimeOpt = None) -> None:
    """冻结名单（Merkle 根）与配置。 Commit to the roster (Merkle root) and config hash: ROSTER_FROZEN."""
    store = DirectoryRunStore(run_dir)
    root = service.freeze(store, _step(key_file, actor, time))
    _done(store, f"roster root: {root}")


@ceremony_app.command("withdraw")
def withdraw(
    run_dir: RunArg,
    applicant_id: Annotated[str, typer.Argument(help="报名号 application number")],
    key_file: KeyOpt = None,
    actor: ActorOpt = "operator",
    time: TimeOpt = None,
) -> None:
    """记录冻结后的退出（仍在承诺中，不参与）。 Record a withdrawal after the freeze (stays committed, skipped)."""
    store = DirectoryRunStore(run_dir)
    service.withdraw(store, _step(key_file, actor, time), applicant_id)
    _done(store, f"withdrawn: {applicant_id}")


@ceremony_app.command("declare")
def declare(
    run_dir: RunArg,
    witness: Annotated[list[str], typer.Option("--witness", help="见证人（可重复） witness name (repeatable)")],
    public_source: Annotated[
        str, typer.Option("--public-source", help="未来公开随机值来源 future public value, e.g. a drand round")
    ],
    fallback: Annotated[str, typer.Option("--fallback", help="备用来源 source used if the public one fails")],
    key_file: KeyOpt = None,
    actor: ActorOpt = "operator",
    time: TimeOpt = None,
) -> None:
    """公布见证人、公开随机源和备用源。 Declare the witnesses, the public value and the fallback: SOURCES_DECLARED."""
    store = DirectoryRunStore(run_dir)
    service.declare(store, _step(key_file, actor, time), witness, public_source, fallback)
    _done(store, f"declared {len(witness)} witness(es), source {public_source!r}, fallback {fallback!r}")


@ceremony_app.command("commit")
def commit(
    run_dir: RunArg,
    witness: Annotated[str, typer.Option("--witness")],
    commitment: Annotated[
        str | None, typer.Option("--commitment", help="见证人的承诺值 hex H(value‖salt) from the witness")
    ] = None,
    value: Annotated[
        str | None, typer.Option("--value", help="（便捷）在此计算承诺 compute the commitment here")
    ] = None,
    salt: Annotated[str | None, typer.Option("--salt")] = None,
    key_file: KeyOpt = None,
    time: TimeOpt = None,
) -> None:
    """记录一位见证人的承诺。 Record one witness's commitment; when all have committed: COMMITTED."""
    if commitment is None:
        if value is None or salt is None:
            raise CeremonyError("需要 --commitment，或 --value 和 --salt", "give --commitment, or --value and --salt")
        commitment = witness_commitment(value, salt)
    store = DirectoryRunStore(run_dir)
    service.commit(store, _step(key_file, witness, time), witness, commitment)
    _done(store, f"commitment of {witness}: {commitment}")


@ceremony_app.command("reveal")
def reveal(
    run_dir: RunArg,
    witness: Annotated[str, typer.Option("--witness")],
    value: Annotated[str, typer.Option("--value")],
    salt: Annotated[str, typer.Option("--salt")],
    key_file: KeyOpt = None,
    time: TimeOpt = None,
) -> None:
    """记录见证人揭示的值（须与承诺一致）。 Record one witness's reveal (must match); when all revealed: REVEALED."""
    store = DirectoryRunStore(run_dir)
    service.reveal(store, _step(key_file, witness, time), witness, value, salt)
    _done(store, f"revealed: {witness}")


@ceremony_app.command("forfeit")
def forfeit(
    run_dir: RunArg,
    witness: Annotated[str, typer.Option("--witness")],
    key_file: KeyOpt = None,
    actor: ActorOpt = "operator",
    time: TimeOpt = None,
) -> None:
    """记录未揭示的见证人（公开地不计入）。 Record that a committed witness did not reveal (left out, visibly)."""
    store = DirectoryRunStore(run_dir)
    service.forfeit(store, _step(key_file, actor, time), witness)
    _done(store, f"forfeited: {witness}")


@ceremony_app.command("seed")
def seed(
    run_dir: RunArg,
    public_value: Annotated[
        str, typer.Option("--public-value", help="公布的公开随机值 the declared public value, as published")
    ],
    fallback: Annotated[
        bool, typer.Option("--fallback", help="该值来自备用源 the value comes from the declared fallback")
    ] = False,
    key_file: KeyOpt = None,
    actor: ActorOpt = "operator",
    time: TimeOpt = None,
) -> None:
    """由名单根、配置、揭示值与公开值推导种子。 Derive the seed: SEEDED."""
    store = DirectoryRunStore(run_dir)
    derived = service.seed(store, _step(key_file, actor, time), public_value, fallback=fallback)
    _done(store, f"seed: {derived.hex()}")


@ceremony_app.command("execute")
def execute(run_dir: RunArg, key_file: KeyOpt = None, actor: ActorOpt = "operator", time: TimeOpt = None) -> None:
    """用推导的种子对承诺名单运行引擎。 Run the engine on the committed roster with the derived seed: EXECUTED."""
    store = DirectoryRunStore(run_dir)
    hashes = service.execute(store, _step(key_file, actor, time))
    _done(store, "results: " + ", ".join(f"{n} {h[:12]}…" for n, h in hashes.items()))


@ceremony_app.command("publish")
def publish(
    run_dir: RunArg,
    out: Annotated[Path, typer.Option("--out", help="结果文件夹（结果与数据包） result folder (results + bundle)")],
    key_file: KeyOpt = None,
    actor: ActorOpt = "operator",
    time: TimeOpt = None,
) -> None:
    """将结果与签名数据包写入 --out。 Write results and the signed bundle into --out: PUBLISHED."""
    store = DirectoryRunStore(run_dir)
    publication = service.publish(store, _step(key_file, actor, time))
    target = write_result_folder(out, publication.files(), run_id=publication.run_id, kind=publication.kind)
    print_summary(publication.summary, practice=False)
    _done(store, f"bundle: {target / 'bundle.zip'}")


@ceremony_app.command("status")
def status(run_dir: RunArg) -> None:
    """显示状态、日志和下一步。 Print the state, the log and the next step."""
    st = service.status(DirectoryRunStore(run_dir))
    print(f"run {st.info.run_id} ({st.info.kind}), origin {st.info.origin}")
    for i, e in enumerate(st.log.entries):
        print(f"  {i:3d} {e.time or '-':20s} {e.actor:16s} {e.action}")
    print(f"state: {st.state.state.value}; next: {st.next_step}")
    if st.state.withdrawals:
        print(f"withdrawals: {', '.join(st.state.withdrawals)}")
