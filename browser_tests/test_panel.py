"""The Intruder Alert panel in the sidebar, as the owner and a household member use it.

A Home Assistant of its own (fresh, like a new install with the demo's shape: an offline account,
a zone on a simulated PIR and a camera of a real face). Everything is done in the panel: the
test sees what a user sees, and Home Assistant's REST API only sets the stage.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
import re

from ha_rest import HomeAssistantRest
from playwright.sync_api import Browser, Page, expect
import pytest

from custom_components.intruder_alert.engine.local import LocalFaces
from tests.faces import crop, group_of_six, jpeg

from .conftest import PASSWORD, USER, screenshot, sign_in, start_home_assistant, stop_home_assistant

# Every panel command with a well-formed message: a non-administrator is refused by each.
COMMANDS = [
    {"type": "intruder_alert/runs"},
    {"type": "intruder_alert/run", "run_id": "x"},
    {"type": "intruder_alert/review"},
    {"type": "intruder_alert/dismiss", "run_id": "x", "face_index": 0},
    {"type": "intruder_alert/release_evidence", "run_id": "x"},
    {"type": "intruder_alert/people"},
    {
        "type": "intruder_alert/enroll_run_face",
        "run_id": "x",
        "face_index": 0,
        "tier": "whitelist",
        "name": "A",
    },
    {"type": "intruder_alert/enroll_upload", "tier": "whitelist", "name": "A", "image": "AAAA"},
    {"type": "intruder_alert/move", "name": "A", "from_tier": "whitelist", "to_tier": "blacklist"},
    {"type": "intruder_alert/remove", "tier": "whitelist", "name": "A"},
    {"type": "intruder_alert/zones"},
    {"type": "intruder_alert/recognise_now", "zone_id": "x"},
    {"type": "intruder_alert/person_rules", "tier": "whitelist", "name": "A"},
    {"type": "intruder_alert/set_person_rules", "tier": "whitelist", "name": "A"},
]


@pytest.fixture(scope="module")
def fresh_home(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[HomeAssistantRest, Path]]:
    """A new Home Assistant with an offline account and a zone "Front door" (Grace Hopper at the door)."""
    config = tmp_path_factory.mktemp("panel-config")
    process, api = start_home_assistant(config)
    try:
        account = api.flow("intruder_alert", {"next_step_id": "local"}, {})
        api.flow(
            [account["result"]["entry_id"], "zone"],
            {"name": "Front door", "motion_source": "gpio", "camera_source": "entity"},
            {"motion_pin": 17, "gpio_backend": "mock"},
            {"camera_entity": "camera.front_door_camera"},
            {"recognize_on_motion": True, "cooldown": 5, "frames": 1, "burst_interval": 0.5},
            subentry=True,
        )
        yield api, config
    finally:
        stop_home_assistant(process, config)


@pytest.fixture
def owner(browser: Browser, fresh_home: tuple[HomeAssistantRest, Path]) -> Iterator[Page]:
    """The owner (an administrator), signed in, on the panel."""
    api, _ = fresh_home
    page = sign_in(browser, api.url, USER, PASSWORD)
    expect(page.locator("ha-sidebar").get_by_text("Intruder Alert")).to_be_visible()
    yield page
    page.context.close()


def _tab(page: Page, name: str) -> None:
    page.get_by_role("tab", name=re.compile(f"^{name}")).click()
    expect(page.get_by_role("tab", name=re.compile(f"^{name}"))).to_have_attribute(
        "aria-selected", "true"
    )


def _recognise_now(page: Page, verdict: str) -> None:
    _tab(page, "Zones")
    page.get_by_role("button", name="Recognise now").click()
    expect(page.get_by_role("status")).to_contain_text(f"Front door: {verdict}")


def _loaded(page: Page, image: str) -> int:
    """The natural width of an image once loaded (0 when the browser could not load it)."""
    return int(
        page.locator(image).first.evaluate(
            "img => img.decode().then(() => img.naturalWidth, () => 0)"
        )
    )


def test_teach_a_face_in_the_panel(owner: Page, fresh_home: tuple[HomeAssistantRest, Path]) -> None:
    """From a stranger at the door to a known intruder, all in the panel.

    Unknown visitor in Visitors and Review → named there → the next run knows them → moved to
    the blacklist → the next run is blacklisted; a person added by upload, then removed.
    """
    api, config = fresh_home
    page = owner
    page.locator("ha-sidebar").get_by_text("Intruder Alert").click()
    expect(page.get_by_text("No visitors yet.")).to_be_visible()

    # Nobody is enrolled: Grace Hopper at the door is a stranger; she comes back.
    _recognise_now(page, "Unknown")
    _recognise_now(page, "Unknown")
    screenshot(page, "panel-01-zones")
    _tab(page, "Visitors")
    card = page.locator("intruder-alert-visitors button.run").first
    expect(card).to_contain_text("Unknown")
    expect(card).to_contain_text("Front door")
    assert 0 < _loaded(page, "intruder-alert-visitors img.thumb") <= 240  # a thumbnail
    screenshot(page, "panel-02-visitors")

    _tab(page, "Review")
    pending = page.locator("intruder-alert-review .pending")
    # Both visits are one remembered stranger: one decision, with both faces.
    expect(pending).to_have_count(1)
    expect(pending).to_contain_text("Seen 2 times")
    expect(pending.locator("img.small")).to_have_count(1)
    # The escalation notification's "Add as…" opens Review at exactly that face.
    run_id = pending.get_attribute("data-run-id")
    page.goto(f"{api.url}/intruder-alert/review?run_id={run_id}&face_index=0")
    expect(page.locator("intruder-alert-review .pending.wanted")).to_have_count(1)
    expect(pending).to_contain_text("Nobody enrolled looks alike")
    assert _loaded(page, "intruder-alert-review img.face") > 0
    screenshot(page, "panel-03-review")
    pending.get_by_role("button", name="New person").click()
    pending.get_by_role("textbox", name="Name").fill("Grace Hopper")
    pending.get_by_role("combobox", name="List").select_option("whitelist")
    pending.get_by_role("button", name="Add").click()
    expect(page.get_by_role("status")).to_contain_text("Saved: Grace Hopper (Whitelist)")
    expect(page.get_by_text("Nothing to review")).to_be_visible()

    # The next run knows her, by the face that was shown.
    _recognise_now(page, "Known")
    expect(page.get_by_role("status")).to_contain_text("Grace Hopper")

    # People: she is on the whitelist, taught from both of her visits.
    _tab(page, "People")
    grace = page.locator('intruder-alert-people .person[data-name="Grace Hopper"]')
    expect(grace).to_have_attribute("data-tier", "whitelist")
    expect(grace).to_contain_text("2 faces")
    expect(grace).to_contain_text("Always allowed")
    assert _loaded(page, "intruder-alert-people .person img.face") > 0
    screenshot(page, "panel-04-people")

    # When she is allowed: a last day that has passed, so her next visit alerts.
    grace.get_by_role("button", name="When allowed").click()
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    grace.get_by_label("Last allowed day").fill(yesterday)
    screenshot(page, "panel-06-rules")
    grace.get_by_role("button", name="Save rules").click()
    expect(page.get_by_role("status")).to_contain_text("Rules of Grace Hopper saved")
    expect(grace.locator(".rules")).to_contain_text("until")
    _recognise_now(page, "Not allowed now")
    expect(page.get_by_role("status")).to_contain_text("after their last allowed day")
    assert api.state("sensor.front_door_last_verdict")["state"] == "person_outside_rules"
    _tab(page, "People")
    grace.get_by_role("button", name="When allowed").click()
    grace.get_by_role("button", name="Always allow").click()
    expect(grace.locator(".rules")).to_have_text("Always allowed")

    # Move her to the blacklist.
    grace.get_by_role("button", name="Move to Blacklist").click()
    expect(page.get_by_role("status")).to_contain_text("Grace Hopper was moved to the Blacklist")
    expect(grace).to_have_attribute("data-tier", "blacklist")
    _recognise_now(page, "Blacklisted")
    assert api.state("sensor.front_door_last_verdict")["state"] == "blacklisted_person"

    # A new person from a photo uploaded in the browser (no path on the server), then removed.
    _tab(page, "People")
    # One of the six people of insightface's group photo, cut out as a user crops a photo.
    group = group_of_six()
    box = LocalFaces().detect_faces(jpeg(group))[1]["BoundingBox"]
    photo = config / "visitor.jpg"
    photo.write_bytes(jpeg(crop(group, box, margin=1.0)))
    form = page.locator("intruder-alert-people form")
    form.get_by_role("textbox", name="Name").fill("Ada Lovelace")
    form.get_by_role("combobox", name="List").select_option("whitelist")
    form.locator("input.photo").set_input_files(photo)
    form.get_by_role("button", name="Add person").click()
    expect(page.get_by_role("status")).to_contain_text("Ada Lovelace was added to the Whitelist")
    ada = page.locator('intruder-alert-people .person[data-name="Ada Lovelace"]')
    expect(ada).to_have_attribute("data-tier", "whitelist")
    ada.get_by_role("button", name="Remove").click()
    expect(ada).to_contain_text("Forget Ada Lovelace?")
    ada.get_by_role("button", name="Remove").click()
    expect(page.get_by_role("status")).to_contain_text("Ada Lovelace was removed")
    expect(ada).to_have_count(0)
    people = api.action("intruder_alert", "list_people", {})
    assert [p["name"] for p in people["whitelist"]] == []
    assert [p["name"] for p in people["blacklist"]] == ["Grace Hopper"]

    # Visitors: newest first; a run opens full size with each face listed.
    _tab(page, "Visitors")
    runs = page.locator("intruder-alert-visitors button.run")
    expect(runs).to_have_count(5)
    expect(runs.first).to_contain_text("Blacklisted")
    runs.first.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Grace Hopper")
    expect(dialog).to_contain_text("Blacklist")
    assert _loaded(page, "intruder-alert-visitors img.full") == 512
    screenshot(page, "panel-05-run")
    # A blacklisted face is kept as evidence past the retention until the owner releases it.
    expect(dialog).to_contain_text("Kept as evidence")
    expect(runs.first.locator(".chip.evidence")).to_have_count(1)
    screenshot(page, "panel-06-evidence")
    dialog.get_by_role("button", name="Release").click()
    expect(dialog).to_contain_text("Released: deleted with the other old visits")
    expect(dialog.get_by_role("button", name="Release")).to_have_count(0)
    expect(runs.first.locator(".chip.evidence")).to_have_count(0)
    dialog.get_by_role("button", name="Close").click()
    # The stranger seen while the zone was armed (no alarm panel: always) is still kept; the
    # known visits (also the one outside her rules) never were.
    expect(runs.nth(3).locator(".chip.evidence")).to_have_count(1)
    expect(runs.nth(2).locator(".chip.evidence")).to_have_count(0)
    expect(runs.nth(1)).to_contain_text("Not allowed now")
    expect(runs.nth(1).locator(".chip.evidence")).to_have_count(0)
    page.get_by_role("combobox", name="Verdict").select_option("unknown")
    expect(runs).to_have_count(2)


def test_household_member_sees_no_panel(
    browser: Browser, owner: Page, fresh_home: tuple[HomeAssistantRest, Path]
) -> None:
    """A non-administrator has no "Intruder Alert" in the sidebar and every command refuses them."""
    api, _ = fresh_home
    owner.evaluate(
        """async () => {
            const hass = document.querySelector("home-assistant").hass;
            const created = await hass.callWS({type: "config/auth/create", name: "Household",
                group_ids: ["system-users"], local_only: false});
            await hass.callWS({type: "config/auth_provider/homeassistant/create",
                user_id: created.user.id, username: "household", password: "household-password"});
        }"""
    )
    page = sign_in(browser, api.url, "household", "household-password")
    page.wait_for_function(
        "document.querySelector('home-assistant')?.hass?.user?.name === 'Household'"
    )
    expect(page.locator("ha-sidebar").get_by_text("Settings")).to_have_count(0)
    expect(page.locator("ha-sidebar").get_by_text("Intruder Alert")).to_have_count(0)
    page.goto(f"{api.url}/intruder-alert")
    page.wait_for_timeout(2000)
    expect(page.locator("intruder-alert-panel")).to_have_count(0)
    codes = page.evaluate(
        """async (commands) => {
            const hass = document.querySelector("home-assistant").hass;
            const codes = [];
            for (const command of commands) {
                try { await hass.callWS(command); codes.push("ok"); }
                catch (error) { codes.push(error.code); }
            }
            return codes;
        }""",
        COMMANDS,
    )
    assert codes == ["unauthorized"] * len(COMMANDS)
    page.context.close()
