"""Precision and recall of duplicate detection on the labelled evaluation set.

    python -m bench.dedup_eval                      # seed 2026: 3,000 people, 1,500 companies
    python -m bench.dedup_eval --seed 7 --people 10000 --companies 5000

Prints one JSON report: precision and recall overall and per entity, the recall of each kind
of variation (transliteration, umlauts, legal forms, word order, typos...), the false
positives by kind of look-alike, and the targets of issue 4 (precision ≥ 0.95, recall ≥
0.90). The set and the detector are described in `tests/clients/dedup_eval.py`; nothing is
written to any database.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--people", type=int, default=3000)
    parser.add_argument("--companies", type=int, default=1500)
    parser.add_argument("--duplicate-share", type=float, default=0.15)
    options = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perpetuum.settings")
    os.environ.setdefault("PERPETUUM_ENV", "local")
    os.environ.setdefault("PERPETUUM_DATA_DIR", tempfile.mkdtemp(prefix="perpetuum-dedup-"))
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from tests.clients.dedup_eval import build_eval_set, evaluate

    started = time.perf_counter()
    data = build_eval_set(
        options.seed,
        people=options.people,
        companies=options.companies,
        duplicate_share=options.duplicate_share,
    )
    built = time.perf_counter()
    report = evaluate(data)
    report["seconds"] = {
        "build": round(built - started, 2),
        "detect": round(time.perf_counter() - built, 2),
    }
    report["meets_targets"] = (
        report["precision"] >= report["targets"]["precision"]
        and report["recall"] >= report["targets"]["recall"]
    )
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
