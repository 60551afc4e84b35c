"""The `perpetuum` command.

    perpetuum up [--host H] [--port P] [--no-demo]   run the CRM on this computer
    perpetuum worker                                  run the background worker
    perpetuum demo --accounts N --contacts M --interactions K [--seed S] [--users U]
    perpetuum token create --user NAME [--name LABEL] | list --user NAME | revoke --id N
    perpetuum manage <django command> ...             Django's management commands

Every failure the user can fix is reported in one line on stderr with a non-zero exit code.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

DEFAULT_DEMO = {"accounts": 200, "contacts": 1000, "interactions": 5000}
PURGE_INTERVAL_SECONDS = 24 * 60 * 60
WORKER_STOP_SECONDS = 15


class CliError(Exception):
    """A failure with a message for the user; `main` prints it and exits with 1."""


class _Stop(BaseException):
    """Raised by the SIGINT/SIGTERM handler of `perpetuum up` to unwind and clean up."""


# --- Setting up Django ------------------------------------------------------------------------


def _setup_django(*, local: bool = False) -> None:
    """Point Django at Perpetuum's settings (and, for `up`, at the local profile) and load
    the apps; a broken configuration becomes a CliError."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perpetuum.settings")
    if local:
        os.environ.setdefault("PERPETUUM_ENV", "local")
    import django

    try:
        django.setup()
    except Exception as error:
        raise CliError(f"the settings could not be loaded: {error}") from error


def _migrate(*, announce: bool = True) -> None:
    """Apply pending migrations, saying so only when there are some."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        if announce:
            s = "" if len(pending) == 1 else "s"
            print(f"Preparing the database ({len(pending)} migration{s})…", flush=True)
        call_command("migrate", interactive=False, verbosity=0)


# --- perpetuum up -----------------------------------------------------------------------------


def _check_port(host: str, port: int) -> None:
    """Fail early, before migrating, when the address cannot be listened on."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host.strip("[]"), port))
        except OSError as error:
            raise CliError(
                f"cannot listen on {host}:{port} ({error.strerror or error}); is another "
                "server running there? Choose another port with --port."
            ) from error


def _create_first_administrator() -> tuple[str, str | None]:
    """The first user: a superuser with the administrator role. Returns the username and
    the generated password (None when it came from PERPETUUM_ADMIN_PASSWORD)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from perpetuum.core.audit import audit
    from perpetuum.org.models import Role

    User = get_user_model()
    username = os.environ.get("PERPETUUM_ADMIN_USERNAME", "").strip() or "admin"
    password = os.environ.get("PERPETUUM_ADMIN_PASSWORD") or None
    generated = password is None
    if generated:
        password = secrets.token_urlsafe(12)
    user = User(username=username, is_staff=True, is_superuser=True)
    try:
        User._meta.get_field("username").run_validators(username)
    except ValidationError as error:
        raise CliError(
            f"PERPETUUM_ADMIN_USERNAME “{username}” is not a valid username: "
            + " ".join(error.messages)
        ) from error
    if not generated:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CliError(
                "PERPETUUM_ADMIN_PASSWORD is not accepted: " + " ".join(error.messages)
            ) from error
    user.role = Role.objects.filter(code="administrator").first()
    user.set_password(password)
    with transaction.atomic():
        user.save()
        audit(
            actor=None,
            action="create",
            instance=user,
            changes={
                "username": [None, username],
                "is_superuser": [None, True],
                "role": [None, user.role_id],
            },
        )
    return username, password if generated else None


def _start_worker() -> subprocess.Popen[bytes]:
    """`perpetuum worker` as a child in its own session, so that Ctrl-C reaches only us and
    we stop it in order; it also stops by itself if we die."""
    env = dict(os.environ, PERPETUUM_PARENT_PID=str(os.getpid()))
    return subprocess.Popen(
        [sys.executable, "-m", "perpetuum.cli", "worker", "--quiet"],
        env=env,
        start_new_session=True,
    )


def _stop_worker(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is not None:
        return
    worker.terminate()
    try:
        worker.wait(timeout=WORKER_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop(signum)


def _banner(
    url: str, admin: str | None, password: str | None, demo_users: list[tuple[str, str]]
) -> str:
    lines = ["", f"  Perpetuum is running at {url}", ""]
    if admin and password:
        lines += [
            "  Sign in as the administrator:",
            f"      user:      {admin}",
            f"      password:  {password}",
            "  This password is shown only this once: write it down now.",
        ]
    elif admin:
        lines.append(f"  Sign in as the administrator “{admin}” (or any other user).")
    if demo_users:
        from perpetuum.demo import DEMO_PASSWORD

        lines += ["", f"  Demo users, all with the password “{DEMO_PASSWORD}”:"]
        lines += [f"      {username:<28} {role}" for username, role in demo_users]
    lines += [
        "",
        f"  Back office: {url}admin/    API docs: {url}api/docs",
        "  Press Ctrl-C to stop.",
        "",
    ]
    return "\n".join(lines)


def cmd_up(args: argparse.Namespace) -> int:
    """Migrate, create the first administrator and demo data on first start, then serve
    with uvicorn in this process and the background worker in a child process."""
    signal.signal(signal.SIGTERM, _raise_stop)
    _check_port(args.host, args.port)
    _setup_django(local=True)
    from django.contrib.auth import get_user_model

    _migrate()
    User = get_user_model()
    first_start = not User.objects.exists()
    admin: str | None = None
    password: str | None = None
    demo_users: list[tuple[str, str]] = []
    if first_start:
        from django.db import transaction

        from perpetuum.demo import DemoDataError, generate

        # All or nothing: interrupted, the next start is a first start again.
        with transaction.atomic():
            admin, password = _create_first_administrator()
            if not args.no_demo:
                print("Loading demo data…", flush=True)
                try:
                    generate(**DEFAULT_DEMO, progress=True)
                except DemoDataError as error:
                    raise CliError(str(error)) from error
                demo_users = _demo_users()
    else:
        first = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        admin = first.get_username() if first else None

    host = args.host
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "[::]") else host  # noqa: S104
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    url = f"http://{shown}:{args.port}/"
    worker = _start_worker()
    try:
        print(_banner(url, admin, password, demo_users), flush=True)
        if shown not in ("127.0.0.1", "localhost", "[::1]"):
            print(
                f"  Serving on {host}: add its name to PERPETUUM_ALLOWED_HOSTS to reach it "
                "from other computers.\n",
                flush=True,
            )
        _serve(host, args.port)
    except _Stop:
        pass
    finally:
        _stop_worker(worker)
    print("Perpetuum stopped.", flush=True)
    return 0


def _serve(host: str, port: int) -> None:
    import uvicorn

    config = uvicorn.Config(
        "perpetuum.asgi:application",
        host=host.strip("[]"),
        port=port,
        lifespan="off",
        log_level="info",
    )
    server = uvicorn.Server(config)
    # uvicorn shuts down gracefully on SIGINT/SIGTERM, then raises the signal again to the
    # handler that was there before: ours, which unwinds to stop the worker.
    signal.signal(signal.SIGINT, _raise_stop)
    signal.signal(signal.SIGTERM, _raise_stop)
    server.run()


def _demo_users() -> list[tuple[str, str]]:
    from django.contrib.auth import get_user_model

    users = (
        get_user_model()
        .objects.filter(email__endswith="@perpetuum.example")
        .select_related("role", "office")
        .order_by("pk")
    )
    return [
        (user.username, f"{user.role.name if user.role else '—'}, {user.office or '—'}")
        for user in users[:30]
    ]


# --- perpetuum worker -------------------------------------------------------------------------


def _enqueue_purge() -> None:
    """Enqueue the recycle-bin purge unless one is already waiting to run."""
    from django_tasks_db.models import DBTaskResult

    from perpetuum.core.tasks import purge_recycle_bin

    waiting = DBTaskResult.objects.filter(
        task_path=purge_recycle_bin.module_path, status="READY"
    ).exists()
    if not waiting:
        purge_recycle_bin.enqueue()


def _scheduler(stop: threading.Event, interval: float = PURGE_INTERVAL_SECONDS) -> None:
    """Enqueue the purge at start, then every `interval` seconds."""
    from django.db import connections

    while True:
        try:
            _enqueue_purge()
        except Exception as error:
            print(f"perpetuum worker: could not schedule the purge: {error}", file=sys.stderr)
        finally:
            connections.close_all()
        if stop.wait(interval):
            return


def _watch_parent(parent_pid: int) -> None:
    """Stop this worker when the `perpetuum up` that started it is gone."""
    while True:
        time.sleep(1)
        if os.getppid() != parent_pid:
            os.kill(os.getpid(), signal.SIGTERM)
            return


def cmd_worker(args: argparse.Namespace) -> int:
    """django_tasks_db's worker, plus a thread that schedules the recycle-bin purge."""
    _setup_django()
    from django.core.management import call_command

    parent = os.environ.get("PERPETUUM_PARENT_PID", "")
    if parent.isdigit():
        threading.Thread(target=_watch_parent, args=(int(parent),), daemon=True).start()
    threading.Thread(
        target=_scheduler, args=(threading.Event(),), name="purge-scheduler", daemon=True
    ).start()
    if not args.quiet:
        print("Perpetuum worker started; Ctrl-C stops it.", flush=True)
    call_command(
        "db_worker",
        verbosity=0 if args.quiet else 1,
        reload=False,
        interval=args.interval,
    )
    return 0


# --- perpetuum demo ---------------------------------------------------------------------------


def cmd_demo(args: argparse.Namespace) -> int:
    _setup_django()
    from perpetuum.demo import DEMO_PASSWORD, DemoDataError, generate

    _migrate()
    started = time.monotonic()
    spent: dict[str, float] = {}
    try:
        result = generate(
            accounts=args.accounts,
            contacts=args.contacts,
            interactions=args.interactions,
            seed=args.seed,
            users=args.users,
            append=args.append,
            progress=not args.quiet,
            spent=spent,
        )
    except DemoDataError as error:
        raise CliError(str(error)) from error
    elapsed = time.monotonic() - started
    if args.report:
        report = {
            "counts": result,
            "seconds": round(elapsed, 2),
            "write_seconds": {step: round(value, 2) for step, value in spent.items()},
        }
        args.report.write_text(json.dumps(report, indent=2) + "\n")
    counts = ", ".join(
        f"{value:,} {key.replace('_', ' ')}" for key, value in result.items() if "_id" not in key
    )
    print(f"Demo data written in {elapsed:.1f} s: {counts}.")
    if result.get("big_account_id"):
        print(f"The busiest account is #{result['big_account_id']}.")
    if result.get("big_holding_id"):
        print(f"The biggest holding is #{result['big_holding_id']}.")
    if result.get("users"):
        print(f"Demo users sign in with the password “{DEMO_PASSWORD}”:")
        for username, role in _demo_users():
            print(f"    {username:<28} {role}")
    return 0


# --- perpetuum token --------------------------------------------------------------------------


def _user(username: str) -> Any:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CliError(f"there is no user named “{username}”")
    return user


def cmd_token_create(args: argparse.Namespace) -> int:
    _setup_django()
    from perpetuum.core.services import api_token_create

    user = _user(args.user)
    if not user.is_active:
        raise CliError(f"the user “{user.get_username()}” is deactivated")
    token, key = api_token_create(actor=None, user=user, name=args.name or "")
    print(
        f"API token #{token.pk} “{token.name}” for {user.get_username()}. Keep it secret; "
        "it is shown only now. Send it as “Authorization: Bearer <token>”.",
        file=sys.stderr,
    )
    print(key)
    return 0


def cmd_token_list(args: argparse.Namespace) -> int:
    _setup_django()
    from perpetuum.core.models import ApiToken

    user = _user(args.user)
    tokens = list(ApiToken.objects.filter(user=user).order_by("pk"))
    if not tokens:
        print(f"{user.get_username()} has no API tokens.")
        return 0

    def when(value: Any) -> str:
        return value.strftime("%Y-%m-%d %H:%M") if value else "—"

    print(f"{'id':>6}  {'name':<30} {'prefix':<13} {'created':<16}  {'last used':<16}  status")
    for token in tokens:
        status = f"revoked {when(token.revoked_at)}" if token.revoked_at else "active"
        print(
            f"{token.pk:>6}  {token.name[:30]:<30} {token.prefix + '…':<13} "
            f"{when(token.created_at):<16}  {when(token.last_used_at):<16}  {status}"
        )
    return 0


def cmd_token_revoke(args: argparse.Namespace) -> int:
    _setup_django()
    from perpetuum.core.models import ApiToken
    from perpetuum.core.services import api_token_revoke

    token = ApiToken.objects.select_related("user").filter(pk=args.id).first()
    if token is None:
        raise CliError(f"there is no API token #{args.id}")
    if token.revoked_at is not None:
        print(f"API token #{token.pk} was already revoked on {token.revoked_at:%Y-%m-%d %H:%M}.")
        return 0
    api_token_revoke(actor=None, token=token)
    print(f"API token #{token.pk} “{token.name}” of {token.user.get_username()} is revoked.")
    return 0


# --- The parser -------------------------------------------------------------------------------


def _count(text: str) -> int:
    """An argparse type: a whole number, zero or more."""
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}” is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be zero or more")
    return value


def _positive(text: str) -> int:
    value = _count(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _port(text: str) -> int:
    value = _count(text)
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError("a port is a number from 1 to 65535")
    return value


def _interval(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}” is not a number of seconds") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError("must be more than 0 and at most 3600 seconds")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="perpetuum",
        description="Perpetuum, the open-source CRM.",
    )
    commands = parser.add_subparsers(dest="command", metavar="command", required=True)

    up = commands.add_parser(
        "up",
        help="run Perpetuum on this computer (SQLite, demo data, background worker)",
        description="Migrate the database, on first start create the administrator and demo "
        "data, then serve Perpetuum and run the background worker until Ctrl-C.",
    )
    up.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    up.add_argument("--port", type=_port, default=8000, help="port to listen on (8000)")
    up.add_argument("--no-demo", action="store_true", help="no demo data on first start")
    up.set_defaults(handler=cmd_up)

    worker = commands.add_parser(
        "worker",
        help="run the background worker (task queue and scheduled jobs)",
        description="Run queued background tasks; also schedules the recycle-bin purge at "
        "start and every 24 hours. Run as many as needed.",
    )
    worker.add_argument("--quiet", action="store_true", help="log only failures")
    worker.add_argument(
        "--interval",
        type=_interval,
        default=1.0,
        help="seconds to wait between polls of an empty queue (1)",
    )
    worker.set_defaults(handler=cmd_worker)

    demo = commands.add_parser(
        "demo",
        help="fill an empty database with realistic demo data",
        description="Generate demo data: our company, users in every role, accounts with "
        "holdings, contacts, leads (one per ten contacts) and interactions.",
    )
    demo.add_argument("--accounts", type=_count, default=DEFAULT_DEMO["accounts"])
    demo.add_argument("--contacts", type=_count, default=DEFAULT_DEMO["contacts"])
    demo.add_argument("--interactions", type=_count, default=DEFAULT_DEMO["interactions"])
    demo.add_argument("--seed", type=int, default=1, help="same seed, same data (1)")
    demo.add_argument("--users", type=_positive, default=12, help="demo users (12)")
    demo.add_argument(
        "--append", action="store_true", help="add to a database that already has clients"
    )
    demo.add_argument("--quiet", action="store_true", help="no progress bars")
    demo.add_argument(
        "--report",
        type=Path,
        metavar="FILE",
        help="write the counts and the seconds spent writing, by step, to FILE as JSON",
    )
    demo.set_defaults(handler=cmd_demo)

    token = commands.add_parser("token", help="create, list and revoke personal API tokens")
    token_commands = token.add_subparsers(dest="token_command", metavar="action", required=True)
    create = token_commands.add_parser("create", help="create a token and print it once")
    create.add_argument("--user", required=True, help="username of the token's owner")
    create.add_argument("--name", default="", help="a label, e.g. what the token is for")
    create.set_defaults(handler=cmd_token_create)
    listing = token_commands.add_parser("list", help="list a user's tokens")
    listing.add_argument("--user", required=True, help="username")
    listing.set_defaults(handler=cmd_token_list)
    revoke = token_commands.add_parser("revoke", help="revoke a token")
    revoke.add_argument("--id", type=_positive, required=True, help="the token's id")
    revoke.set_defaults(handler=cmd_token_revoke)

    commands.add_parser(
        "manage",
        help="run a Django management command, e.g. `perpetuum manage check --deploy`",
        add_help=False,
    )
    return parser


def _manage(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perpetuum.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["perpetuum manage", *argv])
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `perpetuum` console script; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "manage":
        return _manage(argv[1:])
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    from django.core.exceptions import ImproperlyConfigured
    from django.db import DatabaseError

    try:
        return handler(args)
    except (CliError, ImproperlyConfigured) as error:
        print(f"perpetuum: error: {error}", file=sys.stderr)
    except DatabaseError as error:
        print(f"perpetuum: database error: {error}", file=sys.stderr)
    except (KeyboardInterrupt, _Stop):
        print("\nperpetuum: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into a reader that stopped, e.g. `| head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 1


if __name__ == "__main__":
    sys.exit(main())
