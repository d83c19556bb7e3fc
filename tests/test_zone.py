"""Zones end to end: motion → capture → snapshot → recognition → event and entities."""

from __future__ import annotations

import asyncio
from collections.abc import Generator
from datetime import timedelta
import logging
from pathlib import Path
import sys
import time
from typing import Any
from unittest.mock import patch

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.intruder_alert.const import EVENT_INTRUDER_ALERT
from custom_components.intruder_alert.hardware.gpiod_factory import GpiodFactory
from custom_components.intruder_alert.zone import GPIO_RETRY_SECONDS, Zone
from homeassistant.components import camera
from homeassistant.core import Event, HomeAssistant
from homeassistant.util import dt as dt_util

from .conftest import WHITELIST, SceneCamera, enroll_directly, gpio_zone, wait_until, zone_data
from .fake_gpiod import FakeChip, make_module
from .rekognition_server import RekognitionServer
from .scenes import Person, portrait, scene


def _zone(entry: MockConfigEntry, index: int = 0) -> Zone:
    return list(entry.runtime_data.zones.values())[index]


async def _idle(hass: HomeAssistant, zone: Zone) -> None:
    await wait_until(lambda: not zone._running)
    await hass.async_block_till_done()


@pytest.mark.parametrize(
    "zones",
    [[gpio_zone()]],
)
async def test_gpio_pir_to_event(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    rekognition_server: RekognitionServer,
    scene_camera: SceneCamera,
    media_dir: Path,
) -> None:
    """A MockFactory pin driven high, through gpiozero's MotionSensor, gives exactly one event."""
    enroll_directly(rekognition_server, WHITELIST, "alice", "Alice")
    scene_camera.frame = scene([Person("alice", 40, 60, 200), Person("mallory", 400, 100, 100)])
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    zone = _zone(zone_entry)
    assert hass.states.get("binary_sensor.porch_motion").state == "off"

    assert zone.pir is not None
    zone.pir.factory.pin(17).drive_high()  # the PIR's output goes high
    await wait_until(lambda: len(events) == 1)
    await _idle(hass, zone)

    assert len(events) == 1
    event = events[0].data
    assert event["type"] == "unknown_person"
    assert event["zone"] == "Porch"
    assert event["names"] == ["Alice"]
    assert event["device_id"] is not None
    assert Path(event["snapshot_path"]).is_file()
    assert hass.states.get("binary_sensor.porch_motion").state == "on"
    assert hass.states.get("sensor.porch_last_verdict").state == "unknown_person"
    assert hass.states.get("sensor.porch_last_verdict").attributes["names"] == ["Alice"]
    assert hass.states.get("event.porch_recognition").attributes["event_type"] == "unknown_person"
    assert hass.states.get("image.porch_last_visitor").state != "unknown"

    zone.pir.factory.pin(17).drive_low()
    await wait_until(lambda: hass.states.get("binary_sensor.porch_motion").state == "off")
    assert len(events) == 1


async def test_entity_sources_to_event(
    hass: HomeAssistant, zone_entry: MockConfigEntry, scene_camera: SceneCamera, media_dir: Path
) -> None:
    """An existing binary_sensor turning on, and an existing camera entity, give one event."""
    scene_camera.frame = portrait("bob")
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    hass.states.async_set("binary_sensor.hall_motion", "on")
    await _idle(hass, _zone(zone_entry))
    assert [event.data["type"] for event in events] == ["unknown_person"]
    assert events[0].data["zone"] == "Zone 0"
    assert Path(events[0].data["snapshot_path"]).is_file()
    # Staying on is not new motion; off then on again is.
    hass.states.async_set("binary_sensor.hall_motion", "on", {"changed": 1})
    await _idle(hass, _zone(zone_entry))
    assert len(events) == 1


async def test_camera_failure_alerts_without_snapshot(
    hass: HomeAssistant, zone_entry: MockConfigEntry, scene_camera: SceneCamera
) -> None:
    """No image from the camera: recognition_failed with the reason; the zone knows it."""
    scene_camera.frame = None
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    hass.states.async_set("binary_sensor.hall_motion", "on")
    await _idle(hass, _zone(zone_entry))
    assert [event.data["type"] for event in events] == ["recognition_failed"]
    assert "camera.front_door" in events[0].data["reason"]
    assert events[0].data["snapshot_path"] is None
    assert not _zone(zone_entry).camera_available

    scene_camera.frame = portrait("carol")
    hass.states.async_set("binary_sensor.hall_motion", "off")
    hass.states.async_set("binary_sensor.hall_motion", "on")
    await _idle(hass, _zone(zone_entry))
    assert events[-1].data["type"] == "unknown_person"
    assert _zone(zone_entry).camera_available


@pytest.mark.parametrize("zones", [[zone_data(alarm_panel="alarm_control_panel.home")]])
async def test_armed_only_zone(
    hass: HomeAssistant, zone_entry: MockConfigEntry, scene_camera: SceneCamera
) -> None:
    """With an alarm panel set, motion is ignored while it is disarmed."""
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    zone = _zone(zone_entry)
    hass.states.async_set("alarm_control_panel.home", "disarmed")
    hass.states.async_set("binary_sensor.hall_motion", "on")
    await _idle(hass, zone)
    assert events == []
    assert zone.stats.ignored_disarmed == 1

    hass.states.async_set("alarm_control_panel.home", "armed_away")
    hass.states.async_set("binary_sensor.hall_motion", "off")
    hass.states.async_set("binary_sensor.hall_motion", "on")
    await _idle(hass, zone)
    assert len(events) == 1


async def test_switch_turns_recognition_off(
    hass: HomeAssistant, zone_entry: MockConfigEntry
) -> None:
    """The recognize-on-motion switch stops motion from starting runs."""
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": "switch.zone_0_recognize_on_motion"}, blocking=True
    )
    hass.states.async_set("binary_sensor.hall_motion", "on")
    await _idle(hass, _zone(zone_entry))
    assert events == []
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": "switch.zone_0_recognize_on_motion"}, blocking=True
    )
    hass.states.async_set("binary_sensor.hall_motion", "off")
    hass.states.async_set("binary_sensor.hall_motion", "on")
    await _idle(hass, _zone(zone_entry))
    assert len(events) == 1


@pytest.mark.parametrize("zones", [[zone_data(cooldown=2)]])
async def test_motion_storm_is_bounded(
    hass: HomeAssistant, zone_entry: MockConfigEntry, rekognition_server: RekognitionServer
) -> None:
    """50 pulses in 5 s: one run at a time, at most one follow-up per run, cooldown respected."""
    rekognition_server.service.latency = 0.15
    zone = _zone(zone_entry)
    events: list[Event] = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    in_flight, most_in_flight = 0, 0
    original = zone.async_run_once

    async def counted() -> Any:
        nonlocal in_flight, most_in_flight
        in_flight += 1
        most_in_flight = max(most_in_flight, in_flight)
        try:
            return await original()
        finally:
            in_flight -= 1

    zone.async_run_once = counted  # type: ignore[method-assign]
    stalls: list[float] = []

    async def watch_loop() -> None:
        while True:
            started = time.monotonic()
            await asyncio.sleep(0.01)
            stalls.append(time.monotonic() - started - 0.01)

    watcher = hass.async_create_background_task(watch_loop(), "loop watcher")
    for _ in range(50):
        hass.states.async_set("binary_sensor.hall_motion", "on")
        await asyncio.sleep(0.05)
        hass.states.async_set("binary_sensor.hall_motion", "off")
        await asyncio.sleep(0.05)
    await _idle(hass, zone)
    watcher.cancel()

    assert zone.stats.motion_events == 50
    assert most_in_flight == 1
    # Each chain is a run plus at most one follow-up, and chains start at least 2 s apart.
    chains = zone.stats.runs - zone.stats.follow_ups
    assert 1 <= chains <= 3
    assert zone.stats.follow_ups <= chains
    assert zone.stats.coalesced >= zone.stats.follow_ups
    # One event per run; the camera shows one still picture throughout, so from the third run on
    # it is frozen, which is said once.
    types = [event.data["type"] for event in events]
    assert zone.stats.runs == len(types) - 1
    assert types.count("camera_problem") == 1
    assert zone.stats.deferred_cooldown > 0
    # Generous: a block of the event loop (boto3 or file I/O on it) would show as a long stall.
    assert max(stalls) < 1.0


@pytest.mark.parametrize("zones", [[zone_data(frames=3, burst_interval=0.1)]])
async def test_burst_picks_the_frame_with_most_faces(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    scene_camera: SceneCamera,
    rekognition_server: RekognitionServer,
) -> None:
    """Three frames; the one showing two people is the one recognised."""
    frames = iter(
        [
            portrait("bob"),
            scene([Person("bob", 40, 40, 150), Person("eve", 300, 200, 150)]),
            portrait("bob"),
        ]
    )
    original = scene_camera.async_camera_image

    async def next_frame(width: int | None = None, height: int | None = None) -> bytes | None:
        scene_camera.frame = next(frames)
        return await original(width, height)

    scene_camera.async_camera_image = next_frame  # type: ignore[method-assign]
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    hass.states.async_set("binary_sensor.hall_motion", "on")
    await _idle(hass, _zone(zone_entry))
    assert len(events[0].data["faces"]) == 2
    assert rekognition_server.service.calls["DetectFaces"] == 3


@pytest.mark.parametrize(
    "zones",
    [
        [
            zone_data(
                title="Porch", motion_source="gpio", motion_pin=5, gpio_backend="mock", buzzer_pin=6
            )
        ]
    ],
)
async def test_buzzer_siren(hass: HomeAssistant, zone_entry: MockConfigEntry) -> None:
    """The buzzer is a siren with tones and a duration; it drives its GPIO pin."""
    zone = _zone(zone_entry)
    assert zone.buzzer is not None
    pin = zone.buzzer.factory.pin(6)
    state = hass.states.get("siren.porch_buzzer")
    assert state.attributes["available_tones"] == ["low", "mid", "high"]
    await hass.services.async_call(
        "siren",
        "turn_on",
        {"entity_id": "siren.porch_buzzer", "tone": "high", "duration": 2},
        blocking=True,
    )
    assert hass.states.get("siren.porch_buzzer").state == "on"
    assert pin.frequency == pytest.approx(880.0)
    await hass.services.async_call(
        "siren", "turn_off", {"entity_id": "siren.porch_buzzer"}, blocking=True
    )
    assert hass.states.get("siren.porch_buzzer").state == "off"
    assert not pin.state


@pytest.mark.parametrize(
    "zones", [[zone_data(title="Porch", motion_source="gpio", motion_pin=22, gpio_backend="mock")]]
)
async def test_removing_a_zone_releases_it(
    hass: HomeAssistant, zone_entry: MockConfigEntry
) -> None:
    """Removing the subentry reloads the account; the zone's device, entities and pin go."""
    zone = _zone(zone_entry)
    assert zone.pir is not None
    device = zone.pir.device
    subentry_id = zone.subentry_id
    assert hass.states.get("binary_sensor.porch_motion") is not None

    hass.config_entries.async_remove_subentry(zone_entry, subentry_id)
    await hass.async_block_till_done()

    assert device.closed
    assert zone_entry.runtime_data.zones == {}
    assert hass.states.get("binary_sensor.porch_motion") is None


async def test_recognize_action_on_a_zone(
    hass: HomeAssistant, zone_entry: MockConfigEntry, scene_camera: SceneCamera
) -> None:
    """The recognize action takes a zone's camera, as motion would; names are case-blind."""
    scene_camera.frame = portrait("dave")
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    response = await hass.services.async_call(
        "intruder_alert",
        "recognize",
        {"zone": "zone 0", "fire_event": False},
        blocking=True,
        return_response=True,
    )
    assert response["zone"] == "Zone 0"
    assert response["verdict"] == "unknown"
    assert events == []
    assert hass.states.get("sensor.zone_0_last_verdict").state == "unknown_person"


@pytest.mark.parametrize(
    "zones",
    [
        [
            zone_data(
                title="Gate", camera_source="picamera", camera_index=0, camera_resolution="800x600"
            )
        ]
    ],
)
async def test_pi_camera_zone(
    hass: HomeAssistant, fake_picamera2: Any, zone_entry: MockConfigEntry
) -> None:
    """A Pi camera zone captures through picamera2 (a fake with its surface), and closes it."""
    entry = zone_entry
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    hass.states.async_set("binary_sensor.hall_motion", "on")
    await _idle(hass, _zone(entry))
    assert [event.data["type"] for event in events] == ["no_face"]
    assert Path(events[0].data["snapshot_path"]).is_file()
    camera = fake_picamera2.instances[0]
    assert camera.started
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert camera.closed


@pytest.mark.parametrize("zones", [[gpio_zone()]])
async def test_simulate_motion_button(
    hass: HomeAssistant, zone_entry: MockConfigEntry, scene_camera: SceneCamera
) -> None:
    """On simulated pins, the button pulses the PIR pin: motion, then one event, then rest."""
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    scene_camera.frame = portrait("bob")
    press = hass.async_create_task(
        hass.services.async_call(
            "button", "press", {"entity_id": "button.porch_simulate_motion"}, blocking=True
        )
    )
    await wait_until(lambda: hass.states.get("binary_sensor.porch_motion").state == "on")
    await press
    await wait_until(
        lambda: len(events) == 1 and hass.states.get("binary_sensor.porch_motion").state == "off"
    )
    assert events[0].data["zone"] == "Porch"


async def test_no_button_without_simulated_pins(
    hass: HomeAssistant, zone_entry: MockConfigEntry
) -> None:
    """Real sensors get no simulate button."""
    assert hass.states.get("button.zone_0_simulate_motion") is None


@pytest.fixture
def header_chip() -> Generator[FakeChip]:
    """A Raspberry Pi 4's GPIO header as libgpiod sees it (a simulated kernel)."""
    module, chips = make_module({"/dev/gpiochip0": "pinctrl-bcm2711"})
    with (
        patch.dict(sys.modules, {"gpiod": module}),
        patch("glob.glob", return_value=list(chips)),
        patch.object(GpiodFactory, "_get_revision", return_value=0xC03112),
    ):
        yield chips["/dev/gpiochip0"]


@pytest.mark.parametrize("zones", [[gpio_zone(gpio_backend="gpiod")]])
async def test_gpio_chip_lost_and_back(
    hass: HomeAssistant,
    header_chip: FakeChip,
    zone_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A GPIO chip that vanishes while running is reported, not a silently dead PIR.

    The motion sensor and the buzzer become unavailable (logged once), and the zone reopens the
    chip by itself once it is back.
    """
    state = lambda: hass.states.get("binary_sensor.porch_motion").state  # noqa: E731
    await wait_until(lambda: state() == "off")
    header_chip.drive(17, True)
    await wait_until(lambda: state() == "on")
    header_chip.drive(17, False)
    await wait_until(lambda: state() == "off")

    caplog.set_level(logging.WARNING)
    header_chip.gone = True
    await wait_until(lambda: state() == "unavailable")
    await wait_until(lambda: hass.states.get("siren.porch_buzzer").state == "unavailable")
    await asyncio.sleep(0.5)  # gpiozero keeps sampling: still one warning
    lost = [r for r in caplog.records if "stopped answering" in r.getMessage()]
    assert len(lost) == 1

    # Still gone at the first retry: it stays unavailable and tries again later.
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=GPIO_RETRY_SECONDS + 1))
    await asyncio.sleep(0.3)
    assert state() == "unavailable"

    header_chip.gone = False
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=2 * GPIO_RETRY_SECONDS + 2))
    await wait_until(lambda: state() == "off")
    header_chip.drive(17, True)
    await wait_until(lambda: state() == "on")
    # The buzzer shares the chip: it was released with the PIR and is claimed again with it.
    await hass.services.async_call(
        "siren", "turn_on", {"entity_id": "siren.porch_buzzer"}, blocking=True
    )
    assert header_chip.levels[18] is True


@pytest.mark.parametrize(
    "zones",
    [
        [
            zone_data(
                title="Gate", camera_source="picamera", camera_index=0, camera_resolution="800x600"
            )
        ]
    ],
)
async def test_pi_camera_previews_reuse_a_recent_still(
    hass: HomeAssistant, fake_picamera2: Any, zone_entry: MockConfigEntry
) -> None:
    """Dashboards refreshing the zone camera do not take a full-resolution still each time."""
    picamera = fake_picamera2.instances[0]
    stills = 0
    real_capture = picamera.capture_file

    def counted(target: Any, format: str) -> None:  # noqa: A002 - picamera2's signature
        nonlocal stills
        stills += 1
        real_capture(target, format)

    picamera.capture_file = counted
    first = await camera.async_get_image(hass, "camera.gate_camera")
    second = await camera.async_get_image(hass, "camera.gate_camera")
    assert stills == 1
    assert first.content == second.content
    # An alarm always takes its own still.
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    hass.states.async_set("binary_sensor.hall_motion", "on")
    await _idle(hass, _zone(zone_entry))
    assert len(events) == 1
    assert stills == 2
