"""A zone whose camera or buzzer misbehaves still alerts, says why, and keeps watching."""

from __future__ import annotations

import json
from pathlib import Path
import sys
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.intruder_alert.const import CONF_ENDPOINT_URL, DOMAIN, EVENT_INTRUDER_ALERT
from custom_components.intruder_alert.zone import Zone
from homeassistant.core import HomeAssistant

from .conftest import (
    ENTRY_DATA,
    UNIQUE_ID,
    FakePicamera2,
    SceneCamera,
    gpio_zone,
    wait_until,
    zone_data,
)
from .rekognition_server import Fault, RekognitionServer
from .scenes import Person, portrait, scene

PI_CAMERA_ZONE = zone_data(title="Gate", camera_source="picamera", camera_resolution="640x480")


def _zone(entry: MockConfigEntry) -> Zone:
    return next(iter(entry.runtime_data.zones.values()))


async def _motion(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    zone = _zone(entry)
    hass.states.async_set("binary_sensor.hall_motion", "off")
    hass.states.async_set("binary_sensor.hall_motion", "on")
    await wait_until(lambda: not zone._running)
    await hass.async_block_till_done()


class BusyPicamera2(FakePicamera2):
    """Another process holds the camera (libcamera: "Device or resource busy")."""

    def __init__(self, index: int) -> None:
        raise RuntimeError("Failed to acquire camera: Device or resource busy")


@pytest.fixture
def busy_picamera2(fake_picamera2: type[FakePicamera2], monkeypatch: pytest.MonkeyPatch) -> None:
    """picamera2 is there, but its camera is in use by another process."""
    monkeypatch.setattr(sys.modules["picamera2"], "Picamera2", BusyPicamera2)


def _setup_logs(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(record.getMessage() for record in caplog.get_records("setup"))


@pytest.mark.parametrize("zones", [[PI_CAMERA_ZONE]])
async def test_pi_camera_busy_at_start(
    hass: HomeAssistant,
    busy_picamera2: None,
    zone_entry: MockConfigEntry,
    rekognition_server: RekognitionServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A Pi camera that cannot be opened: camera unavailable; motion still alerts, with why."""
    assert hass.states.get("camera.gate_camera").state == "unavailable"
    assert "Device or resource busy" in _setup_logs(caplog)

    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    await _motion(hass, zone_entry)
    [event] = events
    assert event.data["type"] == "recognition_failed"
    assert event.data["reason"] == "The Raspberry Pi camera is not available"
    assert event.data["snapshot_path"] is None
    assert rekognition_server.service.calls["SearchUsersByImage"] == 0


@pytest.mark.parametrize("zones", [[PI_CAMERA_ZONE]])
async def test_pi_camera_fails_while_running(
    hass: HomeAssistant, fake_picamera2: type[FakePicamera2], zone_entry: MockConfigEntry
) -> None:
    """Captures start failing: the run alerts with the camera's error; the entity follows."""
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    await _motion(hass, zone_entry)
    assert events[-1].data["type"] == "no_face"  # the fake camera shows a plain wall
    assert hass.states.get("camera.gate_camera").state != "unavailable"

    def ribbon_cable_loose(target: Any, format: str) -> None:  # noqa: A002
        raise TimeoutError("Camera frontend has timed out")

    [camera] = fake_picamera2.instances
    camera.capture_file = ribbon_cable_loose  # type: ignore[method-assign]
    await _motion(hass, zone_entry)
    failed = events[-1].data
    assert failed["type"] == "recognition_failed"
    assert failed["reason"] == "The Raspberry Pi camera failed: Camera frontend has timed out"
    assert hass.states.get("camera.gate_camera").state == "unavailable"


async def test_camera_entity_gives_something_else(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    scene_camera: SceneCamera,
    rekognition_server: RekognitionServer,
) -> None:
    """A camera answering with bytes that are no picture: a failed run that says so, no call."""
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    scene_camera.frame = b"<html>login required</html>"
    await _motion(hass, zone_entry)
    [event] = events
    assert event.data["type"] == "recognition_failed"
    assert event.data["reason"].startswith("The camera's image cannot be used")
    calls = rekognition_server.service.calls
    assert calls["DetectFaces"] == calls["SearchUsersByImage"] == 0


@pytest.mark.parametrize("zones", [[zone_data(frames=3, burst_interval=0.05)]])
async def test_burst_while_the_cloud_is_down(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    scene_camera: SceneCamera,
    rekognition_server: RekognitionServer,
) -> None:
    """The burst cannot be ranked: the first frame is kept and the run still alerts with it."""
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    scene_camera.frame = scene([Person("eve", 200, 100, 200)])
    rekognition_server.service.faults.append(Fault("*", "error500", count=1000))
    await _motion(hass, zone_entry)
    [event] = events
    assert event.data["type"] == "recognition_failed"
    assert "InternalServerError" in event.data["reason"]
    assert Path(event.data["snapshot_path"]).is_file()
    assert rekognition_server.service.calls["DetectFaces"] >= 1


@pytest.mark.parametrize("zones", [[gpio_zone(motion_pin=17, buzzer_pin=17)]])
async def test_buzzer_pin_that_cannot_be_claimed(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    scene_camera: SceneCamera,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The buzzer's pin is taken (here by the zone's own PIR): siren unavailable, logged.

    The zone's motion sensor is not affected.
    """
    zone = _zone(zone_entry)
    assert "the buzzer on GPIO 17 cannot be used" in _setup_logs(caplog)
    assert zone.buzzer is None
    assert hass.states.get("siren.porch_buzzer").state == "unavailable"

    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    scene_camera.frame = portrait("bob")
    assert zone.pir is not None
    zone.pir.factory.pin(17).drive_high()
    await wait_until(lambda: len(events) == 1)
    assert events[0].data["zone"] == "Porch"
    await wait_until(lambda: not zone._running)


async def test_damaged_run_record_does_not_hide_the_others(
    hass: HomeAssistant,
    rekognition_server: RekognitionServer,
    media_dir: Path,
) -> None:
    """Two runs cut short by a power cut; one record came back damaged from the SD card.

    The next start still alerts for the readable one, with its snapshot, and skips the other.
    """
    entry = MockConfigEntry(
        domain=DOMAIN,
        data={**ENTRY_DATA, CONF_ENDPOINT_URL: rekognition_server.url},
        unique_id=UNIQUE_ID,
        entry_id="01JTESTPOWERCUT0000000000",
    )
    folder = media_dir / DOMAIN / entry.entry_id
    folder.mkdir(parents=True)
    (folder / "20261130T020000000000Z_hall.jpg").write_bytes(portrait("eve"))
    (folder / "20261130T020000000000Z_hall.json").write_text(
        json.dumps(
            {
                "status": "in_progress",
                "zone": "Hall",
                "device_id": None,
                "time": "2026-11-30T02:00:00+00:00",
            }
        )
    )
    (folder / "20261130T020100000000Z_hall.jpg").write_bytes(portrait("bob"))
    (folder / "20261130T020100000000Z_hall.json").write_bytes(b'{"status": "in_prog\x00\x00')

    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    [event] = events
    assert event.data["type"] == "recognition_failed"
    assert event.data["zone"] == "Hall"
    # An older version left them in the media folder: they moved to the private folder first.
    private = Path(hass.config.path(DOMAIN, "snapshots", entry.entry_id))
    assert not folder.exists()
    assert event.data["snapshot_path"] == str(private / "20261130T020000000000Z_hall.jpg")
    assert (
        json.loads((private / "20261130T020000000000Z_hall.json").read_text())["status"] == "done"
    )
