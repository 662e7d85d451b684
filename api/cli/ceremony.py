"""``sunshine ceremony init|freeze|withdraw|declare|commit|reveal|forfeit|seed|inherit|execute|publish|status``.

Each command works on a run directory (``docs/ceremony.md``) through the ceremony service
(:mod:`api.service.ceremony`) over a :class:`~api.store.directory.DirectoryRunStore`; a step
not allowed in the current state is refused and nothing is appended. The operator key comes
from ``--key-file`` (``sunshine keys init``).
"""

from __future__ import annotations

import json
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
from audit.beacon import MAINNET, QUICKNET, DrandChain, first_round_after
from audit.ceremony import State, parse_time, witness_commitment
from audit.errors import CeremonyError
from audit.signing import Signer, Verifier
from audit.witness import cosign as make_cosignature

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
    corrections: Annotated[Path | None, typer.Option("--corrections", help="复核更正表 corrections (复核)")] = None,
    second_pass: Annotated[bool, typer.Option("--second-pass", help="二次排位 points: second pass")] = False,
    students: Annotated[Path | None, typer.Option("--students", help="学生表 classes: students table")] = None,
    n_classes: Annotated[int | None, typer.Option("--classes", help="班级数 classes: number of classes")] = None,
    config: Annotated[Path | None, typer.Option("--config", help="编班配置 classes: placement config (TOML)")] = None,
    arg: Annotated[
        list[str] | None, typer.Option("--arg", help="其他选项 名称=值 NAME=VALUE option of the kind")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="重新初始化草稿 re-initialise a DRAFT run")] = False,
    review_of: Annotated[Path | None, typer.Option(
        "--review-of", help="复核：被复核的已发布运行目录 a 复核 run of this published run directory")] = None,
    reason: Annotated[str, typer.Option("--reason", help="复核原因（记入日志） why the run is reviewed")] = "",
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
    if review_of is not None and (force or not reason.strip()):
        raise CeremonyError("--review-of 需要 --reason，且不能与 --force 同用",
                            "--review-of needs --reason, and cannot be combined with --force")
    if force and (run_dir / "run.json").exists():
        store = DirectoryRunStore(run_dir)
        service.update_inputs(store, run, step)
        _done(store, f"run {store.info().run_id}: inputs replaced, {len(run.roster)} records prepared")
        return
    parent = None if review_of is None else DirectoryRunStore(review_of).info()
    if parent is not None and parent.kind != kind:
        raise CeremonyError(f"复核运行的类型必须与原运行相同（{parent.kind}）",
                            f"a 复核 run has the original's kind ({parent.kind})")
    service.init_run(lambda new: DirectoryRunStore.create(run_dir, new), run, step)
    store = DirectoryRunStore(run_dir)
    if parent is not None:
        service.mark_review(store, step, parent.run_id, reason.strip())
    _done(store, f"run {store.info().run_id}: {len(run.roster)} records prepared"
                 + (f"; 复核 of run {parent.run_id}" if parent is not None else ""))


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


def _chain(public_source: str) -> tuple[DrandChain, int | None]:
    """``drand:quicknet``, ``drand:mainnet`` or ``drand:<name>:<round>`` → (chain, round or None)."""
    parts = public_source.split(":")
    if len(parts) not in (2, 3) or parts[0] != "drand" or parts[1] not in _CHAINS:
        raise CeremonyError(
            "公开随机源须为 drand:quicknet 或 drand:mainnet（可加 :轮次），自由文本不能被证明",
            "--public-source must be drand:quicknet or drand:mainnet (optionally :ROUND); free text cannot be proven")
    if len(parts) == 3 and not parts[2].isdigit():
        raise CeremonyError("轮次应为整数", "the round must be a whole number")
    return _CHAINS[parts[1]], int(parts[2]) if len(parts) == 3 else None


_CHAINS = {"quicknet": QUICKNET, "mainnet": MAINNET}


def _witness_arg(text: str) -> tuple[str, Verifier]:
    name, sep, vkey = text.partition("=")
    if not sep:
        raise CeremonyError(f"--witness 应写成 名称=公钥：{text}", f"--witness must be NAME=PUBLIC_KEY, got {text!r}")
    return name, Verifier.from_vkey(vkey)


@ceremony_app.command("declare")
def declare(
    run_dir: RunArg,
    witness: Annotated[list[str], typer.Option("--witness", help="见证人 NAME=PUBLIC_KEY (repeatable; key from "
                                                                  "`sunshine keys init --name …` run by the witness)")],
    reveal_deadline: Annotated[str, typer.Option("--reveal-deadline", help="揭示截止 UTC, e.g. 2026-06-01T10:00:00Z")],
    public_source: Annotated[str, typer.Option("--public-source", help="drand:quicknet | drand:mainnet [:ROUND]; "
                                                                        "default round: the first after the deadline")
                             ] = "drand:quicknet",
    fallback: Annotated[str | None, typer.Option("--fallback", help="备用来源 description of the fallback")] = None,
    fallback_rule: Annotated[str | None, typer.Option("--fallback-rule", help="when the fallback may be used")] = None,
    key_file: KeyOpt = None,
    actor: ActorOpt = "operator",
    time: TimeOpt = None,
) -> None:
    """Declare the witnesses with their keys, the reveal deadline, the drand round and a fallback: SOURCES_DECLARED."""
    chain, beacon_round = _chain(public_source)
    if beacon_round is None:
        beacon_round = first_round_after(chain, parse_time(reveal_deadline))
    if (fallback is None) != (fallback_rule is None):
        raise CeremonyError("--fallback 与 --fallback-rule 须同时给出",
                            "give both --fallback and --fallback-rule, or neither")
    store = DirectoryRunStore(run_dir)
    service.declare(store, _step(key_file, actor, time), [_witness_arg(w) for w in witness],
                    reveal_deadline=reveal_deadline, chain=chain, beacon_round=beacon_round,
                    fallback=None if fallback is None or fallback_rule is None
                    else {"description": fallback, "rule": fallback_rule})
    _done(store, f"declared {len(witness)} witness(es); drand {public_source.split(':')[1]} round {beacon_round}")


WitnessOpt = Annotated[str, typer.Option("--witness", help="见证人名称 witness name as declared")]
WitnessKeyOpt = Annotated[Path | None, typer.Option("--witness-key-file",
                                                    help="the witness's own key (the witness at this keyboard)")]
StatementOpt = Annotated[Path | None, typer.Option("--statement", help="a statement the witness signed elsewhere")]


def _witness_step(run_dir: Path, witness: str, witness_key_file: Path | None, statement: Path | None,
                  action: str, fields: dict[str, str], key_file: Path | None, time: str | None) -> None:
    store = DirectoryRunStore(run_dir)
    step = _step(key_file, witness, time)
    if statement is not None:
        text = statement.read_text(encoding="utf-8")
        {"commit": service.commit, "reveal": service.reveal, "forfeit": service.forfeit}[action](
            store, step, witness, text)
    elif witness_key_file is not None:
        who = service.WitnessKey(witness, load_signer(witness_key_file))
        service.witness_act(store, step, who, action, fields, parse_time(str(step.time)))
    else:
        raise CeremonyError("需要 --witness-key-file 或 --statement（见证人须亲自签名）",
                            "give --witness-key-file or --statement (a witness signs their own acts)")
    _done(store, f"{action}: {witness}")


@ceremony_app.command("cosign")
def cosign(
    run_dir: RunArg,
    witness: WitnessOpt,
    witness_key_file: WitnessKeyOpt = None,
    size: Annotated[int | None, typer.Option("--size", help="log size to cosign (default: the checkpoint the next "
                                                             "witness step needs, else the latest)")] = None,
    cosignature: Annotated[str | None, typer.Option("--cosignature", help="a cosignature line made elsewhere")] = None,
    key_file: KeyOpt = None,
    time: TimeOpt = None,
) -> None:
    """Record a witness's C2SP cosignature on a checkpoint of this run (the witness's own key)."""
    store = DirectoryRunStore(run_dir)
    step = _step(key_file, witness, time)
    log = store.log()
    state = service.status(store).state.state
    if size is not None:
        n = size
    elif state is State.SOURCES_DECLARED:
        n = service.witness_checkpoint(store, "commit").size
    elif state is State.COMMITTED:
        n = service.witness_checkpoint(store, "reveal").size
    else:
        n = log.size
    if cosignature is None:
        if witness_key_file is None:
            raise CeremonyError("需要 --witness-key-file 或 --cosignature", "give --witness-key-file or --cosignature")
        cosignature = make_cosignature(load_signer(witness_key_file), log.checkpoint(store.info().origin, n),
                                       parse_time(str(step.time)))
    service.cosign(store, step, witness, n, cosignature)
    _done(store, f"cosigned by {witness}: checkpoint {n}")


@ceremony_app.command("commit")
def commit(
    run_dir: RunArg,
    witness: WitnessOpt,
    witness_key_file: WitnessKeyOpt = None,
    statement: StatementOpt = None,
    commitment: Annotated[str | None, typer.Option("--commitment", help="hex H(value‖salt) by the witness")] = None,
    value: Annotated[str | None, typer.Option("--value", help="(convenience) compute the commitment here")] = None,
    salt: Annotated[str | None, typer.Option("--salt")] = None,
    key_file: KeyOpt = None,
    time: TimeOpt = None,
) -> None:
    """A witness commits (signed by the witness; cosigns the declaration first): COMMITTED after the last."""
    if commitment is None and statement is None:
        if value is None or salt is None:
            raise CeremonyError("需要 --commitment，或 --value 和 --salt", "give --commitment, or --value and --salt")
        commitment = witness_commitment(value, salt)
    _witness_step(run_dir, witness, witness_key_file, statement, "commit", {"commitment": commitment or ""},
                  key_file, time)


@ceremony_app.command("reveal")
def reveal(
    run_dir: RunArg,
    witness: WitnessOpt,
    witness_key_file: WitnessKeyOpt = None,
    statement: StatementOpt = None,
    value: Annotated[str | None, typer.Option("--value")] = None,
    salt: Annotated[str | None, typer.Option("--salt")] = None,
    key_file: KeyOpt = None,
    time: TimeOpt = None,
) -> None:
    """A witness reveals (signed; must match the commitment; after all cosigned COMMITTED): REVEALED after the last."""
    if statement is None and (value is None or salt is None):
        raise CeremonyError("需要 --value 和 --salt", "give --value and --salt")
    _witness_step(run_dir, witness, witness_key_file, statement, "reveal", {"value": value or "", "salt": salt or ""},
                  key_file, time)


@ceremony_app.command("forfeit")
def forfeit(
    run_dir: RunArg,
    witness: WitnessOpt,
    witness_key_file: WitnessKeyOpt = None,
    statement: StatementOpt = None,
    key_file: KeyOpt = None,
    time: TimeOpt = None,
) -> None:
    """A witness declares, signed by themselves, that they will not reveal (left out of the seed, visibly)."""
    _witness_step(run_dir, witness, witness_key_file, statement, "forfeit", {}, key_file, time)


@ceremony_app.command("seed")
def seed(
    run_dir: RunArg,
    beacon: Annotated[Path | None, typer.Option("--beacon", help="drand JSON of the declared round "
                                                                  "(round, signature[, previous_signature])")] = None,
    public_value: Annotated[str | None, typer.Option("--public-value", help="with --fallback: the fallback's value")
                            ] = None,
    fallback: Annotated[bool, typer.Option("--fallback", help="use the declared fallback (verify reports it as "
                                                               "claimed, not proven)")] = False,
    key_file: KeyOpt = None,
    actor: ActorOpt = "operator",
    time: TimeOpt = None,
) -> None:
    """Derive the seed from the public roster root, config, reveals and the verified drand beacon: SEEDED."""
    store = DirectoryRunStore(run_dir)
    step = _step(key_file, actor, time)
    if fallback:
        if public_value is None:
            raise CeremonyError("--fallback 需要 --public-value", "--fallback needs --public-value")
        derived = service.seed_fallback(store, step, public_value)
    elif beacon is not None:
        try:
            record = json.loads(beacon.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CeremonyError(f"无法读取信标文件 {beacon}", f"cannot read the beacon file {beacon}: {exc}") from exc
        derived = service.seed(store, step, record)
    else:
        raise CeremonyError("需要 --beacon（drand 信标 JSON），或 --fallback --public-value",
                            "give --beacon (the drand beacon JSON), or --fallback --public-value")
    _done(store, f"seed: {derived.hex()}")


@ceremony_app.command("inherit")
def inherit(
    run_dir: RunArg,
    parent: Annotated[Path, typer.Option("--parent", help="被复核的已发布运行目录 the reviewed, published run")],
    key_file: KeyOpt = None,
    actor: ActorOpt = "operator",
    time: TimeOpt = None,
) -> None:
    """复核运行继承原运行的种子（附证明）。 A 复核 run takes its original's seed, with proof: SEEDED."""
    store = DirectoryRunStore(run_dir)
    inherited = service.inherit_seed(store, _step(key_file, actor, time), DirectoryRunStore(parent))
    _done(store, f"seed inherited from run {DirectoryRunStore(parent).info().run_id}: {inherited.hex()}")


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
