"""Time the background duplicate scan over a generated base.

    python -m bench.dedup_scan --data-dir var/dedup --contacts 100000
    python -m bench.dedup_scan --data-dir var/dedup              # the base already there
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/perpetuum_dedup python -m bench.dedup_scan \\
        --data-dir var/dedup-pg --contacts 100000

With `--contacts`, an empty database is migrated and filled by `perpetuum demo` (accounts:
a fifth of the contacts, no interactions) first. The scan then runs twice: the first run
also stores the name keys the bulk load left empty; the second is the steady state, a
rescan of a base whose keys are in place and whose pairs are already stored. Prints one
JSON report with rows per second and the time for 1,000,000 contacts extrapolated linearly
from the measured rate (the scan is near-linear by construction; see
`perpetuum.clients.duplicates`), by the wall clock and by this process's CPU time. On
SQLite the scan is single-threaded and the database works inside this process, so on a
machine shared with other work the CPU time is the better estimate of the wall time on an
idle one; the load average is printed beside them.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
MILLION = 1_000_000


def _environment(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("PERPETUUM_ENV", "local")
    env["PERPETUUM_DATA_DIR"] = str(data_dir)
    env.setdefault("DJANGO_SETTINGS_MODULE", "perpetuum.settings")
    return env


def _generate(contacts: int, accounts: int, seed: int, env: dict[str, str]) -> float:
    """Migrate and load the demo base in child processes; returns the seconds it took."""
    started = time.perf_counter()
    command = [sys.executable, "-m", "perpetuum.cli"]
    subprocess.run([*command, "manage", "migrate", "--verbosity", "0"], env=env, check=True)
    subprocess.run(
        [
            *command,
            "demo",
            "--contacts",
            str(contacts),
            "--accounts",
            str(accounts),
            "--interactions",
            "0",
            "--seed",
            str(seed),
            "--quiet",
        ],
        env=env,
        check=True,
    )
    return time.perf_counter() - started


def _scan(entity: str) -> dict[str, Any]:
    from perpetuum.clients.duplicates import duplicate_scan

    result = duplicate_scan(entity).as_dict()
    for clock in ("seconds", "cpu_seconds"):
        rate = result["records"] / result[clock] if result[clock] else 0
        result[f"rows_per_{clock.removesuffix('s')}"] = round(rate)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--contacts", type=int, help="generate this many contacts first")
    parser.add_argument("--accounts", type=int, help="with --contacts (default: a fifth)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--entity", choices=["contact", "account"], default="contact")
    options = parser.parse_args()

    data_dir = options.data_dir.resolve()
    env = _environment(data_dir)
    report: dict[str, Any] = {"data_dir": str(data_dir), "entity": options.entity}
    if options.contacts:
        accounts = options.accounts or max(1, options.contacts // 5)
        report["generate_seconds"] = round(
            _generate(options.contacts, accounts, options.seed, env), 1
        )
    os.environ.update(env)
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.db import connection

    from perpetuum.clients.models import Account, Contact

    model = Contact if options.entity == "contact" else Account
    report["database"] = connection.vendor
    report["rows"] = model.objects.count()
    first = _scan(options.entity)
    second = _scan(options.entity)
    report["first_scan"] = first
    report["rescan"] = second
    report["load_average"] = [round(value, 1) for value in os.getloadavg()]
    report["extrapolated_for_1m"] = {
        f"{name}_{clock}": round(MILLION / (scan[f"rows_per_{clock.removesuffix('s')}"] or 1), 1)
        for name, scan in (("first_scan", first), ("rescan", second))
        for clock in ("seconds", "cpu_seconds")
    }
    report["peak_memory_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
