"""Cameras that say when they cannot see, in Home Assistant, on real frames.

A black, covered or frozen frame turns the zone's "Camera problem" sensor on and fires one
``camera_problem`` event (bus and event entity) after the run's own event; a good frame clears
it. The usable-face share and the median face size follow real faces (dlib decides, behind the
Rekognition protocol).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest.mock import patch

from PIL import Image, ImageFilter
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.intruder_alert.const import DOMAIN, EVENT_INTRUDER_ALERT
from custom_components.intruder_alert.zone import Zone
from homeassistant.core import Event, HomeAssistant

from .conftest import SceneCamera, enroll_photo, wait_until, zone_data
from .faces import grace_hopper, group_of_six, jpeg, rescaled
from .rekognition_server import Fault, RekognitionServer
from .scenes import empty

PROBLEM = "binary_sensor.zone_0_camera_problem"
USABLE = "sensor.zone_0_usable_faces"
MEDIAN = "sensor.zone_0_median_face_size"
EVENT_ENTITY = "event.zone_0_recognition"


@pytest.fixture
def rekognition_server(real_faces_server: RekognitionServer) -> RekognitionServer:
    """The account's server decides faces with dlib: real faces in real frames."""
    return real_faces_server


def _zone(entry: MockConfigEntry) -> Zone:
    return next(iter(entry.runtime_data.zones.values()))


async def _motion(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """The hall sensor goes off and on again; wait for the run to end."""
    zone = _zone(entry)
    hass.states.async_set("binary_sensor.hall_motion", "off")
    hass.states.async_set("binary_sensor.hall_motion", "on")
    await wait_until(lambda: not zone._running)
    await hass.async_block_till_done()


def _types(events: list[Event]) -> list[str]:
    return [event.data["type"] for event in events]


def black() -> bytes:
    """The group photo's room at night without infrared light."""
    return jpeg(Image.eval(group_of_six(), lambda value: round(value * 0.04)))


def covered() -> bytes:
    """A hand on the lens: skin colour, a little shading, nothing in focus."""
    hand = Image.radial_gradient("L").resize((800, 600)).point(lambda value: 110 + value // 5)
    return jpeg(
        Image.merge(
            "RGB", (hand, hand.point(lambda v: v * 4 // 5), hand.point(lambda v: v * 2 // 3))
        )
    )


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_no_problem_is_known_before_a_frame_is_checked(
    hass: HomeAssistant, zone_entry: MockConfigEntry
) -> None:
    """After a start the sensors say unknown, not "fine", until a run checked a frame."""
    assert hass.states.get(PROBLEM).state == "unknown"
    assert hass.states.get(USABLE).state == "unknown"
    assert hass.states.get(MEDIAN).state == "unknown"
    assert hass.states.get(USABLE).attributes["window"] == 20


@pytest.mark.parametrize(
    ("frame", "problem"),
    [
        (black, "black"),
        (covered, "covered"),
        (lambda: jpeg(Image.new("RGB", (640, 480), (96, 96, 96))), "covered"),
    ],
    ids=["black", "hand on the lens", "flat"],
)
async def test_black_or_covered_frame_marks_a_problem_once(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    scene_camera: SceneCamera,
    frame: Any,
    problem: str,
) -> None:
    """The run still reports what it saw, then camera_problem fires once; a good frame clears."""
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    scene_camera.frame = frame()
    await _motion(hass, zone_entry)
    assert _types(events) == ["no_face", "camera_problem"]
    run, alarm = events[0].data, events[1].data
    assert alarm["run_id"] == run["run_id"]
    assert alarm["problem"] == problem
    assert alarm["snapshot_media_id"] == run["snapshot_media_id"]  # the frame that shows it
    assert alarm["zone"] == "Zone 0"
    assert alarm["reason"].startswith("The picture")
    assert alarm["summary"] == f"Camera problem: {problem}"
    assert set(alarm["measures"]) == {"brightness", "contrast", "detail"}

    state = hass.states.get(PROBLEM)
    assert state.state == "on"
    assert state.attributes["reason"] == problem
    assert state.attributes["description"] == alarm["reason"]
    assert state.attributes["since"] == run["time"]
    event_state = hass.states.get(EVENT_ENTITY)
    assert event_state.attributes["event_type"] == "camera_problem"
    assert event_state.attributes["problem"] == problem

    # Still covered: the run reports again, the problem is not announced again.
    await _motion(hass, zone_entry)
    assert _types(events) == ["no_face", "camera_problem", "no_face"]
    assert hass.states.get(PROBLEM).state == "on"
    assert hass.states.get(EVENT_ENTITY).attributes["event_type"] == "no_face"

    # Uncovered: Grace Hopper at the door clears it.
    scene_camera.frame = jpeg(grace_hopper())
    await _motion(hass, zone_entry)
    assert _types(events)[3:] == ["unknown_person"]
    state = hass.states.get(PROBLEM)
    assert state.state == "off"
    assert state.attributes["reason"] is None
    assert state.attributes["since"] is None
    assert state.attributes["detail"] > 5


async def test_frozen_camera_after_three_identical_frames(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    scene_camera: SceneCamera,
    media_dir: Path,
) -> None:
    """A camera serving the same still three runs in a row is frozen; a new picture clears it."""
    await enroll_photo(hass, media_dir, "whitelist", "Grace Hopper", jpeg(grace_hopper()))
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    scene_camera.frame = jpeg(grace_hopper())
    for _ in range(2):
        await _motion(hass, zone_entry)
    assert _types(events) == ["known_person"] * 2
    assert hass.states.get(PROBLEM).state == "off"

    await _motion(hass, zone_entry)
    assert _types(events) == ["known_person"] * 3 + ["camera_problem"]
    assert events[-1].data["problem"] == "frozen"
    assert events[-1].data["names"] == ["Grace Hopper"]  # what the run saw, still said
    assert hass.states.get(PROBLEM).attributes["reason"] == "frozen"
    await _motion(hass, zone_entry)
    assert _types(events)[4:] == ["known_person"]  # still frozen: said once

    scene_camera.frame = jpeg(rescaled(grace_hopper(), 0.9))
    await _motion(hass, zone_entry)
    assert _types(events)[5:] == ["known_person"]
    assert hass.states.get(PROBLEM).state == "off"
    # Frozen again takes three identical frames again; black wins as the reason.
    scene_camera.frame = black()
    for _ in range(3):
        await _motion(hass, zone_entry)
    assert _types(events)[6:] == ["no_face", "camera_problem", "no_face", "no_face"]
    assert hass.states.get(PROBLEM).attributes["reason"] == "black"


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_usable_faces_follow_real_faces(
    hass: HomeAssistant, zone_entry: MockConfigEntry, scene_camera: SceneCamera
) -> None:
    """Large sharp faces are usable; far away or blurred ones are not; the median follows."""
    scene_camera.frame = jpeg(grace_hopper())
    await _motion(hass, zone_entry)
    assert hass.states.get(USABLE).state == "100.0"
    assert 200 <= int(hass.states.get(MEDIAN).state) <= 230

    # The group, far from the camera: six faces of about 40 pixels.
    scene_camera.frame = jpeg(rescaled(group_of_six(), 0.3))
    await _motion(hass, zone_entry)
    assert hass.states.get(USABLE).state == "50.0"
    assert hass.states.get(USABLE).attributes["usable_runs"] == 1

    # The group up close, but moving: large faces, all blurred.
    scene_camera.frame = jpeg(group_of_six().filter(ImageFilter.GaussianBlur(3)))
    await _motion(hass, zone_entry)
    usable = hass.states.get(USABLE)
    assert float(usable.state) == pytest.approx(33.3)
    assert usable.attributes["runs"] == 3
    # Largest faces: Grace about 215, far group about 40, blurred group about 124.
    assert 100 <= int(hass.states.get(MEDIAN).state) <= 140

    # Nobody in the frame (a cat set the sensor off): a run without a usable face.
    scene_camera.frame = empty()
    await _motion(hass, zone_entry)
    assert hass.states.get(USABLE).state == "25.0"
    assert hass.states.get(USABLE).attributes["runs"] == 4
    assert hass.states.get(PROBLEM).state == "off"  # the textured wall is no problem


async def test_failed_recognition_still_checks_the_camera(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    scene_camera: SceneCamera,
    rekognition_server: RekognitionServer,
) -> None:
    """The cloud is down: the frame is still checked, but its faces are not counted."""
    rekognition_server.service.faults.append(Fault("*", "error500", count=1000))
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    scene_camera.frame = black()
    await _motion(hass, zone_entry)
    assert _types(events) == ["recognition_failed", "camera_problem"]
    assert hass.states.get(PROBLEM).state == "on"
    assert hass.states.get(USABLE).state == "unknown"


async def test_test_calls_leave_the_camera_health_alone(
    hass: HomeAssistant, zone_entry: MockConfigEntry, scene_camera: SceneCamera
) -> None:
    """A test call (fire_event: false) is no event: no camera_problem, no sensor change."""
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    scene_camera.frame = black()
    response = await hass.services.async_call(
        DOMAIN,
        "recognize",
        {"device_id": _zone(zone_entry).device_id, "fire_event": False},
        blocking=True,
        return_response=True,
    )
    assert response["type"] == "no_face"
    assert events == []
    assert hass.states.get(PROBLEM).state == "unknown"
    assert hass.states.get(USABLE).state == "unknown"

    # "Recognise now" is a real run.
    await hass.services.async_call(
        "button", "press", {"entity_id": "button.zone_0_recognise_now"}, blocking=True
    )
    await hass.async_block_till_done()
    assert _types(events) == ["no_face", "camera_problem"]


async def test_a_failed_capture_leaves_the_problem_as_it_was(
    hass: HomeAssistant, zone_entry: MockConfigEntry, scene_camera: SceneCamera
) -> None:
    """No frame, nothing to judge: the run fails as before, the problem sensor stays."""
    scene_camera.frame = black()
    await _motion(hass, zone_entry)
    scene_camera.frame = None
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    await _motion(hass, zone_entry)
    assert _types(events) == ["recognition_failed"]
    assert hass.states.get(PROBLEM).state == "on"


async def test_a_broken_check_never_costs_the_alarm(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    scene_camera: SceneCamera,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Should measuring a frame fail, the run's event is out and the zone keeps working."""
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    scene_camera.frame = black()
    with patch(
        "custom_components.intruder_alert.camera_health.check_frame",
        side_effect=ValueError("broken"),
    ):
        await _motion(hass, zone_entry)
    assert _types(events) == ["no_face"]
    assert "the camera check failed" in caplog.text
    assert hass.states.get(PROBLEM).state == "unknown"
    await _motion(hass, zone_entry)
    assert _types(events) == ["no_face", "no_face", "camera_problem"]


PI_ZONE = zone_data(
    title="Zone 0", camera_source="picamera", camera_index=0, camera_resolution="800x600"
)


@pytest.mark.parametrize("zones", [[PI_ZONE]])
async def test_pi_camera_zone_is_checked_too(
    hass: HomeAssistant, fake_picamera2: Any, zone_entry: MockConfigEntry
) -> None:
    """The Pi camera's stills are live (sensor noise): fine; a capped lens is black."""
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    for _ in range(3):
        await _motion(hass, zone_entry)
    assert _types(events) == ["no_face"] * 3
    assert hass.states.get(PROBLEM).state == "off"

    [camera] = fake_picamera2.instances

    def lens_cap(target: Any, format: str) -> None:  # noqa: A002 - picamera2's signature
        Image.new("RGB", camera.config["main"]["size"], (3, 3, 4)).save(target, format=format)

    camera.capture_file = lens_cap
    await _motion(hass, zone_entry)
    assert _types(events)[3:] == ["no_face", "camera_problem"]
    assert hass.states.get(PROBLEM).attributes["reason"] == "black"
