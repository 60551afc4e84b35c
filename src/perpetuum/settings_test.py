"""Fast settings for the test suite: cheap hashing, tasks run at once, no HTTPS redirect."""

import os
import tempfile

os.environ.setdefault("PERPETUUM_SECRET_KEY", "test-only-not-secret")
os.environ.setdefault("PERPETUUM_ENV", "local")
os.environ.setdefault("PERPETUUM_DATA_DIR", tempfile.mkdtemp(prefix="perpetuum-test-"))

from perpetuum.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
