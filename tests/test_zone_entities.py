"""What a zone's entities show a user: its camera, the last visitor, the event entity, the siren."""

from __future__ import annotations

from datetime import timedelta
import io
from pathlib import Path
from typing import Any

from PIL import Image
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.intruder_alert.const import CONF_FAIL_MODE, DOMAIN, EVENT_INTRUDER_ALERT
from custom_components.intruder_alert.zone import Zone
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.util import dt as dt_util

from .conftest import SceneCamera, gpio_zone, snapshot_file, wait_until, zone_data
from .rekognition_server import Fault, RekognitionServer
from .scenes import Person, portrait, scene

ClientFactory = Any  # pytest-homeassistant's hass_client fixture


def _zone(entry: MockConfigEntry) -> Zone:
    return next(iter(entry.runtime_data.zones.values()))


async def _motion(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """The hall sensor goes off and on again; wait for the run to end."""
    zone = _zone(entry)
    hass.states.async_set("binary_sensor.hall_motion", "off")
    hass.states.async_set("binary_sensor.hall_motion", "on")
    await wait_until(lambda: not zone._running)
    await hass.async_block_till_done()


def _media_path(hass: HomeAssistant, media_id: str) -> Path:
    return snapshot_file(hass, media_id)


async def test_a_zone_on_a_camera_entity_has_no_second_camera(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    scene_camera: SceneCamera,
    entity_registry: er.EntityRegistry,
) -> None:
    """One camera per zone: the zone uses camera.front_door itself, no proxy of it.

    The proxy an older version made is removed from the registry at the next start.
    """
    subentry_id = _zone(zone_entry).subentry_id
    cameras = [
        entry.entity_id
        for entry in er.async_entries_for_config_entry(entity_registry, zone_entry.entry_id)
        if entry.domain == "camera"
    ]
    assert cameras == []
    assert hass.states.get("camera.zone_0_camera") is None

    entity_registry.async_get_or_create(
        "camera",
        DOMAIN,
        f"{subentry_id}_camera",
        config_entry=zone_entry,
        config_subentry_id=subentry_id,
        suggested_object_id="zone_0_camera",
    )
    assert await hass.config_entries.async_reload(zone_entry.entry_id)
    await hass.async_block_till_done()
    assert entity_registry.async_get("camera.zone_0_camera") is None
    assert hass.states.get("camera.zone_0_camera") is None


@pytest.mark.parametrize(
    "zones",
    [[zone_data(title="Gate", camera_source="picamera", camera_resolution="800x600")]],
)
async def test_zone_camera_on_the_pi_camera(
    hass: HomeAssistant,
    fake_picamera2: Any,
    zone_entry: MockConfigEntry,
    hass_client: ClientFactory,
) -> None:
    """A Pi camera zone's camera entity serves a live still at the configured size.

    A camera that stops answering is an error for the dashboard, not a crash.
    """
    client = await hass_client()
    response = await client.get("/api/camera_proxy/camera.gate_camera")
    assert response.status == 200
    with Image.open(io.BytesIO(await response.read())) as image:
        assert image.format == "JPEG"
        assert image.size == (800, 600)

    def ribbon_cable_loose(target: Any, format: str) -> None:  # noqa: A002
        raise TimeoutError("Camera frontend has timed out")

    [camera] = fake_picamera2.instances
    camera.capture_file = ribbon_cable_loose
    _zone(zone_entry)._last_still = None  # no recent still to show instead
    response = await client.get("/api/camera_proxy/camera.gate_camera")
    assert response.status == 500


async def test_last_visitor_image_follows_the_runs(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    scene_camera: SceneCamera,
    rekognition_server: RekognitionServer,
    media_dir: Path,
    hass_client: ClientFactory,
) -> None:
    """A "No visitor yet" picture before the first run, then each run's annotated frame."""
    client = await hass_client()
    before = hass.states.get("image.zone_0_last_visitor")
    assert before.state == "unknown"
    response = await client.get("/api/image_proxy/image.zone_0_last_visitor")
    # Not an error: a picture that says nobody has been seen yet.
    assert response.status == 200
    with Image.open(io.BytesIO(await response.read())) as placeholder:
        assert placeholder.size == (640, 360)
        assert placeholder.getpixel((5, 5)) == pytest.approx((32, 33, 36), abs=3)

    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    scene_camera.frame = scene([Person("bob", 100, 100, 200)])
    await _motion(hass, zone_entry)
    first = events[-1].data
    state = hass.states.get("image.zone_0_last_visitor")
    assert state.state != "unknown"
    # A new picture has a new address, so no browser shows the cached old one.
    assert state.attributes["entity_picture"] != before.attributes["entity_picture"]
    response = await client.get("/api/image_proxy/image.zone_0_last_visitor")
    assert response.status == 200
    assert response.content_type == "image/jpeg"
    served = await response.read()
    assert served == _media_path(hass, first["annotated_media_id"]).read_bytes()
    assert served != Path(first["snapshot_path"]).read_bytes()  # boxed and labelled

    # The cloud fails: the next visitor is shown unannotated (the snapshot as taken).
    rekognition_server.service.faults.append(Fault("*", "error500", count=100))
    scene_camera.frame = scene([Person("eve", 300, 200, 150)])
    await _motion(hass, zone_entry)
    failed = events[-1].data
    assert failed["type"] == "recognition_failed"
    assert failed["annotated_media_id"] is None
    assert hass.states.get("image.zone_0_last_visitor").state != state.state
    response = await client.get("/api/image_proxy/image.zone_0_last_visitor")
    assert await response.read() == Path(failed["snapshot_path"]).read_bytes()


async def test_quiet_failures_leave_the_event_entity_alone(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    scene_camera: SceneCamera,
    rekognition_server: RekognitionServer,
) -> None:
    """Fail mode "record only": a failed run shows on the sensor, fires no event anywhere."""
    hass.config_entries.async_update_entry(zone_entry, options={CONF_FAIL_MODE: "quiet"})
    await hass.async_block_till_done()
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    scene_camera.frame = portrait("eve")

    rekognition_server.service.faults.append(Fault("*", "error500", count=100))
    await _motion(hass, zone_entry)
    assert events == []
    assert hass.states.get("sensor.zone_0_last_verdict").state == "recognition_failed"
    assert hass.states.get("event.zone_0_recognition").state == "unknown"

    rekognition_server.service.faults.clear()
    await _motion(hass, zone_entry)
    assert [event.data["type"] for event in events] == ["unknown_person"]
    event_state = hass.states.get("event.zone_0_recognition")
    assert event_state.attributes["event_type"] == "unknown_person"
    assert event_state.attributes["verdict"] == "unknown"


@pytest.mark.parametrize("zones", [[gpio_zone()]])
async def test_siren_stops_after_its_duration(
    hass: HomeAssistant, zone_entry: MockConfigEntry
) -> None:
    """Turned on for 5 s, the buzzer sounds, then falls silent by itself; off cancels early."""
    zone = _zone(zone_entry)
    assert zone.buzzer is not None
    pin = zone.buzzer.factory.pin(18)
    await hass.services.async_call(
        "siren", "turn_on", {"entity_id": "siren.porch_buzzer", "duration": 5}, blocking=True
    )
    assert hass.states.get("siren.porch_buzzer").state == "on"
    assert pin.frequency == pytest.approx(440.0)  # the middle tone by default

    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=4))
    await hass.async_block_till_done()
    assert hass.states.get("siren.porch_buzzer").state == "on"
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=6))
    await hass.async_block_till_done()
    assert hass.states.get("siren.porch_buzzer").state == "off"
    assert not pin.state

    # Turned off before its time: the old timer must not cut a later, longer alarm short.
    await hass.services.async_call(
        "siren", "turn_on", {"entity_id": "siren.porch_buzzer", "duration": 5}, blocking=True
    )
    await hass.services.async_call(
        "siren", "turn_off", {"entity_id": "siren.porch_buzzer"}, blocking=True
    )
    await hass.services.async_call(
        "siren", "turn_on", {"entity_id": "siren.porch_buzzer", "duration": 60}, blocking=True
    )
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=10))
    await hass.async_block_till_done()
    assert hass.states.get("siren.porch_buzzer").state == "on"


@pytest.mark.parametrize("zones", [[zone_data(title="Porch"), zone_data(title="Garden")]])
async def test_zone_devices_come_and_go_with_their_zones(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Each zone is a device under the account; removing a zone leaves no stale device."""
    zones = {zone.name: zone for zone in zone_entry.runtime_data.zones.values()}
    account = device_registry.async_get_device_by_identifier(
        (DOMAIN, zone_entry.entry_id), zone_entry.entry_id
    )
    assert account is not None
    devices = {
        name: device_registry.async_get_device_by_identifier(
            (DOMAIN, zone.subentry_id), zone_entry.entry_id
        )
        for name, zone in zones.items()
    }
    assert all(device is not None for device in devices.values())
    porch = devices["Porch"]
    assert porch is not None
    assert porch.via_device_id == account.id
    assert er.async_entries_for_device(entity_registry, porch.id)

    hass.config_entries.async_remove_subentry(zone_entry, zones["Porch"].subentry_id)
    await hass.async_block_till_done()

    assert (
        device_registry.async_get_device_by_identifier(
            (DOMAIN, zones["Porch"].subentry_id), zone_entry.entry_id
        )
        is None
    )
    assert not er.async_entries_for_device(entity_registry, porch.id)
    assert hass.states.get("sensor.porch_last_verdict") is None
    garden = devices["Garden"]
    assert garden is not None
    assert device_registry.async_get(garden.id) is not None
    assert hass.states.get("sensor.garden_last_verdict") is not None


async def test_test_calls_do_not_look_like_alarms(
    hass: HomeAssistant, zone_entry: MockConfigEntry, scene_camera: SceneCamera
) -> None:
    """Recognize with fire_event: false fires nothing and leaves the Recognition entity alone."""
    before = hass.states.get("event.zone_0_recognition")
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    scene_camera.frame = scene([Person("bob", 100, 100, 200)])
    response = await hass.services.async_call(
        "intruder_alert",
        "recognize",
        {"device_id": _zone(zone_entry).device_id, "fire_event": False},
        blocking=True,
        return_response=True,
    )
    await hass.async_block_till_done()
    assert response is not None
    assert response["type"] == "unknown_person"
    assert events == []
    assert hass.states.get("event.zone_0_recognition").state == before.state


async def test_recognise_now_button(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    scene_camera: SceneCamera,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Every zone has "Recognise now" as a main control: one run, one event."""
    state = hass.states.get("button.zone_0_recognise_now")
    assert state is not None
    entry = er.async_get(hass).async_get("button.zone_0_recognise_now")
    assert entry is not None
    assert entry.entity_category is None
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    scene_camera.frame = scene([Person("bob", 100, 100, 200)])
    await hass.services.async_call(
        "button", "press", {"entity_id": "button.zone_0_recognise_now"}, blocking=True
    )
    await hass.async_block_till_done()
    assert [event.data["type"] for event in events] == ["unknown_person"]
    assert hass.states.get("event.zone_0_recognition").attributes["event_type"] == "unknown_person"
    # A source that comes up at start-up is normal: no "is back" line at every load.
    assert "is back" not in caplog.text
