"""Command line: ``python -m live <command>``. Run with --help for each command's help."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from live.clock import SystemClock
from live.errors import DomainError
from live.events import EventBus
from live.services.accounts import Accounts
from live.services.places import Places
from live.services.throttle import MemoryFailureCounter
from live.services.words import WordList
from live.settings import SettingError, Settings
from live.storage.db import Database
from live.storage.migrate import upgrade


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m live",
        description="Roundtable: community livestream and consultation platform. "
        "Settings come from the environment (DATABASE_URL, REDIS_URL, PORT, LIVE_DATA_DIR, "
        "LIVE_SECRET; see docs/configuration.md).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="serve HTTP and Socket.IO (applies pending migrations first)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port (default $PORT or 8080)")

    users = sub.add_parser("users", help="manage accounts").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    add_user = users.add_parser("add", help="create a user")
    add_user.add_argument("name", help="username: lowercase letters, digits, - _ .")
    add_user.add_argument(
        "--role",
        required=True,
        choices=["resident", "party", "moderator", "host", "admin"],
        help="moderators and hosts need --community; party accounts need --party",
    )
    add_user.add_argument("--party", type=int, help="for --role party: the id of the responsible party")
    add_user.add_argument("--community", help="the slug of the community they belong to")
    add_user.add_argument("--display-name", help="name shown in chat (default: the username)")
    add_user.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input instead of prompting",
    )
    users.add_parser("list", help="list users")

    communities = sub.add_parser("communities", help="manage communities").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    add_community = communities.add_parser("add", help="create a community")
    add_community.add_argument("slug", help="short id used in URLs, e.g. hexie")
    add_community.add_argument("--name", required=True, help="display name, e.g. 和谐社区")
    communities.add_parser("list", help="list communities")

    words = sub.add_parser(
        "words", help="the word list: chat messages containing a listed word are held for review"
    ).add_subparsers(dest="action", required=True, metavar="ACTION")
    words.add_parser("add", help="add words").add_argument("words", nargs="+")
    words.add_parser("remove", help="remove words").add_argument("words", nargs="+")
    words.add_parser("list", help="print the word list")

    demo = sub.add_parser("demo", help="seed the demo subdistrict, accounts and sessions (idempotent)")
    demo.add_argument(
        "--years", type=int, default=0, help="also seed N years of history in bulk (e.g. 5; idempotent)"
    )
    demo.add_argument("--messages", type=int, default=300_000, help="with --years: chat messages in all")
    demo.add_argument("--opinions", type=int, default=50_000, help="with --years: opinions in all")
    jobs = sub.add_parser("jobs", help="scheduled jobs").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    run_jobs = jobs.add_parser(
        "run",
        help="run the scheduled jobs once (time limits: due soon, overdue, escalation; meeting"
        " reminders the day before), then exit",
    )
    run_jobs.add_argument("--now", help="judge the items as of this ISO 8601 time (default: now)")
    db = sub.add_parser("db", help="database").add_subparsers(dest="action", required=True, metavar="ACTION")
    db.add_parser("upgrade", help="apply pending migrations (Alembic)")
    return parser


async def _with_db(settings: Settings, work: Callable[[Database], Awaitable[None]]) -> None:
    db = Database.from_url(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
    try:
        await upgrade(db)
        await work(db)
    finally:
        await db.close()


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise DomainError("the passwords differ")
    return first


def _run(args: argparse.Namespace, settings: Settings) -> None:
    clock = SystemClock()

    async def users_add(db: Database) -> None:
        accounts = Accounts(db, clock, MemoryFailureCounter(clock), EventBus())
        user = await accounts.create_user(
            args.name, _read_password(args), args.role, args.community, args.display_name, args.party
        )
        print(f"created user {user.username} ({user.role}) id {user.id}")

    async def users_list(db: Database) -> None:
        accounts = Accounts(db, clock, MemoryFailureCounter(clock), EventBus())
        for user in await accounts.list_users():
            print(f"{user.id}\t{user.username}\t{user.role}\t{user.display_name}")

    async def communities_add(db: Database) -> None:
        community = await Places(db).add_community(args.slug, args.name)
        print(f"created community {community.slug} ({community.name})")

    async def communities_list(db: Database) -> None:
        for community in await Places(db).communities():
            print(f"{community.slug}\t{community.name}")

    async def words_cmd(db: Database) -> None:
        words = WordList(db, clock)
        if args.action == "add":
            added = await words.add(args.words)
            print(f"added {len(added)} word(s)")
        elif args.action == "remove":
            print(f"removed {await words.remove(args.words)} word(s)")
        else:
            for word in await words.all():
                print(word)

    async def demo(db: Database) -> None:
        from live.services.demo import DEMO_PASSWORD, seed_demo

        if await seed_demo(db, clock):
            print(f"demo seeded; every demo account's password is {DEMO_PASSWORD}")
        else:
            print("demo already present")
        if args.years > 0:
            from live.seed.years import Size, describe, seed_years

            size = Size(years=args.years, messages=args.messages, opinions=args.opinions)
            for line in describe(await seed_years(db, clock, size)):
                print(line)

    async def jobs_run(db: Database) -> None:
        from datetime import UTC, datetime

        from live.services.jobs import Jobs

        as_of = None
        if args.now:
            try:
                as_of = datetime.fromisoformat(args.now.replace("Z", "+00:00"))
            except ValueError as err:
                raise DomainError(f"--now must be an ISO 8601 time, not {args.now!r}") from err
            as_of = as_of if as_of.tzinfo else as_of.replace(tzinfo=UTC)
        jobs = Jobs(db, clock, due_soon_days=settings.due_soon_days, escalate_days=settings.escalate_days)
        print(f"jobs: {await jobs.run_waiting(as_of)}")

    async def db_upgrade(db: Database) -> None:
        print("database is up to date")

    table: dict[tuple[str, str | None], Callable[[Database], Awaitable[None]]] = {
        ("users", "add"): users_add,
        ("users", "list"): users_list,
        ("communities", "add"): communities_add,
        ("communities", "list"): communities_list,
        ("words", "add"): words_cmd,
        ("words", "remove"): words_cmd,
        ("words", "list"): words_cmd,
        ("demo", None): demo,
        ("db", "upgrade"): db_upgrade,
        ("jobs", "run"): jobs_run,
    }
    asyncio.run(_with_db(settings, table[(args.command, getattr(args, "action", None))]))


def serve(settings: Settings, host: str, port: int) -> None:
    from aiohttp import web

    from live.app import create_app

    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover - uvloop is a dependency on Linux
        pass
    web.run_app(freeze_after_startup(create_app(settings)), host=host, port=port, access_log=None)


def freeze_after_startup(app: Any) -> Any:
    """Once the server has started, move everything alive (modules, templates, catalogues, the
    engine) out of the garbage collector's generations (``gc.freeze()``): a full collection
    then walks only what requests made since, instead of some 190,000 start-up objects — on the
    five-year database such collections were the p95 of the large pages (issue 14)."""
    import gc

    async def freeze(_app: Any) -> None:
        gc.collect()
        gc.freeze()

    app.on_startup.append(freeze)
    return app


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    try:
        if args.command == "serve":
            serve(settings, args.host, args.port or settings.port)
        else:
            _run(args, settings)
    except DomainError as err:
        print(f"error: {err.detail}", file=sys.stderr)
        return 2
    return 0
