"""``sunshine classes``: balanced class placement (阳光编班) from a students table and a seed.

Writes ``placement.csv`` (with names), ``placement_public.csv``, ``formed_classes.csv``, ``classes.csv``,
``balance.json``, ``balance.md`` and ``chart.png`` atomically into ``--out``; with ``--batch DIR``
one such folder per students file of DIR (:mod:`api.classes_batch`). Bad input
exits with status 2 and a bilingual message naming file, row and column; ``--out`` is
left untouched.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated

import typer

from api.classes_batch import batch_files, batch_folder_files, place_batch, prepare_batch, summaries
from api.cli.app import app
from api.cli.common import (
    OUT_HELP,
    SEED_HELP,
    ensure_group,
    out_console,
    print_summary,
    progress,
    read_inputs,
    seed_bytes,
)
from api.distributed import compute_backend
from api.inputs import read_input_file
from api.runs import get_kind
from api.runs.classes import ColumnChoice, classes_columns
from api.runs.publish import publish_run
from api.store.result_folder import write_result_folder
from engine.errors import ConfigError

__all__ = ["classes", "print_columns"]

ensure_group(app)


def print_columns(choice: ColumnChoice) -> None:
    """Say which columns are balanced and which are left out, before placing (the clerk may override in the config)."""
    say = functools.partial(out_console.print, markup=False, highlight=False, soft_wrap=True)
    none = "（无）none"
    say(f"均衡的成绩列 balanced scores: {'、'.join(choice.scores) or none}")
    say(f"均衡的是/否列 balanced flags: {'、'.join(choice.flags) or none}")
    for header, zh, en in choice.ignored:
        say(f"不参与均衡 ignored: {header}（{zh}; {en}）")
    if choice.ignored:
        say("如需改变，请在配置文件中写 scores = [...] / flags = [...] "
            "(to change this, list the columns in the config: scores = [...], flags = [...])")


EPILOG = (
    "示例 Example:\n\n"
    "  sunshine classes --students students.csv --classes 10 --seed <64位十六进制> --out 编班结果/\n\n"
    "学生表必需列 students columns: 学号 student_id, 姓名 name, 性别 gender, 以及成绩列 and score columns "
    "（总分 或 各科，如 语文、数学）；可选 optional: 捆绑, 分开, 预设班级, 是/否 列 yes/no flags\n\n"
    "输出 outputs: placement.csv/.xlsx（含姓名 with names）, placement_public.csv, classes.csv, balance.json, "
    "balance.md, chart.png（--corrections: review_diff.csv）— docs/classes.md\n\n"
    "复核更正表 corrections columns: 学号, 更正项目（退出、性别、成绩列、是/否列）, 原值, 新值, 理由"
)


@app.command("classes", epilog=EPILOG)
def classes(
    seed: Annotated[str, typer.Option("--seed", help=SEED_HELP)],
    out: Annotated[Path, typer.Option("--out", help=OUT_HELP)],
    students: Annotated[Path | None, typer.Option("--students", help="学生表（CSV/XLSX） students table")] = None,
    n_classes: Annotated[int | None, typer.Option("--classes", help="班级数 number of classes")] = None,
    config: Annotated[Path | None, typer.Option(
        "--config", help="编班配置（TOML，可选） placement config (optional)")] = None,
    batch: Annotated[Path | None, typer.Option(
        "--batch", help="全市批量：每校一个学生表的文件夹 folder with one students file per school "
                        "(one folder each in --out)")] = None,
    workers: Annotated[int | None, typer.Option("--workers", help="--batch：本机 Dask 进程数 local Dask cluster "
                                                                  "of K processes")] = None,
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="--batch：已运行的 Dask 调度器 running Dask "
                                                                      "scheduler")] = None,
    corrections: Annotated[Path | None, typer.Option(
        "--corrections", help="复核更正表（原运行的种子与输入），已公布的班级不变，生成 review_diff.csv corrections "
                              "after review: the posted classes stand")] = None,
) -> None:
    """均衡编班：分班后由种子抽签定班号和班主任。 Balanced class placement; labels and head teachers drawn from SEED."""
    seed_raw = seed_bytes(seed)
    if (students is None) == (batch is None):
        raise ConfigError("--students/--batch", "students", "请给出 --students 或 --batch 之一",
                          "give exactly one of --students or --batch")
    if batch is not None:
        if corrections is not None:
            raise ConfigError("--corrections", "batch", "--corrections 只用于单校 --students",
                              "--corrections applies to one school's --students, not to --batch")
        with progress() as step:
            runs = step("读取并校验输入 reading inputs", lambda: prepare_batch(
                {p.stem: read_input_file(p) for p in batch_files(batch)},
                None if config is None else read_input_file(config), n_classes))
            with compute_backend(workers, scheduler) as backend:
                built = step(f"编班 placing every school ({backend.name})",
                             lambda: place_batch(runs, seed_raw, backend))
            files, run_id = batch_folder_files(built)
            step("写出结果 writing outputs", lambda: write_result_folder(out, files, run_id=run_id, kind="classes"))
        for i, (school, summary) in enumerate(summaries(built).items()):
            out_console.print(f"== {school}")
            print_summary(summary, practice=i == 0)
        out_console.print(f"结果 results: {out}/<学校 school>/placement.csv ({len(built)})")
        return
    assert students is not None
    if workers is not None or scheduler is not None:
        raise ConfigError("--workers/--scheduler", "batch", "--workers/--scheduler 只用于 --batch",
                          "--workers/--scheduler only apply to --batch")
    with progress() as step:
        inputs = read_inputs({"students": students, "config": config, "corrections": corrections})
        run = step("读取并校验输入 reading inputs", lambda: get_kind("classes").prepare(inputs, {"classes": n_classes}))
        print_columns(classes_columns(inputs["students"], inputs.get("config")))
        published = step("编班 placing", lambda: publish_run(run, seed_raw, out))
    print_summary(published.summary, practice=True)
    out_console.print(f"名单 class lists: {published.out / 'placement.csv'}")
