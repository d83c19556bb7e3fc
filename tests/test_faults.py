"""The fault suite: every failure ends in the right event or error, with the snapshot kept."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
import json
from pathlib import Path
import socket
from typing import Any
from unittest.mock import patch

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events
import voluptuous as vol

from custom_components.intruder_alert.const import DOMAIN, EVENT_INTRUDER_ALERT
from custom_components.intruder_alert.engine.errors import UnavailableError
from custom_components.intruder_alert.engine.recognition import Recognizer, Thresholds
from custom_components.intruder_alert.engine.rekognition import Rekognition
from homeassistant.components.repairs import repairs_flow_manager
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component

from .conftest import BLACKLIST, WHITELIST, SceneCamera, server_settings, zone_data
from .rekognition_server import Fault, RekognitionServer
from .scenes import portrait


async def test_dns_failure(rekognition_server: RekognitionServer) -> None:
    """A name that does not resolve is 'unavailable', like any network outage."""

    def no_dns(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    settings = server_settings(
        rekognition_server, endpoint_url="http://rekognition.example.invalid"
    )
    with ThreadPoolExecutor(2) as pool, patch("socket.getaddrinfo", no_dns):
        recognizer = Recognizer(
            Rekognition(settings), {"whitelist": WHITELIST, "blacklist": BLACKLIST}, executor=pool
        )
        with pytest.raises(UnavailableError, match="EndpointConnectionError"):
            await recognizer.recognize(portrait("alice"), Thresholds())


async def test_unexpected_errors_still_alert(
    hass: HomeAssistant, zone_entry: MockConfigEntry, scene_camera: SceneCamera
) -> None:
    """Even a bug in recognition ends in a recognition_failed event with the snapshot."""
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    scene_camera.frame = portrait("eve")
    with patch.object(
        zone_entry.runtime_data.recognizer, "recognize_prepared", side_effect=RuntimeError("bug")
    ):
        response = await hass.services.async_call(
            DOMAIN, "recognize", {"zone": "Zone 0"}, blocking=True, return_response=True
        )
    assert response["type"] == "recognition_failed"
    assert "bug" in response["reason"]
    assert Path(response["snapshot_path"]).is_file()
    assert len(events) == 1


@pytest.mark.parametrize("zones", [[zone_data(title="Hall")]])
async def test_stop_during_recognition_is_reported_after_restart(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    scene_camera: SceneCamera,
    rekognition_server: RekognitionServer,
) -> None:
    """Stopped mid-run: the snapshot and a record survive; the next start alerts with them."""
    rekognition_server.service.faults.append(Fault("*", "slow", count=100, seconds=30))
    scene_camera.frame = portrait("eve")
    hass.states.async_set("binary_sensor.hall_motion", "on")
    while not rekognition_server.service.calls["SearchUsersByImage"]:
        await asyncio.sleep(0.02)
    folder = zone_entry.runtime_data.snapshots.folder
    # Home Assistant stops: the entry unloads and its running tasks are cancelled.
    assert await hass.config_entries.async_unload(zone_entry.entry_id)
    [record_file] = folder.glob("*.json")
    record = json.loads(record_file.read_text())
    assert record["status"] == "in_progress"
    assert record["zone"] == "Hall"
    assert record_file.with_suffix(".jpg").is_file()

    rekognition_server.service.faults.clear()
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    assert await hass.config_entries.async_setup(zone_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    [event] = events
    assert event.data["type"] == "recognition_failed"
    assert event.data["zone"] == "Hall"
    assert "stopped" in event.data["reason"]
    assert event.data["snapshot_path"] == str(record_file.with_suffix(".jpg"))
    assert json.loads(record_file.read_text())["status"] == "done"
    assert hass.states.get("sensor.hall_last_verdict").state == "recognition_failed"


async def test_deleted_collection_repair_flow(
    hass: HomeAssistant,
    server_entry: MockConfigEntry,
    rekognition_server: RekognitionServer,
    media_dir: Path,
    issue_registry: ir.IssueRegistry,
) -> None:
    """The repair issue's fix flow recreates the collection and the account recovers."""
    assert await async_setup_component(hass, "repairs", {})
    rekognition_server.service.op_delete_collection({"CollectionId": BLACKLIST})
    path = media_dir / "v.jpg"
    path.write_bytes(portrait("eve"))
    await hass.services.async_call(
        DOMAIN, "recognize", {"image_path": str(path)}, blocking=True, return_response=True
    )
    issue_id = f"collection_missing_{server_entry.entry_id}"
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.is_fixable

    flows = repairs_flow_manager(hass)
    assert flows is not None
    result = await flows.async_init(DOMAIN, data={"issue_id": issue_id})
    assert result["step_id"] == "confirm"
    result = await flows.async_configure(result["flow_id"], {})
    assert result["type"] == "create_entry"
    await hass.async_block_till_done()
    assert BLACKLIST in rekognition_server.service.collections
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    response = await hass.services.async_call(
        DOMAIN, "recognize", {"image_path": str(path)}, blocking=True, return_response=True
    )
    assert response["type"] == "unknown_person"


async def test_missing_collection_at_start_raises_the_issue(
    hass: HomeAssistant,
    rekognition_server: RekognitionServer,
    media_dir: Path,
    issue_registry: ir.IssueRegistry,
) -> None:
    """A collection missing when Home Assistant starts raises the same fixable issue."""
    from .conftest import ENTRY_DATA, UNIQUE_ID

    rekognition_server.service.op_delete_collection({"CollectionId": WHITELIST})
    entry = MockConfigEntry(
        domain=DOMAIN,
        data={**ENTRY_DATA, "endpoint_url": rekognition_server.url},
        unique_id=UNIQUE_ID,
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    assert (
        issue_registry.async_get_issue(DOMAIN, f"collection_missing_{entry.entry_id}") is not None
    )


@pytest.mark.parametrize(
    ("service", "data"),
    [
        ("enroll_face", {"tier": "purple", "name": "A", "image_path": "/x.jpg"}),
        ("enroll_face", {"tier": "whitelist", "name": ["not", "text"], "image_path": "/x.jpg"}),
        ("recognize", {"image_path": "/x.jpg", "fire_event": "maybe"}),
        ("recognize", {"camera_entity_id": "light.kitchen"}),
        ("list_people", {"tier": 3}),
        ("remove_person", {"tier": "blacklist"}),
    ],
)
async def test_wrong_types_are_refused(
    hass: HomeAssistant,
    server_entry: MockConfigEntry,
    rekognition_server: RekognitionServer,
    service: str,
    data: dict[str, Any],
) -> None:
    """Wrong types never reach AWS; the collections are untouched."""
    calls_before = sum(rekognition_server.service.calls.values())
    with pytest.raises(vol.Invalid):
        await hass.services.async_call(DOMAIN, service, data, blocking=True, return_response=True)
    assert sum(rekognition_server.service.calls.values()) == calls_before
