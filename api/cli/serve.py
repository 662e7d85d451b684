"""``sunshine serve`` and ``sunshine users``: the placement-day service and who may use it (docs/service.md).

The web stack (FastAPI, uvicorn) is imported only when ``serve`` runs, so every other
``sunshine`` command starts as fast as before.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli.app import app
from api.service.users import add_user, list_users, revoke_user
from api.store.database import Database, sqlite_url

__all__ = ["users_app"]

DataOpt = Annotated[Path, typer.Option("--data", help="数据目录 data folder (key, embedded SQLite)")]
DatabaseOpt = Annotated[str | None, typer.Option("--database", help="数据库 URL, e.g. postgresql+psycopg://…")]

users_app = typer.Typer(help="服务用户与令牌 service users and their tokens", no_args_is_help=True)
app.add_typer(users_app, name="users")


@app.command("serve")
def serve_cmd(
    host: Annotated[str, typer.Option("--host", help="监听地址 address")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="端口 port")] = 8000,
    database: DatabaseOpt = None,
    data: DataOpt = Path("sunshine-data"),
    demo: Annotated[bool, typer.Option("--demo", help="载入样例（每种类型一个已发布的运行） load the samples")] = False,
    workers: Annotated[int, typer.Option("--workers", min=1, max=16, help="进程数 worker processes")] = 1,
    lookup_rate: Annotated[int, typer.Option("--lookup-rate", min=0, help="每客户端每分钟查询次数（0 不限） "
                                             "public lookups per client per minute (0: no limit)")] = 30,
    what_if_rate: Annotated[int, typer.Option("--what-if-rate", min=0, help="每客户端每分钟录取机会模拟次数（0 不限） "
                                              "public what-ifs per client per minute (0: no limit)")] = 6,
    fixed_time: Annotated[str | None, typer.Option("--fixed-time", help="演练：所有步骤记为此时间 rehearsal: stamp "
                                                   "every step with this UTC time")] = None,
) -> None:
    """启动派位日服务。 Start the placement-day service (FastAPI on uvicorn)."""
    from api.http.demo_day import load_demo
    from api.http.server import Settings, prepare_data, serve

    settings = Settings(str(data), prepare_data(data, database)[0], fixed_time, lookup_rate, what_if_rate)
    if demo:
        for line in load_demo(settings):
            print(line)
    print(f"Sunshine service on http://{host}:{port}/ (API http://{host}:{port}/api/v1, "
          f"OpenAPI http://{host}:{port}/openapi.json); data in {data}/", flush=True)
    serve(settings, host, port, workers)


def _database(data: Path, database: str | None) -> Database:
    if database is None:
        data.mkdir(parents=True, exist_ok=True, mode=0o700)
    return Database(database or sqlite_url(data / "sunshine.db"))


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="用户名（见证人：与其密钥名相同） user name")],
    role: Annotated[str, typer.Option("--role", help="operator | witness | auditor")],
    data: DataOpt = Path("sunshine-data"),
    database: DatabaseOpt = None,
) -> None:
    """添加用户并显示一次性令牌（最后一行）。 Add a user; prints the one-time token as the last line."""
    db = _database(data, database)
    try:
        token = add_user(db, name, role)
    finally:
        db.close()
    print(f"user {name} ({role}) added; the token is shown once, keep it safe:")
    print(token)


@users_app.command("list")
def users_list(data: DataOpt = Path("sunshine-data"), database: DatabaseOpt = None) -> None:
    """列出用户（不显示令牌）。 List users (tokens are never shown again)."""
    db = _database(data, database)
    try:
        for u in list_users(db):
            print(f"{u.name}\t{u.role}\t{'revoked' if u.revoked else 'active'}\t{u.created}"
                  f"{chr(9) + 'key ' + u.witness_key if u.witness_key else ''}")
    finally:
        db.close()


@users_app.command("revoke")
def users_revoke(name: Annotated[str, typer.Argument()], data: DataOpt = Path("sunshine-data"),
                 database: DatabaseOpt = None) -> None:
    """撤销用户令牌。 Revoke a user's token at once."""
    db = _database(data, database)
    try:
        revoke_user(db, name)
    finally:
        db.close()
    print(f"user {name} revoked")
