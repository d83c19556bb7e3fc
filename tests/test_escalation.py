"""The escalation ladder blueprint in a real Home Assistant: phones, answers, siren, authorities.

Recognition runs through the integration (the local Rekognition server, the GPIO zone "Porch"
with its buzzer siren); the phones are captured notify actions; owners answer with the
companion app's ``mobile_app_notification_action`` event; the authorities' email goes through
Home Assistant's SMTP integration to a real SMTP server; the clock is moved for the countdowns.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Generator
from datetime import timedelta
from http import HTTPStatus
import io
import json
import os
from pathlib import Path
import socket
from typing import Any

from aiosmtpd.controller import Controller
from freezegun.api import FrozenDateTimeFactory
from PIL import Image
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockUser,
    async_capture_events,
    async_fire_time_changed,
    async_mock_service,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.intruder_alert.const import DOMAIN, EVENT_INTRUDER_ALERT
from homeassistant.components.automation.config import AUTOMATION_BLUEPRINT_SCHEMA
from homeassistant.components.blueprint import models
from homeassistant.core import Context, HomeAssistant, ServiceCall
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util
import homeassistant.util.yaml as yaml_util

from .conftest import BLACKLIST, WHITELIST, SceneCamera, enroll_directly, gpio_zone, wait_until
from .rekognition_server import RekognitionServer
from .scenes import Person, portrait, scene
from .test_blueprints import BLUEPRINTS, Inbox, _automations, _smtp_recipient

BLUEPRINT = BLUEPRINTS / "escalate_to_phone.yaml"
NAME = "escalate_to_phone"
POLICE = "police@example.com"
SIREN = "siren.porch_buzzer"
# Set by scripts/tools/render_notification.py: where to write the captured notifications.
CAPTURE = "INTRUDER_ALERT_CAPTURE_NOTIFICATION"
# Alice (whitelisted) in front, a stranger beside her.
ALICE_AND_A_STRANGER = scene([Person("alice", 40, 60, 200), Person("mallory", 400, 100, 120)])
DEFAULT_TYPES = [
    "unknown_person",
    "blacklisted_person",
    "recognition_failed",
    "loitering",
    "person_outside_rules",
]

# The GPIO zone "Porch": camera.front_door shows the scene, siren.porch_buzzer is its buzzer.
porch = pytest.mark.parametrize("zones", [[gpio_zone()]])


class Phones:
    """Two owners' phones: Alice's picked as a companion-app device, Bob's typed as an action."""

    def __init__(self, hass: HomeAssistant) -> None:
        app = MockConfigEntry(domain="mobile_app", title="Alice's Pixel")
        app.add_to_hass(hass)
        self.alice_device = (
            dr.async_get(hass)
            .async_get_or_create(
                config_entry_id=app.entry_id,
                identifiers={("mobile_app", "alice-pixel")},
                name="Alice's Pixel",
                manufacturer="Google",
                model="Pixel 8",
            )
            .id
        )
        # The companion app's notify action is named after the name the app registered.
        self.alice: list[ServiceCall] = async_mock_service(
            hass, "notify", "mobile_app_alice_s_pixel"
        )
        self.bob: list[ServiceCall] = async_mock_service(hass, "notify", "mobile_app_bobs_iphone")
        self.alice_user = MockUser(name="Alice").add_to_hass(hass)
        self.bob_user = MockUser(name="Bob").add_to_hass(hass)
        for person, user in (("alice", self.alice_user), ("bob", self.bob_user)):
            hass.states.async_set(
                f"person.{person}",
                "home",
                {"user_id": user.id, "friendly_name": person.capitalize()},
            )

    def inputs(self) -> dict[str, Any]:
        return {"phones": [self.alice_device], "notify_actions": ["notify.mobile_app_bobs_iphone"]}


@pytest.fixture
def phones(hass: HomeAssistant) -> Phones:
    return Phones(hass)


@pytest.fixture
def inbox(socket_enabled: None) -> Generator[Inbox]:
    """A real SMTP server on 127.0.0.1 (as in the other blueprints' tests)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    handler.port = port  # type: ignore[attr-defined]
    yield handler
    controller.stop()


async def _ladder(hass: HomeAssistant, phones: Phones, **inputs: Any) -> None:
    await _automations(
        hass,
        (
            NAME,
            phones.inputs()
            | {"siren": SIREN, "countdown": 60, "siren_duration": 120, "authorities_countdown": 60}
            | inputs,
        ),
    )


async def _intruder(
    hass: HomeAssistant, zone_entry: MockConfigEntry, scene_camera: SceneCamera, who: str | bytes
) -> dict[str, Any]:
    """``who`` (a portrait's name or a scene) at the Porch camera; returns the run's event data."""
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    zone = next(iter(zone_entry.runtime_data.zones.values()))
    scene_camera.frame = portrait(who) if isinstance(who, str) else who
    await hass.services.async_call(
        DOMAIN, "recognize", {"device_id": zone.device_id}, blocking=True
    )
    await wait_until(lambda: len(events) == 1)
    return dict(events[0].data)


async def _settle() -> None:
    await asyncio.sleep(0.3)


async def _later(hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float) -> None:
    """Move the clock on (wall and monotonic) and let the timers due by then run."""
    freezer.move_to(dt_util.utcnow() + timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await _settle()


def _answer(hass: HomeAssistant, notification: ServiceCall, title: str, user: MockUser) -> str:
    """Tap the button that starts with ``title``, as the companion app reports it."""
    data = notification.data["data"]
    action = next(a["action"] for a in data["actions"] if a["title"].startswith(title))
    hass.bus.async_fire(
        "mobile_app_notification_action",
        {"action": action, "tag": data["tag"]},
        context=Context(user_id=user.id),
    )
    return action


def _titles(notification: ServiceCall) -> list[str]:
    return [action["title"] for action in notification.data["data"]["actions"]]


def _runs(hass: HomeAssistant) -> int:
    return hass.states.get(f"automation.{NAME}").attributes["current"]


def _siren(hass: HomeAssistant) -> str:
    return hass.states.get(SIREN).state


def test_blueprint_passes_home_assistant_validation() -> None:
    """HA's own blueprint schema; loitering and person_outside_rules are in the default list."""
    blueprint = models.Blueprint(
        yaml_util.load_yaml_dict(BLUEPRINT),
        expected_domain="automation",
        schema=AUTOMATION_BLUEPRINT_SCHEMA,
    )
    assert blueprint.metadata["source_url"].endswith(BLUEPRINT.name)
    assert blueprint.inputs["verdicts"]["default"] == DEFAULT_TYPES


@porch
@pytest.mark.freeze_time(tick=True)
async def test_its_fine_stops_the_ladder_and_offers_add_as(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    scene_camera: SceneCamera,
    phones: Phones,
    freezer: FrozenDateTimeFactory,
    hass_client: ClientSessionGenerator,
    inbox: Inbox,
    rekognition_server: RekognitionServer,
) -> None:
    """Every phone is asked with the annotated snapshot; "It's fine": no siren, "Add as…"."""
    police = await _smtp_recipient(hass, inbox, POLICE, "Police")
    await _ladder(hass, phones, authorities=[police])
    enroll_directly(rekognition_server, WHITELIST, "alice", "Alice")
    event = await _intruder(hass, zone_entry, scene_camera, ALICE_AND_A_STRANGER)
    assert event["type"] == "unknown_person"
    assert event["summary"] == "Known: Alice; 1 unknown"
    [stranger] = [face["index"] for face in event["faces"] if face["verdict"] == "unknown"]
    await wait_until(lambda: len(phones.alice) == 1 and len(phones.bob) == 1)
    ask = phones.alice[0]
    assert ask.data == phones.bob[0].data
    run_id = event["run_id"]
    time = dt_util.as_local(dt_util.parse_datetime(event["time"])).strftime("%H:%M:%S")
    assert ask.data["title"] == "Unknown person at Porch"
    assert ask.data["message"] == f"{event['summary']} · {time}. No answer in 1 min: the siren."
    data = ask.data["data"]
    assert data["tag"] == f"intruder_alert_{run_id}"
    assert _titles(ask) == ["It's fine", "Sound siren", "Notify authorities"]
    ids = [action["action"] for action in data["actions"]]
    assert len(set(ids)) == 3
    assert all(run_id in action for action in ids)
    assert data["actions"][0]["authenticationRequired"] is True
    review = f"/intruder-alert/review?run_id={run_id}&face_index={stranger}"
    assert data["url"] == data["clickAction"] == review

    # The picture is this run's annotated snapshot, which an administrator's app can fetch.
    entry_id, name = (
        event["annotated_media_id"].removeprefix(f"media-source://{DOMAIN}/").split("/")
    )
    assert data["image"] == f"/api/{DOMAIN}/snapshots/{entry_id}/{name}"
    answer = await (await hass_client()).get(data["image"])
    assert answer.status == HTTPStatus.OK
    picture_bytes = await answer.read()
    with Image.open(io.BytesIO(picture_bytes)) as picture:
        assert picture.format == "JPEG"
        assert picture.size == (640, 480)

    _answer(hass, ask, "It's fine", phones.bob_user)
    await wait_until(lambda: len(phones.alice) == 2 and len(phones.bob) == 2)
    done = phones.alice[1]
    assert done.data["title"] == "It's fine: unknown person at Porch"
    assert done.data["message"] == (
        f"{event['summary']}. Bob said it's fine. Add this person to be recognised next time."
    )
    assert done.data["data"]["tag"] == data["tag"]  # replaces the question on every phone
    assert done.data["data"]["actions"] == [{"action": "URI", "title": "Add as…", "uri": review}]
    assert done.data["data"]["clickAction"] == review
    await wait_until(lambda: _runs(hass) == 0)
    if capture := os.environ.get(CAPTURE):
        # What scripts/tools/render_notification.py draws for docs/escalation.md.
        Path(capture).write_text(
            json.dumps(
                {
                    "notifications": [ask.data, done.data],
                    "image": base64.b64encode(picture_bytes).decode(),
                    "time": event["time"],
                },
                default=str,
            )
        )

    await _later(hass, freezer, 300)
    assert _siren(hass) == "off"
    assert len(phones.alice) == 2
    assert inbox.messages == []


@porch
@pytest.mark.freeze_time(tick=True)
async def test_sound_siren_then_its_fine(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    scene_camera: SceneCamera,
    phones: Phones,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Sound siren sounds it at once; "It's fine" later stops it before its duration."""
    await _ladder(hass, phones)
    await _intruder(hass, zone_entry, scene_camera, "mallory")
    await wait_until(lambda: len(phones.bob) == 1)
    _answer(hass, phones.bob[0], "Sound siren", phones.bob_user)
    await wait_until(lambda: _siren(hass) == "on")
    await wait_until(lambda: len(phones.alice) == 2)
    sounding = phones.alice[1]
    assert sounding.data["title"] == "Siren sounding: unknown person at Porch"
    assert sounding.data["message"].endswith("Bob sounded the siren.")
    assert _titles(sounding) == ["It's fine, stop the siren"]  # no authorities set up

    await _later(hass, freezer, 60)
    assert _siren(hass) == "on"
    _answer(hass, sounding, "It's fine", phones.alice_user)
    await wait_until(lambda: _siren(hass) == "off")
    await wait_until(lambda: len(phones.alice) == 3)
    assert (
        phones.alice[2]
        .data["message"]
        .endswith(
            "Alice said it's fine; the siren stopped. Add this person to be recognised next time."
        )
    )
    await wait_until(lambda: _runs(hass) == 0)


@porch
@pytest.mark.freeze_time(tick=True)
async def test_no_answer_sounds_the_siren_and_emails_nobody_for_a_stranger(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    scene_camera: SceneCamera,
    phones: Phones,
    freezer: FrozenDateTimeFactory,
    inbox: Inbox,
) -> None:
    """Nobody answers about a stranger: the siren after the countdown, for its duration only."""
    police = await _smtp_recipient(hass, inbox, POLICE, "Police")
    await _ladder(hass, phones, authorities=[police], address="1 Main Street")
    await _intruder(hass, zone_entry, scene_camera, "mallory")
    await wait_until(lambda: len(phones.alice) == 1)

    await _later(hass, freezer, 59)
    assert _siren(hass) == "off"
    await _later(hass, freezer, 2)
    await wait_until(lambda: _siren(hass) == "on")
    await wait_until(lambda: len(phones.alice) == 2)
    assert phones.alice[1].data["title"] == "Siren sounding: unknown person at Porch"
    assert phones.alice[1].data["message"].endswith("Nobody answered in 1 min.")

    await _later(hass, freezer, 119)
    assert _siren(hass) == "on"
    await _later(hass, freezer, 2)
    await wait_until(lambda: _siren(hass) == "off")
    await wait_until(lambda: len(phones.alice) == 3)
    assert phones.alice[2].data["title"] == "No answer: unknown person at Porch"
    assert phones.alice[2].data["data"]["actions"] == []
    await wait_until(lambda: _runs(hass) == 0)
    assert inbox.to(POLICE) == []


@porch
@pytest.mark.freeze_time(tick=True)
async def test_no_answer_about_a_blacklisted_person_emails_the_authorities(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    rekognition_server: RekognitionServer,
    scene_camera: SceneCamera,
    phones: Phones,
    freezer: FrozenDateTimeFactory,
    inbox: Inbox,
) -> None:
    """Siren first, then after the second countdown the authorities, saying nobody confirmed."""
    police = await _smtp_recipient(hass, inbox, POLICE, "Police")
    await _ladder(hass, phones, authorities=[police], address="1 Main Street\nSpringfield")
    enroll_directly(rekognition_server, BLACKLIST, "eve", "Eve")
    event = await _intruder(hass, zone_entry, scene_camera, "eve")
    assert event["type"] == "blacklisted_person"
    await wait_until(lambda: len(phones.alice) == 1)
    ask = phones.alice[0]
    assert ask.data["title"] == "Blacklisted person at Porch"
    assert ask.data["message"].startswith("Blacklisted: Eve 99 %")
    assert ask.data["message"].endswith("No answer in 1 min: the siren, then the authorities.")
    # No unknown face: tapping the notification opens the panel's visitors.
    assert ask.data["data"]["url"] == "/intruder-alert/visitors"

    await _later(hass, freezer, 61)
    await wait_until(lambda: _siren(hass) == "on")
    await wait_until(lambda: len(phones.alice) == 2)
    assert (
        phones.alice[1]
        .data["message"]
        .endswith("The authorities are emailed in 60 s unless you answer.")
    )
    assert inbox.to(POLICE) == []

    await _later(hass, freezer, 61)
    await wait_until(lambda: len(inbox.to(POLICE)) == 1)
    [report] = inbox.to(POLICE)
    assert report["Subject"] == "Known intruder at 1 Main Street"
    assert report["X-Priority"] == "1 (Highest)"
    text = report.get_body(("plain",)).get_content()
    assert "Who: Blacklisted: Eve 99 %" in text.splitlines()
    assert "Springfield" in text
    assert "no person has confirmed it" in text
    attachments = {part.get_filename(): part for part in report.iter_attachments()}
    assert sorted(attachments) == ["annotated.jpg", "snapshot.jpg"]
    await wait_until(lambda: len(phones.alice) == 3)
    assert phones.alice[2].data["title"] == "Authorities emailed: blacklisted person at Porch"
    assert _titles(phones.alice[2]) == ["It's fine, stop the siren"]

    # The siren sounds its full duration, counted from its start.
    assert _siren(hass) == "on"
    await _later(hass, freezer, 60)
    await wait_until(lambda: _siren(hass) == "off")
    await wait_until(lambda: _runs(hass) == 0)
    assert len(inbox.to(POLICE)) == 1


@porch
@pytest.mark.freeze_time(tick=True)
async def test_notify_authorities_answer(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    scene_camera: SceneCamera,
    phones: Phones,
    freezer: FrozenDateTimeFactory,
    inbox: Inbox,
) -> None:
    """An owner's "Notify authorities" emails them at once, says who reported; no siren."""
    police = await _smtp_recipient(hass, inbox, POLICE, "Police")
    await _ladder(hass, phones, authorities=[police], address="1 Main Street")
    await _intruder(hass, zone_entry, scene_camera, "mallory")
    await wait_until(lambda: len(phones.alice) == 1)
    _answer(hass, phones.alice[0], "Notify authorities", phones.alice_user)
    await wait_until(lambda: len(inbox.to(POLICE)) == 1)
    [report] = inbox.to(POLICE)
    assert report["Subject"] == "Intruder alarm at 1 Main Street"
    text = report.get_body(("plain",)).get_content()
    assert "Reported by Alice from the Home Assistant app" in text
    await wait_until(lambda: len(phones.bob) == 2)
    assert phones.bob[1].data["title"] == "Authorities emailed: unknown person at Porch"
    await wait_until(lambda: _runs(hass) == 0)
    await _later(hass, freezer, 300)
    assert _siren(hass) == "off"


@porch
@pytest.mark.freeze_time(tick=True)
async def test_two_owners_the_first_answer_wins(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    scene_camera: SceneCamera,
    phones: Phones,
) -> None:
    """Alice's "Sound siren" wins over Bob's later "It's fine"; two runs answer on their own."""
    await _ladder(hass, phones)
    first = await _intruder(hass, zone_entry, scene_camera, "mallory")
    await wait_until(lambda: len(phones.alice) == 1 and len(phones.bob) == 1)
    _answer(hass, phones.alice[0], "Sound siren", phones.alice_user)
    await wait_until(lambda: _siren(hass) == "on")
    # Bob taps "It's fine" on the question before its replacement reaches his phone: too late.
    _answer(hass, phones.bob[0], "It's fine", phones.bob_user)
    await wait_until(lambda: len(phones.bob) == 2)
    assert phones.bob[1].data["message"].endswith("Alice sounded the siren.")
    await _settle()
    assert _siren(hass) == "on"
    assert _runs(hass) == 1

    # A second stranger: a ladder of its own, with its own question and action ids.
    second = await _intruder(hass, zone_entry, scene_camera, "carol")
    assert second["run_id"] != first["run_id"]
    await wait_until(lambda: len(phones.bob) == 3)
    assert phones.bob[2].data["data"]["tag"] == f"intruder_alert_{second['run_id']}"
    assert _runs(hass) == 2
    _answer(hass, phones.bob[2], "It's fine", phones.bob_user)
    await wait_until(lambda: _runs(hass) == 1)
    assert _siren(hass) == "on"  # the first ladder's siren is not the second one's business

    _answer(hass, phones.alice[1], "It's fine", phones.alice_user)
    await wait_until(lambda: _siren(hass) == "off")
    await wait_until(lambda: _runs(hass) == 0)


@porch
@pytest.mark.freeze_time(tick=True)
@pytest.mark.parametrize("panel", ["disarmed", "armed_away", "unavailable"])
async def test_alarm_panel(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    scene_camera: SceneCamera,
    phones: Phones,
    freezer: FrozenDateTimeFactory,
    panel: str,
) -> None:
    """Disarmed: nothing. Armed or cut off: the ladder runs; disarming stops it, and its siren."""
    hass.states.async_set("alarm_control_panel.house", panel)
    await _ladder(hass, phones, alarm_panel="alarm_control_panel.house")
    await _intruder(hass, zone_entry, scene_camera, "mallory")
    await _settle()
    if panel == "disarmed":
        assert phones.alice == phones.bob == []
        await _later(hass, freezer, 300)
        assert _siren(hass) == "off"
        return
    await wait_until(lambda: len(phones.alice) == 1)
    if panel == "armed_away":
        # Disarmed while the siren sounds: it stops.
        _answer(hass, phones.alice[0], "Sound siren", phones.alice_user)
        await wait_until(lambda: _siren(hass) == "on" and len(phones.alice) == 2)
    hass.states.async_set("alarm_control_panel.house", "disarmed")
    await wait_until(lambda: phones.alice[-1].data["title"].startswith("Disarmed"))
    assert phones.alice[-1].data["title"] == "Disarmed: unknown person at Porch"
    assert _siren(hass) == "off"
    await wait_until(lambda: _runs(hass) == 0)
    await _later(hass, freezer, 300)
    assert _siren(hass) == "off"


@porch
@pytest.mark.freeze_time(tick=True)
async def test_other_event_types(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    scene_camera: SceneCamera,
    phones: Phones,
) -> None:
    """New types (loitering) are asked about; unlisted ones and sparse data break nothing.

    With "last visitor" pictures, the image is the zone's image entity.
    """
    await _ladder(hass, phones, image="last_visitor")
    event = await _intruder(hass, zone_entry, scene_camera, "mallory")
    await wait_until(lambda: len(phones.alice) == 1)
    assert phones.alice[0].data["data"]["image"] == "/api/image_proxy/image.porch_last_visitor"
    _answer(hass, phones.alice[0], "It's fine", phones.alice_user)
    await wait_until(lambda: _runs(hass) == 0)
    phones.alice.clear()

    hass.bus.async_fire(EVENT_INTRUDER_ALERT, event | {"type": "loitering", "run_id": "L1"})
    await wait_until(lambda: len(phones.alice) == 1)
    assert phones.alice[0].data["title"] == "Someone loitering at Porch"
    assert phones.alice[0].data["data"]["tag"] == "intruder_alert_L1"

    # Not in the list: nothing. A type nobody knows yet, with almost no data: still asked.
    hass.bus.async_fire(EVENT_INTRUDER_ALERT, event | {"type": "camera_problem", "run_id": "C1"})
    hass.bus.async_fire(EVENT_INTRUDER_ALERT, {"type": "person_outside_rules", "run_id": "P1"})
    await wait_until(lambda: len(phones.alice) == 2)
    await _settle()
    [sparse] = phones.alice[1:]
    assert sparse.data["title"] == "Known person outside their rules at Intruder Alert"
    assert "image" not in sparse.data["data"]
    assert sparse.data["data"]["url"] == "/intruder-alert/visitors"
    assert _runs(hass) == 2
