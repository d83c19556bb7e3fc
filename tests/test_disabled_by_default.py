"""Noisy, little-watched diagnostics are disabled by default (quality scale: gold).

"Rekognition calls today" changes with every call, and "Estimated cost today" says what those
calls cost; "Median face size" changes with nearly every run with a face, and "Usable faces" is
the figure to watch. Both are registered disabled: no state, nothing recorded, until a user
enables them. Nothing the alarm, the blueprints or the demo dashboard uses is disabled.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from homeassistant.config_entries import RELOAD_AFTER_UPDATE_DELAY
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util

from .conftest import SceneCamera, gpio_zone
from .scenes import portrait

CALLS_TODAY = "sensor.intruder_alert_eu_west_1_rekognition_calls_today"
MEDIAN_FACE_SIZE = "sensor.porch_median_face_size"
DISABLED_BY_DEFAULT = {CALLS_TODAY, MEDIAN_FACE_SIZE}

# A zone with every kind of entity a zone on a camera entity can have: PIR, buzzer, simulation.
pytestmark = pytest.mark.parametrize("zones", [[gpio_zone()]])


def _entries(registry: er.EntityRegistry, entry: MockConfigEntry) -> list[er.RegistryEntry]:
    return er.async_entries_for_config_entry(registry, entry.entry_id)


async def test_noisy_diagnostics_are_disabled_for_a_new_account(
    hass: HomeAssistant, zone_entry: MockConfigEntry, entity_registry: er.EntityRegistry
) -> None:
    """A fresh setup registers the two disabled (by the integration) and every other enabled."""
    entries = {entry.entity_id: entry for entry in _entries(entity_registry, zone_entry)}
    disabled = {entity_id for entity_id, entry in entries.items() if entry.disabled_by}
    assert disabled == DISABLED_BY_DEFAULT
    for entity_id in DISABLED_BY_DEFAULT:
        entry = entries[entity_id]
        assert entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION
        assert entry.hidden_by is None
        assert entry.entity_category == "diagnostic"
        assert hass.states.get(entity_id) is None

    # What the alarm, the blueprints, the demo dashboard and the first hour use has a state.
    for entity_id in (
        "sensor.porch_last_verdict",
        "image.porch_last_visitor",
        "event.porch_recognition",
        "button.porch_recognise_now",
        "button.porch_simulate_motion",
        "switch.porch_recognize_on_motion",
        "binary_sensor.porch_motion",
        "siren.porch_buzzer",
        "binary_sensor.porch_camera_problem",
        "sensor.porch_usable_faces",
        "sensor.intruder_alert_eu_west_1_estimated_cost_today",
        "sensor.intruder_alert_eu_west_1_whitelisted_people",
        "sensor.intruder_alert_eu_west_1_blacklisted_people",
    ):
        assert entries[entity_id].disabled_by is None, entity_id
        assert hass.states.get(entity_id) is not None, entity_id
    assert len(entries) == 13 + len(DISABLED_BY_DEFAULT)


async def test_enabling_them_gives_them_their_values(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    scene_camera: SceneCamera,
    entity_registry: er.EntityRegistry,
) -> None:
    """Enabled in the entity's settings, they appear after Home Assistant's reload and count."""
    for entity_id in DISABLED_BY_DEFAULT:
        entity_registry.async_update_entity(entity_id, disabled_by=None)
    await hass.async_block_till_done()
    assert hass.states.get(CALLS_TODAY) is None  # Home Assistant reloads the entry a bit later
    async_fire_time_changed(
        hass, dt_util.utcnow() + timedelta(seconds=RELOAD_AFTER_UPDATE_DELAY + 1)
    )
    await hass.async_block_till_done()

    usage: Any = zone_entry.runtime_data.backend.usage
    assert int(hass.states.get(CALLS_TODAY).state) == sum(usage.today().values())
    assert hass.states.get(MEDIAN_FACE_SIZE).state == "unknown"  # no face since the start

    before = int(hass.states.get(CALLS_TODAY).state)
    scene_camera.frame = portrait("carol")  # one face, 200 pixels a side
    await hass.services.async_call(
        "button", "press", {"entity_id": "button.porch_recognise_now"}, blocking=True
    )
    await hass.async_block_till_done()
    assert int(hass.states.get(CALLS_TODAY).state) > before
    assert int(hass.states.get(CALLS_TODAY).state) == sum(usage.today().values())
    assert hass.states.get(MEDIAN_FACE_SIZE).state == "200"
    assert entity_registry.async_get(MEDIAN_FACE_SIZE).disabled_by is None
