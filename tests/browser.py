"""The real browser of the test suite, one per test process: Debian's Chromium
(`/usr/bin/chromium`), installed with apt when missing, driven headless by Playwright's sync
API against pytest-django's `live_server`. Playwright's own browser downloads are never
used. A browser test that fails leaves a screenshot in `test-artifacts/`.

Registered once, for every test folder, by `pytest_plugins` in tests/conftest.py: two
Playwright instances in one process refuse to run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse
# database access from it as "async-unsafe".
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Iterator[None]:
    """Keep each phase's report on the test item, so fixtures can see a failure."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


def _ensure_chromium() -> str:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    apt = shutil.which("apt-get")
    if apt is None:
        pytest.skip("Debian's Chromium is missing and there is no apt-get to install it")
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        subprocess.run([apt, "update"], check=True, capture_output=True, timeout=900)  # noqa: S603
        subprocess.run(  # noqa: S603
            [apt, "install", "-y", "--no-install-recommends", "chromium"],
            check=True,
            capture_output=True,
            timeout=1800,
            env=environment,
        )
    except (OSError, subprocess.SubprocessError) as error:
        pytest.skip(f"Debian's Chromium is missing and apt-get could not install it: {error}")
    if not Path(CHROMIUM).exists():
        pytest.skip("apt-get ran but /usr/bin/chromium is still missing")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Debian Chromium for the whole session."""
    executable = _ensure_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, live_server: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser tab on the live server. Any JavaScript dialog (alert, confirm)
    fails the test: the pages open none, so one means injected script ran."""
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="en-US"
    )
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    tab.on("dialog", on_dialog)
    tab.dialogs = dialogs
    yield tab
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)[-150:]
        try:
            tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        except Exception as error:
            print(f"could not save a screenshot: {error}")
    context.close()
    assert dialogs == [], f"a JavaScript dialog opened: {dialogs}"


@pytest.fixture
def sign_in_browser(live_server: Any) -> Callable[[Any, Any], None]:
    """Put a signed-in session of `user` into the browser tab (no form round trip)."""

    def sign_in(tab: Any, user: Any) -> None:
        client = Client()
        client.force_login(user)
        session = client.cookies["sessionid"].value
        tab.context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])

    return sign_in
