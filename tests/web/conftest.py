"""Fixtures of the workspace tests: signed-in clients, seeded records and a real browser.

The browser is Debian's Chromium (`/usr/bin/chromium`), installed with apt when missing and
driven headless by Playwright's sync API against pytest-django's `live_server`. Playwright's
own browser downloads are never used. A browser test that fails leaves a screenshot in
`test-artifacts/`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

XSS_PAYLOADS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']


@pytest.fixture
def signed_in(client: Client) -> Callable[[Any], Client]:
    """`signed_in(user)`: the test client with `user` signed in."""

    def sign_in(user: Any) -> Client:
        client.force_login(user)
        return client

    return sign_in
