"""A zone's Last verdict sensor: what a user sees after each kind of run.

Its states are the event types, so none of them is Home Assistant's own ``unknown`` (no value):
a stranger must never look like missing data. Before the first run it says so: "No run yet".
"""

from __future__ import annotations

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.intruder_alert.const import (
    CONF_FAIL_MODE,
    DOMAIN,
    EVENT_INTRUDER_ALERT,
    EventType,
    FailMode,
)
from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.helpers.translation import async_get_translations

from .conftest import BLACKLIST, WHITELIST, SceneCamera, enroll_directly
from .rekognition_server import RekognitionServer
from .scenes import empty, portrait

SENSOR = "sensor.zone_0_last_verdict"
STATE_NAMES = f"component.{DOMAIN}.entity.sensor.last_verdict.state."


async def _recognize_zone(hass: HomeAssistant) -> None:
    await hass.services.async_call(
        DOMAIN, "recognize", {"zone": "Zone 0"}, blocking=True, return_response=True
    )
    await hass.async_block_till_done()


async def _shown(hass: HomeAssistant, state: str) -> str:
    """The text the frontend shows for a state of the sensor."""
    translations = await async_get_translations(hass, "en", "entity", [DOMAIN])
    return translations[STATE_NAMES + state]


@pytest.mark.parametrize(
    ("who", "state", "shown"),
    [
        ("alice", "known_person", "Known person"),
        ("mallory", "blacklisted_person", "Blacklisted person"),
        ("bob", "unknown_person", "Unknown person"),
        (None, "no_face", "No face"),
    ],
)
async def test_state_after_a_run(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    rekognition_server: RekognitionServer,
    scene_camera: SceneCamera,
    who: str | None,
    state: str,
    shown: str,
) -> None:
    """The sensor says "No run yet" first; then the run's type, in words, as the event's."""
    enroll_directly(rekognition_server, WHITELIST, "alice", "Alice")
    enroll_directly(rekognition_server, BLACKLIST, "mallory", "Mallory")
    assert hass.states.get(SENSOR).state == "no_run_yet"
    assert await _shown(hass, "no_run_yet") == "No run yet"
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)

    scene_camera.frame = portrait(who) if who else empty()
    await _recognize_zone(hass)

    assert hass.states.get(SENSOR).state == state
    assert await _shown(hass, state) == shown
    assert [event.data["type"] for event in events] == [state]


async def test_failed_run_is_recorded_even_when_quiet(
    hass: HomeAssistant, zone_entry: MockConfigEntry, scene_camera: SceneCamera
) -> None:
    """Fail mode "record only": no alarm event, but the sensor says the recognition failed."""
    hass.config_entries.async_update_entry(
        zone_entry, options={**zone_entry.options, CONF_FAIL_MODE: FailMode.QUIET}
    )
    await hass.async_block_till_done()
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    scene_camera.frame = None  # the camera gives no image

    await _recognize_zone(hass)

    assert events == []
    state = hass.states.get(SENSOR)
    assert state.state == "recognition_failed"
    assert "camera.front_door" in state.attributes["reason"]
    assert await _shown(hass, "recognition_failed") == "Recognition failed"


async def test_no_state_is_home_assistants_unknown(
    hass: HomeAssistant, zone_entry: MockConfigEntry
) -> None:
    """The options are the runs' event types and "no run yet", each named in words.

    None is ``unknown``; ``camera_problem`` is no run's result, so it is no option either.
    """
    options = hass.states.get(SENSOR).attributes["options"]
    results = [kind.value for kind in EventType if kind is not EventType.CAMERA_PROBLEM]
    assert options == [*results, "no_run_yet"]
    assert STATE_UNKNOWN not in options
    translations = await async_get_translations(hass, "en", "entity", [DOMAIN])
    named = {key.removeprefix(STATE_NAMES) for key in translations if key.startswith(STATE_NAMES)}
    assert named == set(options)
