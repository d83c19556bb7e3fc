"""A real Home Assistant (own process, this working tree) and headless Chromium driving its frontend.

Run without pytest-homeassistant-custom-component's plugin (``-p no:homeassistant``): nothing is
mocked here, Home Assistant runs as users run it and the test sees only what a browser sees.
"""

from __future__ import annotations

from collections.abc import Iterator
import os
from pathlib import Path
import shutil
import socket
import subprocess
import sys

from matplotlib import cbook
from playwright.sync_api import Browser, Page, expect, sync_playwright
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts" / "tools"))

from ha_rest import HomeAssistantRest  # noqa: E402

USER, PASSWORD = "owner", "browser-test-password"
# Two cores run Home Assistant, its frontend and Chromium at once: allow slow renders.
expect.set_options(timeout=20_000)
SCREENSHOTS = ROOT / "browser_tests" / "screenshots"
# Headless Chromium without a sandbox (it runs as root in a chroot) and without any traffic of
# its own: no updates, no sync, no QUIC.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

CONFIGURATION = """
homeassistant:
  name: Browser test home
  time_zone: UTC
  country: GB
  unit_system: metric
frontend:
config:
logger:
  default: warning
"""


def chromium() -> str | None:
    """Debian's Chromium, if it is installed."""
    return shutil.which("chromium")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_home_assistant(
    config: Path, configuration: str = CONFIGURATION, camera: bool = True
) -> tuple[subprocess.Popen[bytes], HomeAssistantRest]:
    """Home Assistant with this working tree's integration, onboarded, a camera of a real face.

    The camera (``camera.front_door_camera``) shows Grace Hopper; the photo is also at
    ``<config>/media/door.jpg`` for enrolment. ``configuration`` is its configuration.yaml;
    ``camera=False`` adds no camera (the photo is still there).
    """
    port = _free_port()
    (config / "configuration.yaml").write_text(configuration)
    (config / "custom_components").mkdir(exist_ok=True)
    link = config / "custom_components" / "intruder_alert"
    if not link.exists():
        link.symlink_to(ROOT / "custom_components" / "intruder_alert")
    # In the media folder, where Home Assistant allows actions to read files.
    (config / "media").mkdir(exist_ok=True)
    photo = config / "media" / "door.jpg"
    shutil.copy(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False), photo)
    # --skip-pip: everything comes from the test environment; a test never downloads.
    process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "-m", "homeassistant", "--config", str(config), "--skip-pip"],
        # The port without YAML: an http: section is migrated to the UI and asks for a confirmation.
        env={**os.environ, "SETUP_PORT": str(port)},
        stdout=(config / "console.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    api = HomeAssistantRest(f"http://127.0.0.1:{port}")
    try:
        api.wait_until_up(180)
        api.onboard("Owner", USER, PASSWORD)
        api.wait_until_running(180)
        if camera:
            api.flow("local_file", {"name": "Front door camera", "file_path": str(photo)})
    except BaseException:
        process.terminate()
        process.wait(60)
        raise
    return process, api


def stop_home_assistant(process: subprocess.Popen[bytes], config: Path) -> None:
    """Stop it, then fail on any ERROR of ours in its log (what a user would find there)."""
    process.terminate()
    process.wait(60)
    log = (config / "home-assistant.log").read_text(errors="replace")
    errors = [line for line in log.splitlines() if "intruder_alert" in line and " ERROR " in line]
    assert not errors, "\n".join(errors)


@pytest.fixture(scope="session")
def home_assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HomeAssistantRest]:
    """A running, onboarded Home Assistant."""
    config = tmp_path_factory.mktemp("config")
    process, api = start_home_assistant(config)
    yield api
    stop_home_assistant(process, config)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium."""
    executable = chromium()
    if executable is None:
        pytest.skip("Chromium is not installed (scripts/setup --browser installs it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def sign_in(browser: Browser, url: str, username: str, password: str) -> Page:
    """A new browser tab signed in through Home Assistant's login page, as a user does."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(url)
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    return page


@pytest.fixture
def page(browser: Browser, home_assistant: HomeAssistantRest) -> Iterator[Page]:
    """A browser tab of the owner (an administrator), signed in."""
    page = sign_in(browser, home_assistant.url, USER, PASSWORD)
    expect(page.get_by_role("heading", name="Welcome Owner")).to_be_visible()
    yield page
    page.context.close()


def screenshot(page: Page, name: str) -> Path:
    """Keep what the user saw at this point (browser_tests/screenshots/NAME.png)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    # After a navigation HA's launch screen fades out over the page: wait until it is gone.
    page.locator("#ha-launch-screen").wait_for(state="hidden")
    page.screenshot(path=path)
    return path


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """When a browser test fails, keep what the browser showed (screenshots/failed-TEST.png)."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    page = getattr(item, "funcargs", {}).get("page")
    if report.when == "call" and report.failed and page is not None:
        screenshot(page, f"failed-{item.name}")
