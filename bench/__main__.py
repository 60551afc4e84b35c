"""The benchmark: load a base of benchmark size through the bulk path, start the real server
and measure what users wait for. Prints one JSON report.

    python -m bench                                   # 1,000,000 contacts on SQLite
    python -m bench --contacts 100000 --accounts 20000 --interactions 1000000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/perpetuum_bench python -m bench
    python -m bench --reuse --data-dir var/bench      # measure again without reloading

Every latency is measured over HTTP on loopback, sequentially, after a warm-up, next to the
same measurement of a route that touches no database (the framework's floor).
"""

# The benchmark builds SQL from table names it lists itself and runs its own children.
# ruff: noqa: S608

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
LOAD_TABLES = [
    "clients_account",
    "clients_contact",
    "clients_contactrole",
    "clients_lead",
    "timeline_interaction",
]


def run(args: list[str], env: dict[str, str], **kwargs: Any) -> subprocess.CompletedProcess:
    return subprocess.run(args, env=env, check=True, **kwargs)


def perpetuum(*args: str, env: dict[str, str]) -> None:
    """Run a `perpetuum` command; what it prints goes to stderr, beside its progress bars,
    so that stdout holds the report alone."""
    run([sys.executable, "-m", "perpetuum.cli", *args], env=env, stdout=sys.stderr)


def django_shell(code: str, env: dict[str, str]) -> Any:
    """Run `code` with Django set up in a child process; it prints one JSON value."""
    prelude = "import django, json; django.setup()\n"
    result = run([sys.executable, "-c", prelude + code], env=env, capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- Load ---------------------------------------------------------------------------------


def load(options: argparse.Namespace, env: dict[str, str]) -> dict[str, Any]:
    """Load the base with `perpetuum demo`, which makes the rows up in one thread while the
    bulk path writes them in another. Two rates: the bulk path's (rows over the seconds
    spent writing, indexes and search index included) and the whole command's."""
    perpetuum("manage", "migrate", "--verbosity", "0", env=env)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        report_file = Path(folder) / "demo.json"
        perpetuum(
            "demo",
            "--accounts",
            str(options.accounts),
            "--contacts",
            str(options.contacts),
            "--interactions",
            str(options.interactions),
            "--seed",
            str(options.seed),
            "--report",
            str(report_file),
            env=env,
        )
        demo = json.loads(report_file.read_text())
    seconds = time.perf_counter() - started
    rows = table_rows(env)
    total = sum(rows.values())
    writing = sum(demo["write_seconds"].values())
    return {
        "rows": rows,
        "bulk_path": {
            "seconds": round(writing, 1),
            "rows_per_second": round(total / writing),
            "seconds_by_step": demo["write_seconds"],
        },
        "whole_command": {"seconds": round(seconds, 1), "rows_per_second": round(total / seconds)},
    }


def table_rows(env: dict[str, str]) -> dict[str, int]:
    code = (
        "from django.db import connection\n"
        "out = {}\n"
        "with connection.cursor() as c:\n"
        f"    for t in {LOAD_TABLES!r}:\n"
        "        c.execute(f'SELECT COUNT(*) FROM {t}')\n"
        "        out[t] = c.fetchone()[0]\n"
        "print(json.dumps(out))\n"
    )
    return django_shell(code, env)


def executemany_floor(database: Path, batch: int = 20_000) -> dict[str, Any]:
    """Plain `sqlite3` `executemany` of the very rows the load wrote, into empty copies of
    the same tables without their secondary indexes: the floor no bulk path beats. Only the
    time spent inside `executemany` and `commit` counts; reading the rows back does not."""
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    with tempfile.TemporaryDirectory() as folder:
        target = sqlite3.connect(Path(folder) / "floor.sqlite3", isolation_level=None)
        target.execute("PRAGMA journal_mode=WAL")
        target.execute("PRAGMA synchronous=NORMAL")
        target.execute("PRAGMA cache_size=-262144")
        for (sql,) in source.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND tbl_name IN ({})".format(
                ",".join("?" * len(LOAD_TABLES))
            ),
            LOAD_TABLES,
        ):
            target.execute(sql)
        inserted = 0
        spent = 0.0
        for table in LOAD_TABLES:
            columns = [row[1] for row in source.execute(f"PRAGMA table_info({table})")]
            insert = "INSERT INTO {} ({}) VALUES ({})".format(
                table, ",".join(f'"{c}"' for c in columns), ",".join("?" * len(columns))
            )
            cursor = source.execute(f'SELECT * FROM "{table}" ORDER BY rowid')
            while rows := cursor.fetchmany(batch):
                began = time.perf_counter()
                target.execute("BEGIN")
                target.executemany(insert, rows)
                target.execute("COMMIT")
                spent += time.perf_counter() - began
                inserted += len(rows)
        target.close()
    source.close()
    return {
        "rows": inserted,
        "seconds": round(spent, 1),
        "rows_per_second": round(inserted / spent),
    }


def copy_floor(url: str, batch: int = 20_000) -> dict[str, Any]:
    """PostgreSQL's floor: plain `COPY … FROM STDIN` with psycopg of the very rows the load
    wrote, into empty copies of the same tables without indexes or constraints, dropped
    afterwards. Only the time spent writing the rows and committing counts."""
    import psycopg

    inserted = 0
    spent = 0.0
    from psycopg.types.string import TextLoader

    with psycopg.connect(url) as source, psycopg.connect(url) as target:
        # JSON columns read as text are written back as they were read.
        for json_type in ("json", "jsonb"):
            source.adapters.register_loader(json_type, TextLoader)
        for table in LOAD_TABLES:
            copy_name = f"floor_{table}"
            with target.cursor() as cursor:
                cursor.execute(f'DROP TABLE IF EXISTS "{copy_name}"')
                cursor.execute(f'CREATE TABLE "{copy_name}" (LIKE "{table}")')
            target.commit()
            with source.cursor(name=f"read_{table}") as rows_cursor:
                rows_cursor.execute(f'SELECT * FROM "{table}" ORDER BY id')
                while rows := rows_cursor.fetchmany(batch):
                    began = time.perf_counter()
                    with (
                        target.cursor() as cursor,
                        cursor.copy(f'COPY "{copy_name}" FROM STDIN') as copy,
                    ):
                        for row in rows:
                            copy.write_row(row)
                    target.commit()
                    spent += time.perf_counter() - began
                    inserted += len(rows)
            source.commit()
            with target.cursor() as cursor:
                cursor.execute(f'DROP TABLE "{copy_name}"')
            target.commit()
    return {
        "rows": inserted,
        "seconds": round(spent, 1),
        "rows_per_second": round(inserted / spent),
    }


# --- HTTP ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """The real ASGI server (uvicorn, as `perpetuum up` runs it), in a child process."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "perpetuum.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            env={**env, "PERPETUUM_QUERY_COUNT_HEADER": "1"},
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            time.sleep(0.2)
        raise RuntimeError("the server did not start")

    def peak_memory_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
        return 0.0

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def measure(
    port: int, path: str, headers: dict[str, str], requests: int, warmup: int = 5
) -> dict[str, Any]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    timings: list[float] = []
    queries: set[int] = set()
    status = 0
    for number in range(warmup + requests):
        began = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        elapsed = (time.perf_counter() - began) * 1000
        status = response.status
        if status != 200:
            raise RuntimeError(f"{path} answered {status}")
        if number >= warmup:
            timings.append(elapsed)
            if response.getheader("X-Queries"):
                queries.add(int(response.getheader("X-Queries")))
    connection.close()
    timings.sort()
    return {
        "path": path,
        "median_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2),
        "queries": sorted(queries),
    }


def fixtures(env: dict[str, str]) -> dict[str, Any]:
    """What the measured requests point at: a user, their token and session, a deep cursor,
    a name prefix and an e-mail, the big account and the big holding."""
    code = r"""
import base64
from django.contrib.auth import get_user_model, SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.db.models import Count
from perpetuum.clients.models import Account, Contact
from perpetuum.core.services import api_token_create
from perpetuum.timeline.models import Interaction
User = get_user_model()
user = User.objects.filter(role__code="sales_manager", is_active=True).order_by("pk").first()
admin = (User.objects.filter(is_superuser=True).order_by("pk").first()
    or User.objects.filter(role__code="administrator").first())
token = api_token_create(actor=None, user=admin, name="bench")[1]
manager_token = api_token_create(actor=None, user=user, name="bench")[1]
session = SessionStore()
session[SESSION_KEY] = str(admin.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = admin.get_session_auth_hash()
session.create()
total = Contact.objects.count()
middle = Contact.objects.order_by("full_name", "pk").values_list("full_name", "pk")[total // 2]
cursor = base64.urlsafe_b64encode(json.dumps(list(middle)).encode()).decode().rstrip("=")
sample = Contact.objects.exclude(email="").order_by("pk").values("last_name", "email")[total // 3]
per_account = list(Interaction.objects.filter(account_id__isnull=False).values("account_id")
    .annotate(n=Count("pk")).order_by("-n").values_list("account_id", "n"))
busiest = per_account[0]
# The account "with 10,000 interactions": the one whose history is nearest that size.
big = min(per_account, key=lambda row: abs(row[1] - 10_000))
holding = Account.objects.values("root_id").annotate(n=Count("pk")).order_by("-n").first()
owner = Contact.objects.filter(owner=user).values_list("owner_id", flat=True).first() or user.pk
print(json.dumps({
    "token": token, "manager_token": manager_token, "session": session.session_key,
    "cursor": cursor, "prefix": sample["last_name"][:4], "email": sample["email"],
    "big_account": big[0], "big_account_interactions": big[1],
    "busiest_account": busiest[0], "busiest_account_interactions": busiest[1],
    "holding": holding["root_id"], "holding_accounts": holding["n"], "owner": owner,
}))
"""
    return django_shell(code, env)


def measure_all(env: dict[str, str], requests: int) -> dict[str, Any]:
    data = fixtures(env)
    server = Server(env)
    api = {"Authorization": f"Bearer {data['token']}"}
    manager = {"Authorization": f"Bearer {data['manager_token']}"}
    page = {"Cookie": f"sessionid={data['session']}"}
    quote = urllib.parse.quote
    routes = {
        "floor_no_database": ("/healthz", {}),
        "contact_list_first_page": ("/api/v1/contacts?limit=50", api),
        "contact_list_first_page_sales_manager": ("/api/v1/contacts?limit=50", manager),
        "contact_list_filtered": (f"/api/v1/contacts?owner_id={data['owner']}&limit=50", api),
        "contact_list_deep_page": (f"/api/v1/contacts?limit=50&cursor={data['cursor']}", api),
        "search_name_prefix": (f"/api/v1/contacts?q={quote(data['prefix'])}&limit=20", api),
        "search_email": (f"/api/v1/contacts?q={quote(data['email'])}&limit=20", api),
        "account_card": (f"/api/v1/accounts/{data['big_account']}/card", api),
        "account_card_busiest": (f"/api/v1/accounts/{data['busiest_account']}/card", api),
        "account_timeline_first_page": (
            f"/api/v1/accounts/{data['big_account']}/timeline?limit=50",
            api,
        ),
        "holding_card_consolidated": (
            f"/api/v1/accounts/{data['holding']}/card?consolidated=true",
            api,
        ),
        "holding_timeline_consolidated": (
            f"/api/v1/accounts/{data['holding']}/timeline?consolidated=true&limit=50",
            api,
        ),
        "page_account_list": ("/accounts/", page),
        "page_account_card": (f"/accounts/{data['big_account']}/", page),
        "page_global_search": (f"/search/?q={quote(data['prefix'])}", page),
    }
    results: dict[str, Any] = {}
    try:
        for name, (path, headers) in routes.items():
            try:
                results[name] = measure(server.port, path, headers, requests)
            except RuntimeError as error:
                results[name] = {"path": path, "error": str(error)}
        floor = results["floor_no_database"]["p95_ms"]
        for result in results.values():
            if "p95_ms" in result:
                result["p95_over_floor_ms"] = round(result["p95_ms"] - floor, 2)
        memory = server.peak_memory_mb()
    finally:
        server.stop()
    return {
        "requests_per_route": requests,
        "targets": {
            "big_account_interactions": data["big_account_interactions"],
            "busiest_account_interactions": data["busiest_account_interactions"],
            "holding_accounts": data["holding_accounts"],
        },
        "routes": results,
        "server_peak_memory_mb": memory,
    }


def duplicate_scan_time(env: dict[str, str]) -> dict[str, Any]:
    code = (
        "import time\n"
        "from perpetuum.clients.duplicates import duplicate_scan\n"
        "began = time.perf_counter()\n"
        "result = duplicate_scan('contact')\n"
        "print(json.dumps({'seconds': round(time.perf_counter() - began, 1), "
        "'result': result.as_dict() if hasattr(result, 'as_dict') else result}))\n"
    )
    try:
        return django_shell(code, env)
    except (subprocess.CalledProcessError, json.JSONDecodeError) as error:
        return {"error": str(error)}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=200_000)
    parser.add_argument("--interactions", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--data-dir", type=Path, default=REPO / "var" / "bench")
    parser.add_argument("--reuse", action="store_true", help="measure the base already there")
    parser.add_argument("--skip-floor", action="store_true", help="skip the floor")
    parser.add_argument("--skip-dedup", action="store_true", help="skip the duplicate scan")
    options = parser.parse_args()

    env = {
        **os.environ,
        "PERPETUUM_DATA_DIR": str(options.data_dir),
        "PERPETUUM_ENV": "local",
        "DJANGO_SETTINGS_MODULE": "perpetuum.settings",
        "PYTHONPATH": str(REPO),
    }
    on_postgresql = bool(os.environ.get("DATABASE_URL"))
    report: dict[str, Any] = {
        "database": "postgresql" if on_postgresql else "sqlite",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "size": {
            "contacts": options.contacts,
            "accounts": options.accounts,
            "interactions": options.interactions,
        },
    }
    load_file = options.data_dir / f"load-{report['database']}.json"
    if options.reuse:
        # The load is measured once, when the base is made; a later run over the same base
        # reports it again as it was, so that one report holds everything.
        if load_file.exists():
            report["load"] = {"measured_when_loaded": True, **json.loads(load_file.read_text())}
    else:
        if on_postgresql:
            reset_postgresql(os.environ["DATABASE_URL"])
        else:
            database = options.data_dir / "perpetuum.sqlite3"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{database}{suffix}").unlink(missing_ok=True)
        options.data_dir.mkdir(parents=True, exist_ok=True)
        report["load"] = load(options, env)
        if not options.skip_floor:
            if on_postgresql:
                floor = copy_floor(os.environ["DATABASE_URL"])
                report["load"]["copy_floor"] = floor
            else:
                floor = executemany_floor(options.data_dir / "perpetuum.sqlite3")
                report["load"]["executemany_floor"] = floor
            for part in ("bulk_path", "whole_command"):
                report["load"][part]["share_of_floor"] = round(
                    report["load"][part]["rows_per_second"] / floor["rows_per_second"], 3
                )
        load_file.write_text(json.dumps(report["load"], indent=2))
    report["latency"] = measure_all(env, options.requests)
    if not options.skip_dedup:
        report["duplicate_scan"] = duplicate_scan_time(env)
    print(json.dumps(report, indent=2, ensure_ascii=False))


def reset_postgresql(url: str) -> None:
    """Drop and create the benchmark's PostgreSQL database."""
    import psycopg

    parts = urllib.parse.urlparse(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":
    main()
