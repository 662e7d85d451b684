"""``sunshine keys|verify|replay|receipt|verify-receipt|verify-posted``: the audit commands (docs/bundle.md)."""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections.abc import Iterable, Iterator
from itertools import chain
from pathlib import Path
from typing import Annotated, Any

import typer

from api.audit_runs import gc_paused, load_bundle_files, load_signer, now_utc, write_key_file
from api.cli.app import app
from api.runs import RUN_KINDS, get_kind
from api.service.ceremony import rotate_key
from api.service.receipts import receipt_for
from api.store.directory import DirectoryRunStore
from audit.bundle import Bundle
from audit.errors import VerificationError
from audit.private_results import verify_posted
from audit.published import verify_out_folder
from audit.receipt import verify_receipt
from audit.results import is_rendering
from audit.signing import Checkpoint, Signer, Verifier, sign_rotation
from audit.step_line import StepLine
from audit.verdict import verdict
from audit.verify import Execute, VerifiedBundle, first_difference, verify_bundle
from engine.errors import InputError

__all__ = ["keys_app", "load_receipt"]

keys_app = typer.Typer(help="操作员签名密钥 operator signing keys", no_args_is_help=True)
app.add_typer(keys_app, name="keys")

KeyOpt = Annotated[
    Path | None, typer.Option("--key-file", help="私钥文件 private key file (default ~/.config/sunshine/operator.key)")
]
PinOpt = Annotated[
    list[str] | None, typer.Option("--key", help="信任的公钥（可重复） pinned verifier key name+id+base64 (repeatable)")
]

WitnessKeyOpt = Annotated[list[str] | None, typer.Option(
    "--witness-key", help="pinned witness public key (repeatable; every declared witness must be pinned)")]
FallbackOpt = Annotated[bool, typer.Option(
    "--allow-fallback", help="accept a run seeded from its declared fallback (claimed, not proven)")]


@keys_app.command("init")
def keys_init(
    key_file: KeyOpt = None,
    name: Annotated[str, typer.Option("--name", help="密钥名称（无空格） key name (no spaces)")] = "sunshine-operator",
    force: Annotated[bool, typer.Option("--force", help="覆盖已有密钥文件 overwrite an existing key file")] = False,
) -> None:
    """生成操作员密钥（权限 0600）并显示公钥。 Create an Ed25519 operator key (mode 0600); print the public key."""
    signer = Signer.generate(name)
    path = write_key_file(key_file, signer, overwrite=force)
    print(f"key file: {path}")
    print(f"public key: {signer.verifier.vkey}")
    print(f"fingerprint: SHA256:{signer.verifier.fingerprint}")


@keys_app.command("show")
def keys_show(key_file: KeyOpt = None) -> None:
    """显示密钥文件的公钥和指纹。 Print the public key and fingerprint of a key file."""
    v = load_signer(key_file).verifier
    print(f"public key: {v.vkey}")
    print(f"fingerprint: SHA256:{v.fingerprint}")


@keys_app.command("rotate")
def keys_rotate(
    new_key_file: Annotated[
        Path, typer.Option("--new-key-file", help="新私钥写入位置 where to write the new private key")
    ],
    key_file: KeyOpt = None,
    name: Annotated[
        str | None, typer.Option("--name", help="新密钥名称（默认沿用） name of the new key (default: old name)")
    ] = None,
    run: Annotated[
        Path | None, typer.Option("--run", help="记录轮换的仪式目录 ceremony run directory to log the rotation in")
    ] = None,
    time: Annotated[
        str | None, typer.Option("--time", help="ISO 8601 UTC 时间（默认当前） time (default: now)")
    ] = None,
) -> None:
    """轮换密钥：新旧密钥共同签署轮换声明。 Create a new key and a rotation statement signed by old and new key."""
    old = load_signer(key_file)
    new = Signer.generate(name or old.name)
    store = DirectoryRunStore(run) if run else None
    if store is not None:
        store.info()  # refuse a wrong --run before writing any key file
    path = write_key_file(new_key_file, new)
    if store is not None:
        note = rotate_key(store, old, new, "operator", time or now_utc())
    else:
        note = sign_rotation("sunshine/keys", old, new, Checkpoint("sunshine/keys", 0, hashlib.sha256(b"").digest()))
    print(f"new key file: {path}")
    print(f"public key: {new.verifier.vkey}")
    print(f"fingerprint: SHA256:{new.verifier.fingerprint}")
    print(note, end="")


def _pinned(keys: list[str] | None) -> list[Verifier] | None:
    return [Verifier.from_vkey(k) for k in keys] if keys else None


def _execute_for(kind: str) -> Execute | None:
    return RUN_KINDS[kind].execute if kind in RUN_KINDS else None


@app.command("verify")
def verify(
    bundle: Annotated[
        Path, typer.Argument(help="数据包目录、bundle.zip 或结果文件夹 bundle directory, bundle.zip or a result folder")
    ],
    key: PinOpt = None,
    witness_key: WitnessKeyOpt = None,
    allow_fallback: FallbackOpt = False,
) -> None:
    """验证数据包：逐步核验，全部通过且密钥已固定才返回 0。

    Verify a bundle: numbered steps, exit 0 only if every step holds and the keys were pinned."""
    with gc_paused():
        _verify(bundle, key, witness_key or [], allow_fallback)


def _out_folder_files(path: Path) -> dict[str, bytes] | None:
    """Every file of an ``--out`` folder outside its ``bundle/`` (relative posix path → bytes); None if not one."""
    if not (path.is_dir() and (path / "bundle" / "manifest.json").is_file()):
        return None
    return {rel: f.read_bytes() for f in sorted(path.rglob("*"))
            if f.is_file() and not (rel := f.relative_to(path).as_posix()).startswith("bundle/")}


def _verify(bundle: Path, key: list[str] | None, witness_key: list[str], allow_fallback: bool) -> None:
    files = load_bundle_files(bundle)
    b = Bundle.from_files(files)
    folder = _out_folder_files(bundle)
    print(f"核验 {b.kind} 数据包 {b.manifest['run_id']}{'（练习运行）' if b.practice else ''}"
          + (f"及 {bundle} 中的公开文件" if folder is not None else ""))
    print(f"Verifying {b.kind} bundle {b.manifest['run_id']}{' (PRACTICE)' if b.practice else ''}"
          + (f" and the published copies in {bundle}" if folder is not None else ""))
    execute = _execute_for(b.kind)
    pinned = _pinned(key)
    v = VerifiedBundle()
    steps = verify_bundle(b, trusted_keys=pinned, execute=execute, out=v)
    if folder is not None:  # an --out folder: step 11 proves the posted copies are the bundle's bytes
        steps = chain(steps, verify_out_folder(files, folder))
    try:
        _print_steps(steps)
    except VerificationError as exc:
        print(f"核验失败：步骤「{exc.step}」 VERIFICATION FAILED at step '{exc.step}'", file=sys.stderr)
        sys.exit(1)
    _print_verifier_page(v)
    if execute is None:
        print(f"未通过：本机没有 {b.kind} 引擎，结果未重算")
        print(f"NOT VERIFIED: no engine for kind {b.kind!r} is installed, so the results were not replayed")
        sys.exit(1)
    assert v.state is not None
    signers = pinned if pinned is not None else [Verifier.from_vkey(k) for k in b.keys.get("log_keys", [])]
    result = verdict(v.state, signers=signers, operator_pinned=pinned is not None,
                     witness_keys=[Verifier.from_vkey(k) for k in witness_key], allow_fallback=allow_fallback,
                     cosigners=v.cosigners)
    print(result.line)
    print(result.line_zh)
    if not result.ok:
        sys.exit(1)


@app.command("verify-posted")
def verify_posted_cmd(
    bundle: Annotated[Path, typer.Argument(
        help="数据包目录、bundle.zip 或结果文件夹 bundle directory, bundle.zip or a result folder")],
    posted: Annotated[Path, typer.Argument(
        help="学校张贴的名单（如 placement.csv） the posted list, e.g. placement.csv")],
    salt: Annotated[str, typer.Option(
        "--salt", help="随名单一起交给学校的盐值（64 位十六进制） the list's salt (64 hex), "
                       "from audit-private/private_salts.json")],
    name: Annotated[str | None, typer.Option(
        "--name", help="名单在运行中的文件名（默认：张贴文件的文件名） the file's name "
                       "in the run (default: the posted file's name)")] = None,
    key: PinOpt = None,
    witness_key: WitnessKeyOpt = None,
    allow_fallback: FallbackOpt = False,
) -> None:
    """核验学校张贴的名单（含姓名）是否就是本次运行承诺的名单：不一致返回 1。

    Check a posted class list (with names) against the salted hash the run signed: exit 1 if it differs."""
    if not re.fullmatch(r"[0-9a-f]{64}", salt):
        raise InputError("--salt", "盐值必须是 64 位小写十六进制数字（见 audit-private/private_salts.json）",
                         "the salt must be 64 lowercase hex digits (from audit-private/private_salts.json)")
    try:
        data = posted.read_bytes()
    except OSError as exc:
        raise InputError(str(posted), f"无法读取张贴的名单：{exc.strerror}",
                         f"cannot read the posted list: {exc}") from exc
    files = load_bundle_files(bundle)
    b = Bundle.from_files(files)
    print(f"核验 {b.kind} 运行 {b.manifest['run_id']} 张贴的名单 {posted.name}{'（练习运行）' if b.practice else ''}")
    print(f"Checking the posted list {posted.name} of {b.kind} run {b.manifest['run_id']}"
          + (" (PRACTICE)" if b.practice else ""))
    pinned = _pinned(key)
    v = VerifiedBundle()
    with gc_paused():  # the bundle first (no replay: the signed log fixes what was committed), then the list
        steps = chain(verify_bundle(b, trusted_keys=pinned, execute=None, out=v),
                      _posted_step(v, name or posted.name, bytes.fromhex(salt), data))
        try:
            _print_steps(steps)
        except VerificationError as exc:
            print(f"核验失败：步骤「{exc.step}」 VERIFICATION FAILED at step '{exc.step}'", file=sys.stderr)
            sys.exit(1)
    assert v.state is not None
    signers = pinned if pinned is not None else [Verifier.from_vkey(k) for k in b.keys.get("log_keys", [])]
    result = verdict(v.state, signers=signers, operator_pinned=pinned is not None,
                     witness_keys=[Verifier.from_vkey(k) for k in witness_key or []], allow_fallback=allow_fallback,
                     cosigners=v.cosigners)
    if not result.ok:
        print(result.line)
        print(result.line_zh)
        sys.exit(1)
    print(f"POSTED LIST VERIFIED: {posted.name} is the list run {b.manifest['run_id']} committed "
          + ("(practice run: not an official result)" if b.practice else result.line.split("; ", 1)[-1]))
    print(f"张贴名单已验证：{posted.name} 就是运行 {b.manifest['run_id']} 承诺的名单"
          + ("（练习运行，不是正式结果）" if b.practice else ""))


def _posted_step(v: VerifiedBundle, name: str, salt: bytes, data: bytes) -> Iterator[StepLine]:
    """The posted list's step, after the bundle's (``v`` holds the verified log state by then)."""
    assert v.state is not None
    yield verify_posted(v.state.private_results, name, salt, data)


@app.command("replay")
def replay_cmd(bundle: Annotated[Path, typer.Argument(help="数据包目录或 zip bundle directory or zip")]) -> None:
    """用数据包重算并对比结果（有差异返回 1）。 Re-run the engine on the bundle and print a diff (exit 1 if any)."""
    with gc_paused():
        _replay(bundle)


def _replay(bundle: Path) -> None:
    b = Bundle.from_files(load_bundle_files(bundle))
    v = VerifiedBundle()
    # run the steps up to the seed so the inputs are the committed ones
    for line in verify_bundle(b, trusted_keys=None, execute=None, out=v):
        if line.startswith("seed:"):
            break
    replayed = get_kind(b.kind).execute(v.config, [dict(r) for r in v.active_roster], v.seed, v.facts)
    results = b.results
    diffs = images = 0
    for name in sorted(set(replayed) | set(results)):
        if replayed.get(name) == results.get(name):
            print(f"same     {name}")
        elif is_rendering(name) and name in replayed and name in results:
            images += 1
            print(f"image    {name} (a rendering of the data files: bytes differ, not compared)")
        else:
            diffs += 1
            print(f"DIFFERS  {first_difference(name, replayed.get(name, b''), results.get(name, b''))}")
    if diffs:
        sys.exit(1)
    print("replay: identical" + (f" (data files; {images} image(s) rendered differently, not compared)"
                                 if images else ""))


@app.command("receipt")
def receipt(
    bundle: Annotated[
        Path, typer.Argument(help="数据包或结果文件夹（含盐值） bundle, or a result folder (then salts are included)")
    ],
    applicant_id: Annotated[str, typer.Argument(help="报名号 application number")],
    private: Annotated[Path | None, typer.Option("--private", help="audit-private/roster_private.json")] = None,
) -> None:
    """输出申请人回执（包含证明和结果）。 Print one applicant's receipt (inclusion proof + result) as JSON."""
    files = load_bundle_files(bundle)
    priv_path = private or (bundle / "audit-private" / "roster_private.json" if bundle.is_dir() else None)
    priv = None
    if priv_path is not None and priv_path.is_file():
        priv = json.loads(priv_path.read_text(encoding="utf-8")).get(applicant_id)
    with gc_paused():
        rec = receipt_for(files, applicant_id, priv)
    print(json.dumps(rec, ensure_ascii=False, indent=2, sort_keys=True))


def load_receipt(data: bytes, name: str) -> Any:
    """The JSON of a receipt file; not UTF-8, not JSON or nested past the parser's recursion limit
    (``[[[[…`` a hundred thousand deep) is a :class:`VerificationError` at step ``format``."""
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:  # not UTF-8, or not JSON, or hostile nesting
        raise VerificationError("format", name, "回执不是 JSON 文件",
                                f"not a JSON file: {type(exc).__name__}: {str(exc)[:200]}") from exc


@app.command("verify-receipt")
def verify_receipt_cmd(
    receipt_file: Annotated[Path, typer.Argument(help="回执 JSON 文件 receipt JSON")], key: PinOpt = None
) -> None:
    """单独验证回执，全部通过才返回 0。 Check a receipt on its own: numbered steps, exit 0 only if all hold."""
    try:
        rec = load_receipt(receipt_file.read_bytes(), str(receipt_file))
    except VerificationError as exc:
        _print_failure(1, exc)
        sys.exit(1)
    try:
        _print_steps(verify_receipt(rec, _pinned(key)))
    except VerificationError:
        sys.exit(1)
    practice = bool(rec.get("practice"))
    print(f"RECEIPT VERIFIED for {rec['applicant_id']}" + (" (practice run)" if practice else ""))
    print(f"回执已验证：{rec['applicant_id']}" + ("（练习运行，不是正式结果）" if practice else ""))


_INDENT = " " * 10  # under the text of a numbered line (" 1. ok    ")


def _print_verifier_page(v: VerifiedBundle) -> None:
    """The browser verifier page the run's signed ``run.publish`` names (docs/bundle.md), when it names one:
    its hash is what a parent compares with the ``verifier.html`` they were given."""
    published = v.log.find("run.publish")[-1][1] if v.log is not None and v.log.find("run.publish") else None
    page = published.get("verifier") if isinstance(published, dict) else None
    if not (isinstance(page, dict) and isinstance(page.get("sha256"), str) and isinstance(page.get("version"), str)):
        return
    print(f"本次运行的浏览器核验页面：sha256 {page['sha256']}（sunshine {page['version']}，"
          "可与 sunshine verifier 输出的哈希比对）")
    print(f"browser verifier for this run: sha256 {page['sha256']} (sunshine {page['version']}; "
          "compare with the hash sunshine verifier prints)")


def _print_steps(steps: Iterable[StepLine]) -> None:
    """Each step that holds as a numbered Chinese line with its English under it (as the rest of the
    command line prints Chinese first); the first failure printed the same way, then re-raised."""
    n = 0
    try:
        for n, line in enumerate(steps, 1):
            print(f"{n:2d}. ok    {line.zh}")
            print(f"{_INDENT}{line}")
    except VerificationError as exc:
        _print_failure(n + 1, exc)
        raise


def _print_failure(n: int, exc: VerificationError) -> None:
    print(f"{n:2d}. FAIL  {exc.message_zh}")
    print(f"{_INDENT}{exc.message_en}")
