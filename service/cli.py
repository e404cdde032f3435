"""The `vdo` command line: serve, migrate, load the demo, manage users, import people."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import Progress
from sqlalchemy import Engine, func
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import select

import service.tables  # noqa: F401 - every table, and the calendar counter's flush hook
from service import migrations
from service.auth import service as auth
from service.auth.schemas import UserUpdate
from service.clock import SystemClock
from service.db import make_engine, session_scope
from service.directory import importer
from service.directory.models import Country
from service.errors import DomainError, InvalidInput
from service.settings import Settings, SettingsError

err = Console(stderr=True)


def _engine(settings: Settings) -> Engine:
    return make_engine(settings.database_url, settings.database_timeouts)


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from service.app import served_app

    if args.workers > 1 and make_url(settings.database_url).get_backend_name() != "postgresql":
        err.print("several worker processes need PostgreSQL (VDO_DATABASE_URL=postgresql://...)")
        return 2
    settings.check()
    url = f"http://{args.host}:{args.port}"
    print(
        f"ASEAN Pubs VDO-Conference Service: open {url}/ (the site; staff sign in at "
        f"{url}/sign-in), {url}/schema (API docs), {url}/health",
        flush=True,
    )
    if settings.embedded_worker:
        print(f"{_mail_destination(settings)}, sent by a worker in this server", flush=True)
    else:
        print(f"mail waits in the outbox until `vdo worker` runs; {_mail_destination(settings)}")
    # The application's own request log (VDO_LOG_REQUESTS) is the one that redacts the tokens
    # of feed and answer links; uvicorn's access log would write them in plain text.
    if args.workers == 1:
        uvicorn.run(
            served_app(settings), host=args.host, port=args.port, log_level="info", access_log=False
        )
        return 0
    # Each process builds its own application from the same environment; they share nothing
    # but the database (see README, "Scaling").
    print(f"{args.workers} processes on one port", flush=True)
    uvicorn.run(
        "service.app:served_app",
        factory=True,
        workers=args.workers,
        host=args.host,
        port=args.port,
        log_level="info",
        access_log=False,
    )
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
    from alembic.util import CommandError

    engine = _engine(settings)
    try:
        migrations.upgrade(engine, args.revision)
    except CommandError as exc:  # e.g. an unknown revision
        raise InvalidInput(str(exc)) from None
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
        result = load_demo(db, now=SystemClock().now())
        members = db.exec(select(func.count()).where(Country.is_member)).one()
    added = ", ".join(f"{count} {what}" for what, count in result.created.items())
    print(f"demo network loaded ({members} member states); added: {added}")
    print(f"web sign-in password for the demo users: {DEMO_PASSWORD}")
    for role, token in result.tokens.items():
        print(f"{role} token: {token}")
    return 0


def cmd_circular_sample(settings: Settings, args: argparse.Namespace) -> int:
    """A preview of a circular for the first demo session, in the format `--out` ends with."""
    from service.circulars.models import DocumentFormat
    from service.circulars.operations import build_circular
    from service.circulars.render import render_as
    from service.circulars.schemas import CircularRequest
    from service.demo import load_demo
    from service.directory.service import seed_member_countries
    from service.scheduling.models import VdoSession

    out = Path(args.out)
    fmt = DocumentFormat(out.suffix.lstrip(".").lower())
    engine = _engine(settings)
    migrations.upgrade(engine)
    now = SystemClock().now()
    with session_scope(engine) as db:
        seed_member_countries(db)
        if db.exec(select(func.count()).select_from(VdoSession)).one() == 0:
            load_demo(db, now=now)
        first = db.exec(select(VdoSession).order_by(VdoSession.start_utc)).first()  # type: ignore[arg-type]
        request = CircularRequest(kind=args.kind, language=args.lang)
        circular = build_circular(db, first.id if first and first.id else 0, request, now)
    out.write_bytes(render_as(circular, fmt))
    print(f"{circular.title} ({args.lang}, preview) written to {out}")
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
    try:
        text = Path(args.file).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InvalidInput(f"cannot read {args.file}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"{args.file} is not UTF-8 text (byte {exc.start + 1} cannot be read); "
            "save it as CSV UTF-8"
        ) from None
    with Progress(console=err, transient=True) as progress, session_scope(_engine(settings)) as db:
        task = progress.add_task("checking rows", total=None)
        imported = importer.import_people(
            db, text, lambda done, total: progress.update(task, completed=done, total=total)
        )
    print(f"imported {imported} people from {args.file}")
    return 0


def cmd_series_extend(settings: Settings, _: argparse.Namespace) -> int:
    """Store the occurrences of open-ended series that came within the horizon (run daily).

    An occurrence whose bridge is taken is skipped and listed, which is no error (exit 0); a
    series whose stored data cannot be used is listed on stderr and makes the exit status 1,
    after every other series was extended.
    """
    from service.scheduling.series import extend_series

    with session_scope(_engine(settings)) as db:
        report = extend_series(db, now=SystemClock().now())
    print(f"{report.added} occurrences added, {len(report.skipped)} skipped")
    for skipped in report.skipped:
        print(
            f"  skipped: series {skipped.series_id} {skipped.series_title!r} on "
            f"{skipped.start:%Y-%m-%d %H:%M} UTC: its bridge is taken by "
            f"{skipped.taken_by!r}; find another time for it"
        )
    for failure in report.failed:
        err.print(
            f"not extended: series {failure.series_id} {failure.series_title!r}: {failure.reason}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    return 1 if report.failed else 0


def cmd_minutes_settle(settings: Settings, _: argparse.Namespace) -> int:
    """Adopt minutes whose comment deadline passed without objection (run hourly from cron)."""
    from service.db import utcnow
    from service.minutes.operations import apply_silence_procedure

    with session_scope(_engine(settings)) as db:
        adopted = apply_silence_procedure(db, utcnow())
    print(f"{len(adopted)} minutes adopted by the silence procedure", *adopted)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vdo", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the web service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        choices=range(1, 65),
        metavar="N",
        help="web processes (1-64; more than one needs PostgreSQL)",
    )
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

    circular = commands.add_parser("circular", help="circulars").add_subparsers(
        dest="circular_command", required=True
    )
    sample = circular.add_parser(
        "sample", help="preview a circular of the first demo session (loads the demo if empty)"
    )
    sample.add_argument("--lang", choices=["en", "th"], default="en")
    sample.add_argument(
        "--kind", choices=["notice", "cancellation", "reminder", "minutes"], default="notice"
    )
    sample.add_argument("--out", required=True, help="file ending .html, .txt, .pdf or .docx")
    sample.set_defaults(handler=cmd_circular_sample)

    series = commands.add_parser("series", help="recurring series").add_subparsers(
        dest="series_command", required=True
    )
    series.add_parser(
        "extend", help="store occurrences that came within the horizon (run daily)"
    ).set_defaults(handler=cmd_series_extend)

    minutes = commands.add_parser("minutes", help="minutes of sessions").add_subparsers(
        dest="minutes_command", required=True
    )
    minutes.add_parser(
        "settle", help="adopt minutes whose deadline passed with no objection (run hourly)"
    ).set_defaults(handler=cmd_minutes_settle)

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
        err.print(f"[red]refused:[/red] {escape(exc.detail)}", highlight=False, soft_wrap=True)
        for error in exc.errors:
            where = f"row {error['row']}, " if "row" in error else ""
            column = error.get("column") or error.get("field")
            err.print(f"  {where}{column}: {error['reason']}", highlight=False, markup=False)
        return 1
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        err.print(f"database error: {reason}", markup=False, highlight=False, soft_wrap=True)
        return 1
    except Exception as exc:
        # Whatever else goes wrong, say what in one line instead of a traceback.
        err.print(
            f"vdo {args.command} failed: {type(exc).__name__}: {exc}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
