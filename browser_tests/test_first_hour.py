"""The README's first hour on the demo, in a browser: what `scripts/develop` shows a new user.

A fresh Home Assistant with the demo's configuration.yaml, set up by the demo's own code
(scripts/tools/demo.py), and the demo's mail console in this process. The user logs in, finds the
zone on the first dashboard view, presses Recognise now, sees the last visitor and the verdict,
hears the buzzer go on and off, opens the panel, and the owner's email arrives. Any ERROR of
ours in Home Assistant's log fails the test (stop_home_assistant).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import demo
from ha_rest import HomeAssistantRest
from mail_console import PrintMail, serve
from playwright.sync_api import Browser, Locator, Page, expect
import pytest

from .conftest import (
    PASSWORD,
    USER,
    _free_port,
    screenshot,
    sign_in,
    start_home_assistant,
    stop_home_assistant,
)


@dataclass
class Demo:
    api: HomeAssistantRest
    config: Path
    entities: dict[str, str]
    inbox: PrintMail


@pytest.fixture(scope="module")
def the_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """Home Assistant set up as `scripts/develop` sets it up, its mail server on a free port."""
    config = tmp_path_factory.mktemp("demo-config")
    port = _free_port()
    controller, inbox = serve(port, echo=False)
    try:
        demo.configure(config)
        process, api = start_home_assistant(config, demo.CONFIGURATION, camera=False)
        try:
            entities = demo.set_up_demo(api, config, smtp_port=port)
            yield Demo(api, config, entities, inbox)
        finally:
            stop_home_assistant(process, config)
    finally:
        controller.stop()


@pytest.fixture
def page(browser: Browser, the_demo: Demo) -> Iterator[Page]:
    """The owner, signed in (on the default dashboard, as after every login)."""
    page = sign_in(browser, the_demo.api.url, USER, PASSWORD)
    yield page
    page.context.close()


def _tile(page: Page, name: str) -> Locator:
    """The dashboard tile named ``name``."""
    return page.locator("hui-tile-card").filter(has=page.get_by_text(name, exact=True))


def test_first_hour(page: Page, the_demo: Demo) -> None:
    """Log in → the zone is the first view → Recognise now → visitor, verdict, buzzer, email."""
    # The first view of the default dashboard is the zone, and nothing has run yet.
    expect(page.get_by_text(demo.ZONE, exact=True).first).to_be_visible()
    verdict = _tile(page, "Last verdict")
    expect(verdict).to_contain_text("No run yet")
    siren = _tile(page, "Buzzer")
    expect(siren).to_contain_text("Off")
    expect(_tile(page, "Recognize on motion")).to_contain_text("On")
    expect(_tile(page, "Motion")).to_be_visible()
    panel = page.get_by_role("button", name="Intruder Alert panel")
    expect(panel).to_be_visible()
    picture = page.locator("hui-picture-entity-card img")
    expect(picture).to_be_visible()
    before = picture.get_attribute("src")
    screenshot(page, "first-hour-01-dashboard")

    _tile(page, "Recognise now").click()
    # The buzzer sounds for a few seconds only: look at it before anything else (a busy machine
    # renders slowly).
    expect(siren).to_contain_text("On")
    # One of the six people at the door is on the blacklist.
    expect(verdict).to_contain_text("Blacklisted person")
    expect(picture).not_to_have_attribute("src", before or "")
    assert picture.evaluate("img => img.decode().then(() => img.naturalWidth, () => 0)") > 0
    screenshot(page, "first-hour-02-alarm")
    expect(siren).to_contain_text("Off", timeout=(demo.SIREN_SECONDS + 20) * 1000)

    # The owner's email says who was seen, with the snapshot.
    (mail,) = the_demo.inbox.wait_for(1, seconds=30)
    assert mail.subject == f"Intruder Alert: blacklisted person at {demo.ZONE}", mail
    assert "Demo intruder" in mail.body, mail
    assert any(name.startswith("snapshot.jpg") for name in mail.attachments), mail

    # The demo's automations can be edited in the UI (they have ids); the siren one drives it.
    siren_automation = the_demo.api.call(
        "GET", "/api/config/automation/config/intruder_alert_demo_siren"
    )
    assert siren_automation["use_blueprint"]["input"]["siren"] == the_demo.entities["siren"]

    # The panel, one tap away, lists the visit.
    panel.click()
    expect(page).to_have_url(f"{the_demo.api.url}{demo.PANEL_PATH}")
    card = page.locator("intruder-alert-visitors button.run").first
    expect(card).to_contain_text("Blacklisted")
    expect(card).to_contain_text(demo.ZONE)
    screenshot(page, "first-hour-03-panel")

    # Settings shows no repair of ours on a demo that works.
    issues = the_demo.api.ws({"type": "repairs/list_issues"})["issues"]
    ours = [i for i in issues if "intruder_alert" in (i["domain"], i["issue_domain"])]
    assert ours == []
