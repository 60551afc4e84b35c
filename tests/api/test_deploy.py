"""What an operator relies on before deploying: the migrations match the models, and
Django's deployment checks pass with the production settings."""

from __future__ import annotations

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

REPOSITORY = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_the_migrations_describe_every_model() -> None:
    # `--check` exits with status 1 (SystemExit) when a migration is missing.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_check_deploy_is_clean_with_the_production_settings(tmp_path: Path) -> None:
    alphabet = string.ascii_letters + string.digits + string.punctuation
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("PERPETUUM_", "DJANGO_")) and name != "DATABASE_URL"
    }
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "perpetuum.settings",
            "PERPETUUM_ENV": "production",
            "PERPETUUM_SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(64)),
            "PERPETUUM_ALLOWED_HOSTS": "crm.example.com",
            "PERPETUUM_DATA_DIR": str(tmp_path),
        }
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPOSITORY,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
