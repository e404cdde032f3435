"""The `vdo` command line: serve, migrate, load the demo, manage users, import people."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.progress import Progress
from sqlalchemy import Engine, func
from sqlmodel import select

from service import migrations
from service.auth import service as auth
from service.auth.schemas import UserUpdate
from service.db import make_engine, session_scope
from service.directory import importer
from service.directory.models import Country
from service.errors import DomainError
from service.settings import Settings, SettingsError

err = Console(stderr=True)


def _engine(settings: Settings) -> Engine:
    return make_engine(settings.database_url, settings.database_timeouts)


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from service.app import create_app

    app = create_app(settings)
    url = f"http://{args.host}:{args.port}"
    print(
        f"ASEAN Pubs VDO-Conference Service: open {url}/schema (API docs), {url}/health", flush=True
    )
    if settings.embedded_worker:
        print(f"{_mail_destination(settings)}, sent by a worker in this server", flush=True)
    else:
        print(f"mail waits in the outbox until `vdo worker` runs; {_mail_destination(settings)}")
    # The application's own request log (VDO_LOG_REQUESTS) is the one that redacts the tokens
    # of feed and answer links; uvicorn's access log would write them in plain text.
    uvicorn.run(app, host=args.host, port=args.port, log_level="info", access_log=False)
    return 0


def _mail_destination(settings: Settings) -> str:
    from service.delivery.smtp import SmtpTarget

    target = SmtpTarget.from_url(settings.smtp_url).describe()
    return f"mail goes to {target} (Mailpit catches it: `docker compose up mail`, :8025)"


def cmd_worker(settings: Settings, args: argparse.Namespace) -> int:
    """Deliver the outbox: emails, webhooks, video-provider calls (several may run side by side
    on PostgreSQL)."""
    import signal
    import threading

    from service.delivery import worker

    engine = _engine(settings)
    if args.once:
        print(f"{worker.drain(engine, settings)} messages tried")
        return 0
    print(_mail_destination(settings), flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    worker.run_forever(engine, settings, stop)
    return 0


def cmd_db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    engine = _engine(settings)
    migrations.upgrade(engine, args.revision)
    with session_scope(engine) as db:
        from service.directory.service import seed_member_countries

        added = seed_member_countries(db)
    print(f"database at {args.revision}; {added} member countries added")
    return 0


def cmd_db_is_empty(settings: Settings, _: argparse.Namespace) -> int:
    """Exit 0 when no people are registered yet (used by `make run` to load the demo once)."""
    from service.directory.models import Person

    with session_scope(_engine(settings)) as db:
        return 0 if db.exec(select(func.count()).select_from(Person)).one() == 0 else 1


def cmd_demo(settings: Settings, _: argparse.Namespace) -> int:
    from service.demo import DEMO_PASSWORD, load_demo

    with session_scope(_engine(settings)) as db:
        result = load_demo(db)
        members = db.exec(select(func.count()).where(Country.is_member)).one()
    added = ", ".join(f"{count} {what}" for what, count in result.created.items())
    print(f"demo network loaded ({members} member states); added: {added}")
    print(f"web sign-in password for the demo users: {DEMO_PASSWORD}")
    for role, token in result.tokens.items():
        print(f"{role} token: {token}")
    return 0


def cmd_user_create(settings: Settings, args: argparse.Namespace) -> int:
    with session_scope(_engine(settings)) as db:
        user = auth.create_user(
            db,
            email=args.email,
            name=args.name,
            role=args.role,
            password=args.password,
            person_id=args.person,
        )
        _, token = auth.issue_token(db, user, "cli")
    person = f", person {user.person_id}" if user.person_id is not None else ""
    print(f"created {user.role} {user.email} (id {user.id}{person}); API token:")
    print(token)
    return 0


def cmd_user_deactivate(settings: Settings, args: argparse.Namespace) -> int:
    with session_scope(_engine(settings)) as db:
        user = auth.update_user(
            db, auth.user_by_email(db, args.email), UserUpdate(active=False), acting_user_id=None
        )
    print(f"deactivated {user.email}: its API tokens no longer work")
    return 0


def cmd_import_people(settings: Settings, args: argparse.Namespace) -> int:
    text = Path(args.file).read_text(encoding="utf-8-sig")
    with Progress(console=err, transient=True) as progress, session_scope(_engine(settings)) as db:
        task = progress.add_task("checking rows", total=None)
        imported = importer.import_people(
            db, text, lambda done, total: progress.update(task, completed=done, total=total)
        )
    print(f"imported {imported} people from {args.file}")
    return 0


def cmd_series_extend(settings: Settings, _: argparse.Namespace) -> int:
    """Store the occurrences of open-ended series that came within the horizon (run daily)."""
    from service.scheduling.series import extend_series

    with session_scope(_engine(settings)) as db:
        added = extend_series(db)
    print(f"{added} occurrences added")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vdo", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the web service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(handler=cmd_serve)

    worker = commands.add_parser("worker", help="deliver the outbox (mail, webhooks)")
    worker.add_argument("--once", action="store_true", help="deliver what is due now, then exit")
    worker.set_defaults(handler=cmd_worker)

    db = commands.add_parser("db", help="database schema").add_subparsers(
        dest="db_command", required=True
    )
    upgrade = db.add_parser("upgrade", help="migrate to the latest schema, seed members")
    upgrade.add_argument("revision", nargs="?", default="head")
    upgrade.set_defaults(handler=cmd_db_upgrade)
    db.add_parser("is-empty", help="exit 0 when no people exist").set_defaults(
        handler=cmd_db_is_empty
    )

    commands.add_parser("demo", help="load the ASEAN Pubs demo network").set_defaults(
        handler=cmd_demo
    )

    series = commands.add_parser("series", help="recurring series").add_subparsers(
        dest="series_command", required=True
    )
    series.add_parser(
        "extend", help="store occurrences that came within the horizon (run daily)"
    ).set_defaults(handler=cmd_series_extend)

    user = commands.add_parser("user", help="accounts").add_subparsers(
        dest="user_command", required=True
    )
    create = user.add_parser("create", help="create a user; prints an API token last")
    create.add_argument("email")
    create.add_argument("--name", required=True)
    create.add_argument("--role", required=True, choices=["admin", "secretariat", "delegate"])
    create.add_argument("--password", help="for signing in to the web UI (10+ characters)")
    create.add_argument(
        "--person",
        type=int,
        metavar="ID",
        help="the directory person the account belongs to (a delegate's own sessions and feed)",
    )
    create.set_defaults(handler=cmd_user_create)
    deactivate = user.add_parser("deactivate", help="disable an account; its tokens stop at once")
    deactivate.add_argument("email")
    deactivate.set_defaults(handler=cmd_user_deactivate)

    imports = commands.add_parser("import", help="bulk import").add_subparsers(
        dest="import_command", required=True
    )
    people = imports.add_parser("people", help="import people from a CSV file, all or nothing")
    people.add_argument("file")
    people.set_defaults(handler=cmd_import_people)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        return int(args.handler(settings, args))
    except SettingsError as exc:
        err.print(f"[red]configuration error:[/red] {exc}")
        return 2
    except DomainError as exc:
        err.print(f"[red]refused:[/red] {exc.detail}", highlight=False)
        for error in exc.errors:
            where = f"row {error['row']}, " if "row" in error else ""
            column = error.get("column") or error.get("field")
            err.print(f"  {where}{column}: {error['reason']}", highlight=False, markup=False)
        return 1


if __name__ == "__main__":
    sys.exit(main())
