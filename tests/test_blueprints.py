"""The alert blueprints end to end: real automations, HA's SMTP integration, a real SMTP server."""

from __future__ import annotations

import asyncio
from collections.abc import Generator
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
import errno
import io
from pathlib import Path
import shutil
import socket
from typing import Any
from unittest.mock import patch
import urllib.parse

from aiosmtpd.controller import Controller
from freezegun.api import FrozenDateTimeFactory
from PIL import Image
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
    async_mock_service,
)

from custom_components.intruder_alert.const import DOMAIN, EVENT_INTRUDER_ALERT
from homeassistant.components.automation.config import AUTOMATION_BLUEPRINT_SCHEMA
from homeassistant.components.blueprint import models
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import homeassistant.util.yaml as yaml_util

from .conftest import (
    BLACKLIST,
    WHITELIST,
    SceneCamera,
    enroll_directly,
    gpio_zone,
    wait_until,
    zone_data,
)
from .rekognition_server import Fault, RekognitionServer
from .scenes import Person, empty, portrait, scene

BLUEPRINTS = Path(__file__).resolve().parents[1] / "blueprints" / "automation" / "intruder_alert"
OWNER = "owner@example.com"
POLICE = "police@example.com"


class Inbox:
    """aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for rcpt, message in self.messages if address in rcpt]


@pytest.fixture
def inbox(socket_enabled: None) -> Generator[Inbox]:
    """A real SMTP server on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    handler.port = port  # type: ignore[attr-defined]
    yield handler
    controller.stop()


async def _smtp_recipient(hass: HomeAssistant, inbox: Inbox, address: str, name: str) -> str:
    """Set up HA's SMTP integration through its config flow; return the recipient's notify entity."""
    entries = hass.config_entries.async_entries("smtp")
    if not entries:
        result = await hass.config_entries.flow.async_init("smtp", context={"source": "user"})
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"],
            {
                "sender": "alarm@example.com",
                "server": "127.0.0.1",
                "port": inbox.port,  # type: ignore[attr-defined]
                "encryption": "none",
                "verify_ssl": False,
                "options": {},
            },
        )
        assert result["type"] == "create_entry", result
        entry = result["result"]
        subflow = await hass.config_entries.subentries.async_configure(
            result["next_flow"][1], {"recipient": address, "name": name}
        )
    else:
        entry = entries[0]
        subflow = await hass.config_entries.subentries.async_init(
            (entry.entry_id, "recipient"), context={"source": "user"}
        )
        subflow = await hass.config_entries.subentries.async_configure(
            subflow["flow_id"], {"recipient": address, "name": name}
        )
    assert subflow["type"] == "create_entry"
    await hass.async_block_till_done()
    states = [
        s.entity_id
        for s in hass.states.async_all("notify")
        if s.attributes.get("friendly_name", "").endswith(name)
    ]
    assert len(states) == 1, hass.states.async_all("notify")
    return states[0]


async def _automations(hass: HomeAssistant, *automations: tuple[str, dict[str, Any]]) -> None:
    """Install the blueprints where HA looks for them and load automations from them."""
    target = Path(hass.config.path("blueprints/automation/intruder_alert"))
    await hass.async_add_executor_job(lambda: target.mkdir(parents=True, exist_ok=True))
    for blueprint in BLUEPRINTS.glob("*.yaml"):
        await hass.async_add_executor_job(shutil.copy, blueprint, target / blueprint.name)
    config = [
        {"alias": name, "use_blueprint": {"path": f"intruder_alert/{name}.yaml", "input": inputs}}
        for name, inputs in automations
    ]
    assert await async_setup_component(hass, "automation", {"automation": config})
    await hass.async_block_till_done()
    for name, _ in automations:
        assert hass.states.get(f"automation.{name}").state == "on", f"{name} did not load"


async def _settle() -> None:
    """Give automations that should not act the time they would need to act."""
    await asyncio.sleep(0.3)


async def _motion(hass: HomeAssistant, zone_entry: MockConfigEntry) -> None:
    """Motion in the zone; returns when its run is done and automations had time to react."""
    zone = next(iter(zone_entry.runtime_data.zones.values()))
    runs = zone.stats.runs
    hass.states.async_set("binary_sensor.hall_motion", "off")
    hass.states.async_set("binary_sensor.hall_motion", "on")
    await wait_until(lambda: zone.stats.runs > runs and not zone._running)
    await _settle()


def _snapshot(message: EmailMessage) -> Image.Image:
    attachment = next(message.iter_attachments())
    assert attachment.get_content_type() == "image/jpeg"
    return Image.open(io.BytesIO(attachment.get_content()))


def test_blueprints_pass_home_assistant_validation() -> None:
    """Every shipped blueprint passes HA's own blueprint schema."""
    files = sorted(BLUEPRINTS.glob("*.yaml"))
    assert [f.stem for f in files] == [
        "email_authorities",
        "email_owner",
        "escalate_to_phone",
        "siren_on_intruder",
        "who_is_this",
    ]
    for file in files:
        blueprint = models.Blueprint(
            yaml_util.load_yaml_dict(file),
            expected_domain="automation",
            schema=AUTOMATION_BLUEPRINT_SCHEMA,
        )
        assert blueprint.metadata["source_url"].endswith(file.name)


@pytest.mark.parametrize("zones", [[zone_data(title="Front door")]])
async def test_owner_and_authorities_emails(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    rekognition_server: RekognitionServer,
    scene_camera: SceneCamera,
    inbox: Inbox,
) -> None:
    """Unknown → owner email; blacklisted → owner and police; known → nothing; failure → owner."""
    owner = await _smtp_recipient(hass, inbox, OWNER, "Owner")
    police = await _smtp_recipient(hass, inbox, POLICE, "Police")
    await _automations(
        hass,
        ("email_owner", {"recipients": [owner], "interval": 0}),
        (
            "email_authorities",
            {"recipients": [police], "address": "1 Main Street\nSpringfield", "confirm": False},
        ),
    )
    enroll_directly(rekognition_server, WHITELIST, "alice", "Alice")
    enroll_directly(rekognition_server, BLACKLIST, "eve", "Eve")
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)

    # A known face: nothing is sent.
    scene_camera.frame = portrait("alice")
    await _motion(hass, zone_entry)
    assert inbox.messages == []

    # A stranger.
    scene_camera.frame = scene([Person("alice", 40, 60, 200), Person("mallory", 400, 100, 120)])
    await _motion(hass, zone_entry)
    [message] = inbox.to(OWNER)
    assert message["Subject"] == "Intruder Alert: unknown person at Front door"
    assert message["To"] == f"Owner <{OWNER}>"
    body = message.get_body(("plain",)).get_content()
    assert "Zone: Front door" in body
    assert "Who: Known: Alice; 1 unknown" in body.splitlines()
    snapshot_file = events[-1].data["snapshot_path"]
    with _snapshot(message) as attached, Image.open(snapshot_file) as on_disk:
        assert attached.size == on_disk.size == (640, 480)
        assert attached.getpixel((100, 100)) == on_disk.getpixel((100, 100))

    # A blacklisted person: the owner and the authorities.
    scene_camera.frame = portrait("eve")
    await _motion(hass, zone_entry)
    assert len(inbox.to(OWNER)) == 2
    [report] = inbox.to(POLICE)
    assert report["Subject"] == "Known intruder at 1 Main Street"
    assert report["X-Priority"] is not None
    text = report.get_body(("plain",)).get_content()
    assert "Who: Blacklisted: Eve 99 %" in text.splitlines()
    assert "Springfield" in text
    with _snapshot(report) as attached:
        assert attached.size == (640, 480)

    # The cloud fails: the owner still gets the snapshot.
    rekognition_server.service.faults.append(Fault("*", "error500", count=100))
    scene_camera.frame = portrait("mallory")
    await _motion(hass, zone_entry)
    failure = inbox.to(OWNER)[-1]
    assert failure["Subject"] == "Intruder Alert: recognition failed at Front door"
    lines = failure.get_body(("plain",)).get_content().splitlines()
    assert any(line.startswith("Who: Recognition failed: ") for line in lines), lines
    assert not any(line.startswith("Reason:") for line in lines)  # said once, in the summary
    with _snapshot(failure) as attached:
        assert attached.size == (640, 480)
    assert len(inbox.to(POLICE)) == 1


# Alice (whitelisted) in front; Eve (blacklisted), Alice's look-alike and Mallory behind her.
WHO_IS_WHO = scene(
    [
        Person("alice", 20, 20, 200),
        Person("eve", 400, 40, 120),
        Person("alice_twin", 250, 300, 100),
        Person("mallory", 480, 360, 80),
    ]
)
WHO_IS_WHO_TEXT = "Blacklisted: Eve 99 %; known: Alice; 2 unknown (closest: Alice 82 %)"


@pytest.mark.parametrize("zones", [[zone_data(title="Front door")]])
async def test_emails_say_who_is_who(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    rekognition_server: RekognitionServer,
    scene_camera: SceneCamera,
    inbox: Inbox,
) -> None:
    """A blacklisted, a known and two unknown faces: every message says which face is which."""
    owner = await _smtp_recipient(hass, inbox, OWNER, "Owner")
    police = await _smtp_recipient(hass, inbox, POLICE, "Police")
    asks = async_mock_service(hass, "notify", "mobile_app_owner")
    await _automations(
        hass,
        ("email_owner", {"recipients": [owner], "interval": 0}),
        (
            "email_authorities",
            {
                "recipients": [police],
                "address": "1 Main Street",
                "owner_notify": "notify.mobile_app_owner",
            },
        ),
    )
    enroll_directly(rekognition_server, WHITELIST, "alice", "Alice")
    enroll_directly(rekognition_server, BLACKLIST, "eve", "Eve")
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    scene_camera.frame = WHO_IS_WHO
    await _motion(hass, zone_entry)

    data = events[-1].data
    assert data["type"] == "blacklisted_person"
    assert data["summary"] == WHO_IS_WHO_TEXT
    assert [(face["verdict"], face["closest"]) for face in data["faces"]] == [
        ("known", None),
        ("blacklisted", None),
        ("unknown", {"name": "Alice", "tier": "whitelist", "similarity": 82.0}),
        ("unknown", None),
    ]
    assert data["names"] == ["Alice", "Eve"]  # mixed: which of them is the intruder?
    await wait_until(lambda: len(inbox.to(OWNER)) == 1)
    body = inbox.to(OWNER)[0].get_body(("plain",)).get_content()
    assert f"Who: {WHO_IS_WHO_TEXT}" in body.splitlines()
    assert "Similarity" not in body

    [ask] = asks
    assert ask.data["message"].startswith("At Front door, ")
    assert ask.data["message"].endswith(f": {WHO_IS_WHO_TEXT}. Report to the authorities?")
    hass.bus.async_fire(
        "mobile_app_notification_action", {"action": ask.data["data"]["actions"][0]["action"]}
    )
    await wait_until(lambda: len(inbox.to(POLICE)) == 1)
    text = inbox.to(POLICE)[0].get_body(("plain",)).get_content()
    assert f"Who: {WHO_IS_WHO_TEXT}" in text.splitlines()
    assert "Similarity" not in text
    state = hass.states.get("sensor.front_door_last_verdict")
    assert state is not None
    assert state.attributes["summary"] == WHO_IS_WHO_TEXT


@pytest.mark.parametrize("zones", [[zone_data(title="Front door")]])
async def test_emails_go_out_without_a_snapshot(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    rekognition_server: RekognitionServer,
    scene_camera: SceneCamera,
    inbox: Inbox,
) -> None:
    """A full disk or a camera without a picture costs the attachment, never the email."""
    owner = await _smtp_recipient(hass, inbox, OWNER, "Owner")
    police = await _smtp_recipient(hass, inbox, POLICE, "Police")
    await _automations(
        hass,
        ("email_owner", {"recipients": [owner], "interval": 0}),
        ("email_authorities", {"recipients": [police], "address": "1 Main St", "confirm": False}),
    )
    enroll_directly(rekognition_server, BLACKLIST, "eve", "Eve")
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    scene_camera.frame = portrait("eve")
    with patch(
        "custom_components.intruder_alert.snapshots.Path.write_bytes",
        side_effect=OSError(errno.ENOSPC, "No space left on device"),
    ):
        await _motion(hass, zone_entry)
    assert events[-1].data["type"] == "blacklisted_person"
    assert events[-1].data["snapshot_media_id"] is None
    await wait_until(lambda: len(inbox.to(OWNER)) == 1 and len(inbox.to(POLICE)) == 1)
    [report] = inbox.to(POLICE)
    assert list(report.iter_attachments()) == []
    assert "No snapshot could be saved." in report.get_body(("plain",)).get_content()
    assert list(inbox.to(OWNER)[0].iter_attachments()) == []
    # A reason beside a verdict (here: the disk) is its own line; the summary says who.
    lines = inbox.to(OWNER)[0].get_body(("plain",)).get_content().splitlines()
    assert "Who: Blacklisted: Eve 99 %" in lines
    assert any(line.startswith("Reason: The snapshot could not be saved") for line in lines)

    scene_camera.frame = None
    await _motion(hass, zone_entry)
    assert events[-1].data["type"] == "recognition_failed"
    await wait_until(lambda: len(inbox.to(OWNER)) == 2)
    assert inbox.to(OWNER)[1]["Subject"] == "Intruder Alert: recognition failed at Front door"
    assert list(inbox.to(OWNER)[1].iter_attachments()) == []


def _subjects(inbox: Inbox) -> list[str]:
    return [message["Subject"] for message in inbox.to(OWNER)]


async def _time_passes(freezer: FrozenDateTimeFactory, delta: timedelta) -> None:
    """Move the ticking clock on (wall and monotonic: the timers due by then run).

    Not ``freezer.tick``: with ``tick=True`` it counts from the time first frozen and drops the
    time that ran since.
    """
    freezer.move_to(dt_util.utcnow() + delta)
    await _settle()


def _last_triggered(hass: HomeAssistant, name: str) -> datetime:
    return hass.states.get(f"automation.{name}").attributes["last_triggered"]


def _runs(hass: HomeAssistant, name: str) -> int:
    """How many runs of the automation are going on."""
    return hass.states.get(f"automation.{name}").attributes["current"]


@pytest.mark.parametrize("zones", [[zone_data(title="Front door")]])
@pytest.mark.freeze_time(tick=True)
async def test_owner_email_rate_limit(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    scene_camera: SceneCamera,
    inbox: Inbox,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Ten strangers within the interval: one email, and no run held; after it, the next one."""
    owner = await _smtp_recipient(hass, inbox, OWNER, "Owner")
    zone_device = next(iter(zone_entry.runtime_data.zones.values())).device_id
    await _automations(
        hass, ("email_owner", {"recipients": [owner], "zone": zone_device, "interval": 5})
    )
    assert hass.states.get("automation.email_owner").attributes["mode"] == "parallel"
    scene_camera.frame = portrait("mallory")
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    for _ in range(10):
        await _motion(hass, zone_entry)
        await _time_passes(freezer, timedelta(seconds=20))
    # Ten runs (the same still ten times is also a frozen camera: camera_problem, said once).
    assert len([event for event in events if event.data["type"] != "camera_problem"]) == 10
    assert _subjects(inbox) == ["Intruder Alert: unknown person at Front door"]
    # The rate limit is the time of the last email, not a run kept waiting.
    assert _runs(hass, "email_owner") == 0
    # 4 min 59 s after the email: still within the interval; 5 min 1 s: the next one.
    emailed = _last_triggered(hass, "email_owner")
    freezer.move_to(emailed + timedelta(minutes=4, seconds=59))
    await _motion(hass, zone_entry)
    assert len(inbox.to(OWNER)) == 1
    freezer.move_to(emailed + timedelta(minutes=5, seconds=1))
    await _motion(hass, zone_entry)
    await wait_until(lambda: len(inbox.to(OWNER)) == 2)


@pytest.mark.parametrize("zones", [[zone_data(title="Front door")]])
@pytest.mark.freeze_time(tick=True)
async def test_owner_email_more_severe_is_never_rate_limited(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    rekognition_server: RekognitionServer,
    scene_camera: SceneCamera,
    inbox: Inbox,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A blacklisted person right after a stranger's email is emailed too; equals are not."""
    owner = await _smtp_recipient(hass, inbox, OWNER, "Owner")
    await _automations(hass, ("email_owner", {"recipients": [owner], "interval": 5}))
    enroll_directly(rekognition_server, BLACKLIST, "eve", "Eve")

    scene_camera.frame = portrait("mallory")
    await _motion(hass, zone_entry)
    await _time_passes(freezer, timedelta(minutes=1))
    scene_camera.frame = portrait("eve")
    await _motion(hass, zone_entry)
    await wait_until(lambda: len(inbox.to(OWNER)) == 2)
    assert _subjects(inbox) == [
        "Intruder Alert: unknown person at Front door",
        "Intruder Alert: blacklisted person at Front door",
    ]
    assert "Who: Blacklisted: Eve 99 %" in inbox.to(OWNER)[1].get_body(("plain",)).get_content()
    assert inbox.to(OWNER)[1]["X-Priority"] == "1 (Highest)"

    # A stranger and a failed recognition are as severe as each other, less than Eve: limited.
    await _time_passes(freezer, timedelta(minutes=1))
    scene_camera.frame = portrait("mallory")
    await _motion(hass, zone_entry)
    rekognition_server.service.faults.append(Fault("*", "error500", count=100))
    await _motion(hass, zone_entry)
    rekognition_server.service.faults.clear()
    assert len(inbox.to(OWNER)) == 2
    # A blacklisted person always gets an email.
    scene_camera.frame = portrait("eve")
    await _motion(hass, zone_entry)
    await wait_until(lambda: len(inbox.to(OWNER)) == 3)
    assert _runs(hass, "email_owner") == 0


@pytest.mark.parametrize("zones", [[zone_data(title="Front door")]])
@pytest.mark.freeze_time(tick=True)
async def test_owner_email_minor_events_never_hold_back_a_stranger(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    scene_camera: SceneCamera,
    inbox: Inbox,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An email about motion without a face does not rate-limit the stranger who follows."""
    owner = await _smtp_recipient(hass, inbox, OWNER, "Owner")
    verdicts = [
        "unknown_person",
        "loitering",
        "blacklisted_person",
        "recognition_failed",
        "no_face",
    ]
    await _automations(
        hass, ("email_owner", {"recipients": [owner], "interval": 5, "verdicts": verdicts})
    )
    no_face = "Intruder Alert: no face at Front door"
    stranger = "Intruder Alert: unknown person at Front door"

    scene_camera.frame = empty()
    await _motion(hass, zone_entry)
    assert _subjects(inbox) == [no_face]
    # Its run stays, as the sign that the last email was a minor one (nothing waits behind it).
    assert _runs(hass, "email_owner") == 1
    await _time_passes(freezer, timedelta(minutes=1))
    await _motion(hass, zone_entry)
    assert _subjects(inbox) == [no_face]

    scene_camera.frame = portrait("mallory")
    await _motion(hass, zone_entry)
    await wait_until(lambda: _subjects(inbox) == [no_face, stranger])
    # The stranger's email ends the minor run: from now on the stranger's interval counts.
    await wait_until(lambda: _runs(hass, "email_owner") == 0)
    await _time_passes(freezer, timedelta(minutes=1))
    await _motion(hass, zone_entry)
    scene_camera.frame = empty()
    await _motion(hass, zone_entry)
    assert len(inbox.to(OWNER)) == 2

    # After the interval, motion without a face emails again; then the automation is turned off
    # and on (as on a restart or a reload), which ends that run: a stranger still gets through.
    await _time_passes(freezer, timedelta(minutes=5))
    await _motion(hass, zone_entry)
    await wait_until(lambda: _subjects(inbox) == [no_face, stranger, no_face])
    assert _runs(hass, "email_owner") == 1
    for service in ("turn_off", "turn_on"):
        await hass.services.async_call(
            "automation", service, {"entity_id": "automation.email_owner"}, blocking=True
        )
    assert _runs(hass, "email_owner") == 0
    await _time_passes(freezer, timedelta(minutes=1))
    scene_camera.frame = portrait("mallory")
    await _motion(hass, zone_entry)
    # Seen a third time today: the stranger loiters.
    loitering = "Intruder Alert: loitering at Front door"
    await wait_until(lambda: _subjects(inbox) == [no_face, stranger, no_face, loitering])
    # ... and only that one.
    await _time_passes(freezer, timedelta(minutes=1))
    await _motion(hass, zone_entry)
    assert len(inbox.to(OWNER)) == 4


@pytest.mark.parametrize(
    "zones",
    [[gpio_zone()]],
)
async def test_siren_blueprint(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    scene_camera: SceneCamera,
    rekognition_server: RekognitionServer,
) -> None:
    """An intruder sounds the buzzer siren (a MockFactory pin) and it stops after the duration."""
    await _automations(hass, ("siren_on_intruder", {"siren": "siren.porch_buzzer", "duration": 30}))
    pin = next(iter(zone_entry.runtime_data.zones.values())).buzzer.factory.pin(18)
    enroll_directly(rekognition_server, WHITELIST, "alice", "Alice")

    scene_camera.frame = portrait("alice")
    await hass.services.async_call("intruder_alert", "recognize", {"zone": "Porch"}, blocking=True)
    await _settle()
    assert hass.states.get("siren.porch_buzzer").state == "off"

    scene_camera.frame = portrait("mallory")
    await hass.services.async_call("intruder_alert", "recognize", {"zone": "Porch"}, blocking=True)
    await wait_until(lambda: hass.states.get("siren.porch_buzzer").state == "on")
    assert pin.state > 0

    # The siren reports "on" before the automation reaches its delay: move the clock past the
    # duration until the delay has started and ended.
    def stopped() -> bool:
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=31))
        return hass.states.get("siren.porch_buzzer").state == "off"

    await wait_until(stopped)
    assert pin.state == 0


@pytest.mark.parametrize("zones", [[gpio_zone(motion_source="entity")]])
async def test_siren_sounds_when_recognition_fails(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    scene_camera: SceneCamera,
    rekognition_server: RekognitionServer,
) -> None:
    """With the blueprint's default verdicts, a cloud outage sounds the siren (fail-secure)."""
    await _automations(hass, ("siren_on_intruder", {"siren": "siren.porch_buzzer"}))
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    rekognition_server.service.faults.append(Fault("*", "error500", count=100))
    scene_camera.frame = portrait("mallory")
    await _motion(hass, zone_entry)
    assert [event.data["type"] for event in events] == ["recognition_failed"]
    await wait_until(lambda: hass.states.get("siren.porch_buzzer").state == "on")


@pytest.mark.parametrize("zones", [[gpio_zone(motion_source="entity")]])
async def test_a_known_person_outside_their_rules_sounds_the_siren_and_emails_the_owner(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    scene_camera: SceneCamera,
    rekognition_server: RekognitionServer,
    inbox: Inbox,
) -> None:
    """The cleaner outside her hours: both blueprints' defaults alert; the email says why."""
    owner = await _smtp_recipient(hass, inbox, OWNER, "Owner")
    await _automations(
        hass,
        ("email_owner", {"recipients": [owner], "interval": 0}),
        ("siren_on_intruder", {"siren": "siren.porch_buzzer"}),
    )
    enroll_directly(rekognition_server, WHITELIST, "alice", "Cleaner")
    # Her only window is a whole day three days from today: now is outside her hours.
    other_day = (dt_util.now() + timedelta(days=3)).strftime("%a").lower()
    await hass.services.async_call(
        DOMAIN,
        "set_person_rules",
        {"name": "Cleaner", "windows": [{"days": [other_day], "start": "00:00", "end": "00:00"}]},
        blocking=True,
    )
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    scene_camera.frame = portrait("alice")
    await _motion(hass, zone_entry)

    assert [event.data["type"] for event in events] == ["person_outside_rules"]
    await wait_until(lambda: hass.states.get("siren.porch_buzzer").state == "on")
    await wait_until(lambda: len(inbox.to(OWNER)) == 1)
    message = inbox.to(OWNER)[0]
    assert message["Subject"] == "Intruder Alert: person outside rules at Porch"
    body = message.get_body(("plain",)).get_content()
    assert "Who: Known: Cleaner — outside allowed hours" in body.splitlines()


async def _intruder_at_the_porch(hass: HomeAssistant, scene_camera: SceneCamera) -> None:
    scene_camera.frame = portrait("mallory")
    await hass.services.async_call("intruder_alert", "recognize", {"zone": "Porch"}, blocking=True)


@pytest.mark.parametrize("zones", [[gpio_zone()]])
@pytest.mark.parametrize("panel", ["unavailable", "unknown", None, "armed_away", "pending"])
async def test_siren_alarm_panel_not_disarmed(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    scene_camera: SceneCamera,
    panel: str | None,
) -> None:
    """Only "disarmed" keeps the siren quiet; unavailable, unknown or no panel sound it.

    Unavailable is a cloud panel whose line is cut, unknown one whose integration did not load
    yet, None a panel that is gone (no state at all): like an armed panel, they let it sound.
    """
    if panel is not None:
        hass.states.async_set("alarm_control_panel.house", panel)
    await _automations(
        hass,
        (
            "siren_on_intruder",
            {"siren": "siren.porch_buzzer", "alarm_panel": "alarm_control_panel.house"},
        ),
    )
    await _intruder_at_the_porch(hass, scene_camera)
    await wait_until(lambda: hass.states.get("siren.porch_buzzer").state == "on")


@pytest.mark.parametrize("zones", [[gpio_zone()]])
async def test_siren_alarm_panel_disarmed(
    hass: HomeAssistant, zone_entry: MockConfigEntry, scene_camera: SceneCamera
) -> None:
    """A disarmed panel keeps the siren quiet; when its line is cut, the next intruder sounds it."""
    hass.states.async_set("alarm_control_panel.house", "disarmed")
    await _automations(
        hass,
        (
            "siren_on_intruder",
            {"siren": "siren.porch_buzzer", "alarm_panel": "alarm_control_panel.house"},
        ),
    )
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    await _intruder_at_the_porch(hass, scene_camera)
    await _settle()
    assert [event.data["type"] for event in events] == ["unknown_person"]
    assert hass.states.get("siren.porch_buzzer").state == "off"

    hass.states.async_set("alarm_control_panel.house", "unavailable")
    await _intruder_at_the_porch(hass, scene_camera)
    await wait_until(lambda: hass.states.get("siren.porch_buzzer").state == "on")


@pytest.mark.parametrize("zones", [[zone_data(title="Front door")]])
async def test_who_is_this_enrols_the_face_it_showed(
    hass: HomeAssistant, zone_entry: MockConfigEntry, scene_camera: SceneCamera
) -> None:
    """The answer enrols the face the notification was about, even after another stranger."""
    notifications = async_mock_service(hass, "notify", "mobile_app_phone")
    await _automations(hass, ("who_is_this", {"phone": "notify.mobile_app_phone"}))
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    scene_camera.frame = portrait("carol")
    await _motion(hass, zone_entry)
    [notification] = notifications
    assert notification.data["title"] == "Who is this at Front door?"
    actions = notification.data["data"]["actions"]
    assert [a["title"] for a in actions] == ["Add to whitelist as …", "Add to blacklist", "Ignore"]
    assert notification.data["data"]["image"] == "/api/image_proxy/image.front_door_last_visitor"
    assert events[-1].data["run_id"] in actions[0]["action"]

    # An intruder is seen before the owner answers about Carol.
    scene_camera.frame = portrait("mallory")
    await _motion(hass, zone_entry)
    assert len(notifications) == 2
    hass.bus.async_fire(
        "mobile_app_notification_action", {"action": actions[0]["action"], "reply_text": "Carol"}
    )
    people: dict[str, Any] = {}

    async def whitelist() -> None:
        people.update(
            await hass.services.async_call(
                DOMAIN, "list_people", {"tier": "whitelist"}, blocking=True, return_response=True
            )
            or {}
        )

    for _ in range(100):
        await whitelist()
        if people.get("whitelist"):
            break
        await asyncio.sleep(0.05)
    assert [person["name"] for person in people["whitelist"]] == ["Carol"]
    scene_camera.frame = portrait("carol")
    await _motion(hass, zone_entry)
    assert (events[-1].data["type"], events[-1].data["names"]) == ("known_person", ["Carol"])
    scene_camera.frame = portrait("mallory")
    await _motion(hass, zone_entry)
    assert events[-1].data["type"] == "unknown_person"


@pytest.mark.parametrize("zones", [[zone_data(title="Front door")]])
async def test_who_is_this_asks_about_each_stranger(
    hass: HomeAssistant, zone_entry: MockConfigEntry, scene_camera: SceneCamera
) -> None:
    """Two strangers in one frame: one question each, never a silent pick."""
    notifications = async_mock_service(hass, "notify", "mobile_app_phone")
    await _automations(hass, ("who_is_this", {"phone": "notify.mobile_app_phone"}))
    scene_camera.frame = scene([Person("carol", 40, 60, 160), Person("dave", 380, 200, 140)])
    await _motion(hass, zone_entry)
    assert [n.data["title"] for n in notifications] == [
        "Who is this at Front door? (face 1 of 2)",
        "Who is this at Front door? (face 2 of 2)",
    ]
    second = notifications[1].data["data"]["actions"][1]["action"]
    hass.bus.async_fire("mobile_app_notification_action", {"action": second, "reply_text": "Dave"})
    for _ in range(100):
        people = await hass.services.async_call(
            DOMAIN, "list_people", {"tier": "blacklist"}, blocking=True, return_response=True
        )
        if people and people["blacklist"]:
            break
        await asyncio.sleep(0.05)
    assert people is not None
    assert [person["name"] for person in people["blacklist"]] == ["Dave"]


@pytest.mark.parametrize("zones", [[zone_data(title="Front door")]])
async def test_authorities_wait_for_the_owner(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    rekognition_server: RekognitionServer,
    scene_camera: SceneCamera,
    inbox: Inbox,
) -> None:
    """In confirm mode nothing reaches the authorities until the owner says so."""
    police = await _smtp_recipient(hass, inbox, POLICE, "Police")
    asks = async_mock_service(hass, "notify", "mobile_app_owner")
    await _automations(
        hass,
        (
            "email_authorities",
            {
                "recipients": [police],
                "address": "1 Main Street",
                "confirm": True,
                "owner_notify": "notify.mobile_app_owner",
            },
        ),
    )
    enroll_directly(rekognition_server, BLACKLIST, "eve", "Eve")
    scene_camera.frame = portrait("eve")
    await _motion(hass, zone_entry)
    [ask] = asks
    assert inbox.to(POLICE) == []
    hass.bus.async_fire(
        "mobile_app_notification_action", {"action": ask.data["data"]["actions"][0]["action"]}
    )
    await wait_until(lambda: len(inbox.to(POLICE)) == 1)


@pytest.mark.parametrize("zones", [[zone_data(title="Front door")]])
async def test_authorities_each_match_asks_at_once(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    rekognition_server: RekognitionServer,
    scene_camera: SceneCamera,
    inbox: Inbox,
) -> None:
    """Two matches: both questions arrive at once; "Do not report" ends its run, "Report" sends."""
    police = await _smtp_recipient(hass, inbox, POLICE, "Police")
    asks = async_mock_service(hass, "notify", "mobile_app_owner")
    await _automations(
        hass,
        (
            "email_authorities",
            {
                "recipients": [police],
                "address": "1 Main Street",
                "owner_notify": "notify.mobile_app_owner",
            },
        ),
    )
    enroll_directly(rekognition_server, BLACKLIST, "eve", "Eve")
    scene_camera.frame = portrait("eve")
    await _motion(hass, zone_entry)
    await _motion(hass, zone_entry)
    first, second = asks
    assert _runs(hass, "email_authorities") == 2
    report, do_not_report = (a["action"] for a in first.data["data"]["actions"])
    assert do_not_report == f"{report}_NO"
    assert report != second.data["data"]["actions"][0]["action"]

    hass.bus.async_fire("mobile_app_notification_action", {"action": do_not_report})
    await wait_until(lambda: _runs(hass, "email_authorities") == 1)
    hass.bus.async_fire(
        "mobile_app_notification_action", {"action": second.data["data"]["actions"][0]["action"]}
    )
    await wait_until(lambda: _runs(hass, "email_authorities") == 0)
    [sent] = inbox.to(POLICE)
    assert "Who: Blacklisted: Eve 99 %" in sent.get_body(("plain",)).get_content()


@pytest.mark.parametrize("zones", [[zone_data(title="Front door")]])
async def test_who_is_this_says_whom_a_face_comes_closest_to(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    rekognition_server: RekognitionServer,
    scene_camera: SceneCamera,
) -> None:
    """Each stranger's question names the person they look like, and who else is there."""
    notifications = async_mock_service(hass, "notify", "mobile_app_phone")
    await _automations(hass, ("who_is_this", {"phone": "notify.mobile_app_phone"}))
    enroll_directly(rekognition_server, WHITELIST, "alice", "Alice")
    scene_camera.frame = scene(
        [
            Person("alice", 20, 20, 200),
            Person("alice_twin", 250, 300, 100),
            Person("mallory", 480, 360, 80),
        ]
    )
    await _motion(hass, zone_entry)
    frame = "In the frame: Known: Alice; 2 unknown (closest: Alice 82 %)."
    assert [n.data["message"] for n in notifications] == [
        f"An unknown person was seen at Front door. Closest: Alice 82 %, not a match. {frame}",
        f"An unknown person was seen at Front door. {frame}",
    ]

    notifications.clear()
    scene_camera.frame = portrait("mallory")
    await _motion(hass, zone_entry)
    assert [n.data["message"] for n in notifications] == [
        "An unknown person was seen at Front door."
    ]


def _readme() -> str:
    return (BLUEPRINTS.parents[2] / "README.md").read_text()


def test_readme_links_every_blueprint() -> None:
    """Each blueprint has a my.home-assistant.io import link to its own source URL."""
    readme = _readme()
    for file in BLUEPRINTS.glob("*.yaml"):
        source = yaml_util.load_yaml_dict(file)["blueprint"]["source_url"]
        assert f"blueprint_import/?blueprint_url={urllib.parse.quote(source, safe='')}" in readme


def _readme_automations() -> str:
    """The plain-YAML automations, which the README links to in docs/automations.md."""
    assert "docs/automations.md" in _readme()
    return (
        (BLUEPRINTS.parents[2] / "docs" / "automations.md")
        .read_text()
        .split("## The same automations in YAML", 1)[1]
        .split("```yaml", 1)[1]
        .split("```", 1)[0]
    )


async def test_readme_yaml_automations_load(hass: HomeAssistant) -> None:
    """The README's plain-YAML automations are valid automations."""
    automations = yaml_util.parse_yaml(_readme_automations())
    assert len(automations) == 3
    assert await async_setup_component(hass, "automation", {"automation": automations})
    await hass.async_block_till_done()
    states = hass.states.async_all("automation")
    assert len(states) == 3
    assert all(state.state == "on" for state in states)


@pytest.mark.parametrize("zones", [[gpio_zone(motion_source="entity")]])
@pytest.mark.freeze_time(tick=True)
async def test_readme_yaml_automations_alert(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    rekognition_server: RekognitionServer,
    scene_camera: SceneCamera,
    inbox: Inbox,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The README's automations run as described, with this test's entities.

    A failure sounds the siren and emails; the owner's rate limit holds a stranger back but never
    a blacklisted person.
    """
    owner = await _smtp_recipient(hass, inbox, OWNER, "Owner")
    police = await _smtp_recipient(hass, inbox, POLICE, "Police")
    block = (
        _readme_automations()
        .replace("notify.owner", owner)
        .replace("notify.police", police)
        .replace("siren.front_door_buzzer", "siren.porch_buzzer")
    )
    assert await async_setup_component(
        hass, "automation", {"automation": yaml_util.parse_yaml(block)}
    )
    await hass.async_block_till_done()
    enroll_directly(rekognition_server, BLACKLIST, "eve", "Eve")

    rekognition_server.service.faults.append(Fault("*", "error500", count=100))
    scene_camera.frame = portrait("mallory")
    await _motion(hass, zone_entry)
    rekognition_server.service.faults.clear()
    await wait_until(lambda: hass.states.get("siren.porch_buzzer").state == "on")
    await wait_until(lambda: len(inbox.to(OWNER)) == 1)
    assert _subjects(inbox) == ["Intruder Alert: recognition failed at Porch"]

    await _time_passes(freezer, timedelta(minutes=2))
    assert hass.states.get("siren.porch_buzzer").state == "off"
    await _motion(hass, zone_entry)
    assert len(inbox.to(OWNER)) == 1
    scene_camera.frame = portrait("eve")
    await _motion(hass, zone_entry)
    await wait_until(lambda: len(inbox.to(OWNER)) == 2 and len(inbox.to(POLICE)) == 1)
    assert _subjects(inbox)[1] == "Intruder Alert: blacklisted person at Porch"

    await _time_passes(freezer, timedelta(minutes=5))
    scene_camera.frame = portrait("mallory")
    await _motion(hass, zone_entry)
    await wait_until(lambda: len(inbox.to(OWNER)) == 3)
