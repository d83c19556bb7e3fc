"""The account and zone flows as a user walks them in Home Assistant's frontend.

Each step is a screenshot in browser_tests/screenshots/. What the test checks is what the user
sees: our translated titles, menu, field labels and errors, and the result on the integration's
page; Home Assistant's REST API then confirms what was stored.
"""

from __future__ import annotations

import re

from ha_rest import HomeAssistantRest
from playwright.sync_api import Page, expect
import pytest

from .conftest import screenshot


def _open_add_integration(page: Page, home_assistant: HomeAssistantRest) -> None:
    page.goto(f"{home_assistant.url}/config/integrations/dashboard")
    page.get_by_role("button", name="Add integration").click()
    # Into the field itself: keys typed before it has focus reach HA's shortcuts ("d" = devices).
    page.get_by_placeholder("Search for a brand name").fill("Intruder")
    page.get_by_text("Intruder Alert", exact=True).click()
    expect(page.get_by_text("Where should faces be recognised?")).to_be_visible()


def test_account_flow(page: Page, home_assistant: HomeAssistantRest) -> None:
    """Add Intruder Alert: the backend menu, an AWS form error, then an offline account."""
    _open_add_integration(page, home_assistant)
    expect(page.get_by_text("AWS Rekognition (cloud)")).to_be_visible()
    expect(page.get_by_text("On this device (offline)")).to_be_visible()
    screenshot(page, "01-account-menu")

    # The AWS form refuses a collection id with a space before asking AWS anything.
    page.get_by_text("AWS Rekognition (cloud)").click()
    expect(page.get_by_text("Connect your AWS account")).to_be_visible()
    page.get_by_role("textbox", name="Access key ID").fill("AKIAIOSFODNN7EXAMPLE")
    page.get_by_role("textbox", name="Secret access key").fill("browser-test-secret")
    page.get_by_role("textbox", name="Whitelist collection").fill("front door")
    page.get_by_role("button", name="Submit").click()
    expect(
        page.get_by_text("Collection IDs may contain only letters, digits, '_', '.' and '-'")
    ).to_be_visible()
    expect(page.get_by_role("textbox", name="Secret access key")).to_have_attribute(
        "type", "password"
    )
    screenshot(page, "02-aws-form-error")
    assert home_assistant.entries("intruder_alert") == []

    # The user closes the dialog and picks the offline backend instead.
    page.get_by_role("button", name="Close").first.click()
    _open_add_integration(page, home_assistant)
    page.get_by_text("On this device (offline)").click()
    expect(page.get_by_text("Recognise on this device")).to_be_visible()
    expect(page.get_by_text("never photos")).to_be_visible()
    screenshot(page, "03-offline-confirm")
    page.get_by_role("button", name="Submit").click()
    # Home Assistant offers to name the account's device and give it an area.
    expect(page.get_by_text("Name and assign")).to_be_visible()
    expect(page.get_by_text("dlib (on this device)")).to_be_visible()
    expect(page.get_by_role("textbox", name="Device name")).to_have_value(
        "Intruder Alert (on this device)"
    )
    screenshot(page, "04-account-created")
    page.get_by_role("button", name="Skip and finish").click()

    entries = home_assistant.entries("intruder_alert")
    assert [(entry["title"], entry["state"]) for entry in entries] == [
        ("Intruder Alert (on this device)", "loaded")
    ]


def test_zone_flow(page: Page, home_assistant: HomeAssistantRest) -> None:
    """Add a zone: simulated PIR after a GPIO error, a camera picked by name, a buzzer pin."""
    if not home_assistant.entries("intruder_alert"):
        home_assistant.flow("intruder_alert", {"next_step_id": "local"}, {})
    page.goto(f"{home_assistant.url}/config/integrations/integration/intruder_alert")
    page.get_by_role("button", name="Add Intruder Alert zone").click()
    expect(page.get_by_text("Add an Intruder Alert zone")).to_be_visible()
    page.get_by_role("textbox", name="Name").fill("Front door")
    page.get_by_role("radio", name="PIR on a GPIO pin").check()
    page.get_by_role("radio", name="Existing camera").check()
    screenshot(page, "05-zone-sources")
    page.get_by_role("button", name="Next").click()

    # This machine has no GPIO chip: the automatic back-end says so in the form.
    expect(page.get_by_text("PIR on a GPIO pin", exact=True)).to_be_visible()
    expect(page.get_by_role("spinbutton", name="GPIO pin (BCM)")).to_have_value("17")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("GPIO cannot be used on this host")).to_be_visible()
    screenshot(page, "06-zone-gpio-error")
    page.get_by_role("radio", name="Simulated pins (no hardware)").check()
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_text("Existing camera", exact=True)).to_be_visible()
    page.get_by_text("Select an entity").click()
    page.get_by_text("Front door camera", exact=True).last.click()
    screenshot(page, "07-zone-camera")
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_text("How the zone behaves")).to_be_visible()
    buzzer = page.get_by_role("spinbutton", name="Buzzer GPIO pin (optional)")
    buzzer.fill("17")
    page.get_by_role("button", name="Submit").click()
    expect(
        page.get_by_text("This pin is already used by another zone or by this zone's PIR.")
    ).to_be_visible()
    screenshot(page, "08-zone-pin-in-use")
    buzzer.fill("18")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("Created configuration for Front door.")).to_be_visible()
    screenshot(page, "09-zone-created")
    page.get_by_role("button", name="Finish").click()
    expect(page.get_by_text("Created configuration for Front door.")).to_be_hidden()

    # The zone is a device of the account, with its entities, on the integration's page: no
    # camera of its own, it uses "Front door camera". (The frontend wraps the count in Unicode
    # isolation marks.) The count is of the entity registry (config/entity_registry/list), so it
    # includes "Median face size", which is disabled by default: still 11.
    expect(
        page.get_by_role("button", name=re.compile(r"^Front door Zone • \W?11 entities"))
    ).to_be_visible()
    expect(
        page.get_by_role("button", name=re.compile(r"^Intruder Alert \(on this device\) dlib"))
    ).to_be_visible()
    screenshot(page, "10-integration-page")
    states = {state["entity_id"]: state for state in home_assistant.call("GET", "/api/states")}
    assert states["binary_sensor.front_door_motion"]["state"] == "off"
    assert states["siren.front_door_buzzer"]["state"] == "off"
    assert "button.front_door_simulate_motion" in states


def test_simulated_motion_in_the_frontend(page: Page, home_assistant: HomeAssistantRest) -> None:
    """On the zone's device page: Simulate motion → the last verdict names who was at the door."""
    states = {state["entity_id"] for state in home_assistant.call("GET", "/api/states")}
    if "button.front_door_simulate_motion" not in states:
        pytest.skip("needs the zone of test_zone_flow")
    config = home_assistant.call("GET", "/api/config")
    home_assistant.call(
        "POST",
        "/api/services/intruder_alert/enroll_face",
        {
            "tier": "whitelist",
            "name": "Grace Hopper",
            "image_path": f"{config['config_dir']}/media/door.jpg",
        },
    )
    page.goto(f"{home_assistant.url}/config/integrations/integration/intruder_alert")
    page.get_by_role("button", name=re.compile(r"^Front door Zone")).click()
    expect(page.get_by_text("Simulate motion")).to_be_visible()
    expect(page.get_by_text("Known person")).to_have_count(0)
    # "Recognise now" is a main control of every zone; "Simulate motion" (diagnostic) drives
    # the simulated PIR pin, as a person walking by would.
    expect(page.get_by_text("Recognise now")).to_be_visible()
    screenshot(page, "11-zone-device")
    simulate = page.locator("hui-generic-entity-row", has_text="Simulate motion")
    simulate.get_by_role("button", name="Press").click()

    # The event entity and the last-verdict sensor tell who it was, in the same words.
    expect(page.get_by_text("Known person").first).to_be_visible()
    expect(page.locator("body")).to_match_aria_snapshot(
        '- heading "Sensors"\n- list: /Last verdict Known person Last visitor/'
    )
    screenshot(page, "12-after-motion")
    # The last-visitor image: the frame with a box and the name on each face.
    page.get_by_text("Last visitor", exact=True).click()
    image = page.get_by_role("img", name="Front door Last visitor")
    expect(image).to_be_visible()
    width = image.evaluate("img => img.decode().then(() => img.naturalWidth)")
    assert width == 512  # Grace Hopper's photo, 512 by 600 pixels
    screenshot(page, "13-last-visitor")
    verdict = home_assistant.call("GET", "/api/states/sensor.front_door_last_verdict")
    assert verdict["state"] == "known_person"
    assert verdict["attributes"]["names"] == ["Grace Hopper"]
