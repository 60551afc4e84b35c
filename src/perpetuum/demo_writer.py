"""The demo's writer process (`perpetuum.demo._Writer`): `python -m perpetuum.demo_writer`.

It reads where to connect from `PERPETUUM_DEMO_WRITER` (the parent's socket, its one-time
key and the database name), sets Django up and serves the parent's commands.
"""

from __future__ import annotations

import json
import os
from multiprocessing.connection import Client


def main() -> None:
    order = json.loads(os.environ.pop("PERPETUUM_DEMO_WRITER"))
    import django

    django.setup()
    from django.db import connection

    connection.settings_dict["NAME"] = order["database"]
    from perpetuum.demo import serve_writer

    with Client(order["address"], family="AF_UNIX", authkey=bytes.fromhex(order["key"])) as pipe:
        serve_writer(pipe)


if __name__ == "__main__":
    main()
