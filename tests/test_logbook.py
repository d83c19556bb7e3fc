"""The logbook says who a run saw, per face (not just "Blacklisted person")."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.intruder_alert.const import DOMAIN, EVENT_INTRUDER_ALERT
from homeassistant.components import recorder
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

from .conftest import BLACKLIST, WHITELIST, SceneCamera, enroll_directly
from .rekognition_server import RekognitionServer
from .scenes import Person, scene


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(recorder_mock: Any, enable_custom_integrations: None) -> None:
    """The recorder (which the logbook reads) before Home Assistant starts, as in a real one."""


async def _logbook(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, since: Any
) -> list[dict[str, Any]]:
    await recorder.get_instance(hass).async_block_till_done()
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "logbook/get_events", "start_time": since.isoformat()})
    answer = await client.receive_json()
    assert answer["success"], answer
    return [row for row in answer["result"] if row.get("domain") == DOMAIN]


async def test_logbook_names_each_face(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    rekognition_server: RekognitionServer,
    scene_camera: SceneCamera,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """A blacklisted and a known face in one frame: the line names both, in their tiers."""
    assert await async_setup_component(hass, "logbook", {})
    enroll_directly(rekognition_server, WHITELIST, "alice", "Alice")
    enroll_directly(rekognition_server, BLACKLIST, "mallory", "Mallory")
    since = dt_util.utcnow()
    scene_camera.frame = scene(
        [Person("mallory", 40, 60, 160), Person("alice", 380, 200, 120)], width=640
    )
    await hass.services.async_call(
        DOMAIN, "recognize", {"zone": "Zone 0"}, blocking=True, return_response=True
    )
    await hass.async_block_till_done()

    [line] = await _logbook(hass, hass_ws_client, since)
    assert line["name"] == "Zone 0"
    assert line["message"].startswith("saw Blacklisted: Mallory ")
    assert "known: Alice" in line["message"]
    assert line["icon"] == "mdi:account-alert"


async def test_logbook_lines_for_failures_no_face_and_older_events(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """A failure says why, an empty frame says so, an event without a summary keeps its names."""
    assert await async_setup_component(hass, "logbook", {})
    since = dt_util.utcnow()
    for data in (
        {"type": "recognition_failed", "zone": "Porch", "reason": "camera unavailable"},
        {"type": "recognition_failed", "zone": "Porch", "reason": None},
        {"type": "no_face", "zone": "Porch", "summary": "No face"},
        {"type": "known_person", "zone": "Porch", "names": ["Alice"]},
        {"type": "unknown_person"},
    ):
        hass.bus.async_fire(EVENT_INTRUDER_ALERT, data)
    await hass.async_block_till_done()
    lines = await _logbook(hass, hass_ws_client, since)
    assert [(line["name"], line["message"]) for line in lines] == [
        ("Porch", "could not recognise: camera unavailable"),
        ("Porch", "could not recognise"),
        ("Porch", "saw no face"),
        ("Porch", "saw known person: Alice"),
        ("Intruder Alert", "saw unknown person"),
    ]


async def test_logbook_says_when_the_camera_cannot_see(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    scene_camera: SceneCamera,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """A black frame: the run's line, then the camera problem's, which says why."""
    assert await async_setup_component(hass, "logbook", {})
    since = dt_util.utcnow()
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480)).save(buffer, format="JPEG")
    scene_camera.frame = buffer.getvalue()
    await hass.services.async_call(
        "button", "press", {"entity_id": "button.zone_0_recognise_now"}, blocking=True
    )
    hass.bus.async_fire(EVENT_INTRUDER_ALERT, {"type": "camera_problem", "zone": "Porch"})
    await hass.async_block_till_done()
    lines = await _logbook(hass, hass_ws_client, since)
    assert [(line["name"], line["message"][:44], line["icon"]) for line in lines] == [
        ("Zone 0", "saw no face", "mdi:account-off-outline"),
        ("Zone 0", "camera cannot see: The picture is black (mea", "mdi:cctv-off"),
        ("Porch", "camera cannot see", "mdi:cctv-off"),
    ]
