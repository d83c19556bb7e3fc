"""The zone subentry flow: add and reconfigure, every source, every error."""

from __future__ import annotations

import sys
import types
from typing import Any
from unittest.mock import AsyncMock, patch

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.intruder_alert.const import DOMAIN, GPIO_REQUIREMENTS
from custom_components.intruder_alert.hardware import picamera
from homeassistant.config_entries import SOURCE_RECONFIGURE, SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.helpers.translation import async_get_translations
from homeassistant.requirements import RequirementsNotFound

from .conftest import zone_data


async def _start(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    source: str = SOURCE_USER,
    subentry_id: str | None = None,
) -> Any:
    context: dict[str, Any] = {"source": source}
    if subentry_id:
        context["subentry_id"] = subentry_id
    return await hass.config_entries.subentries.async_init(
        (entry.entry_id, "zone"), context=context
    )


async def _step(hass: HomeAssistant, result: Any, data: dict[str, Any]) -> Any:
    return await hass.config_entries.subentries.async_configure(result["flow_id"], data)


BEHAVIOUR = {"recognize_on_motion": True, "cooldown": 45, "frames": 2, "burst_interval": 0.3}


async def test_add_zone_with_entities(hass: HomeAssistant, zone_entry: MockConfigEntry) -> None:
    """Name, sources, entities, behaviour: the zone is created and starts running."""
    result = await _start(hass, zone_entry)
    assert result["step_id"] == "user"
    result = await _step(
        hass,
        result,
        {"name": "  Back   garden ", "motion_source": "entity", "camera_source": "entity"},
    )
    assert result["step_id"] == "motion_entity"
    result = await _step(hass, result, {"motion_entity": "binary_sensor.hall_motion"})
    assert result["step_id"] == "camera_entity"
    result = await _step(hass, result, {"camera_entity": "camera.front_door"})
    assert result["step_id"] == "behaviour"
    result = await _step(hass, result, {**BEHAVIOUR, "alarm_panel": "alarm_control_panel.home"})
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Back garden"
    assert result["data"] == {
        "motion_source": "entity",
        "camera_source": "entity",
        "motion_entity": "binary_sensor.hall_motion",
        "camera_entity": "camera.front_door",
        "alarm_panel": "alarm_control_panel.home",
        **BEHAVIOUR,
    }
    names = sorted(zone.name for zone in zone_entry.runtime_data.zones.values())
    assert names == ["Back garden", "Zone 0"]


async def test_add_zone_with_simulated_gpio_pir(
    hass: HomeAssistant, zone_entry: MockConfigEntry
) -> None:
    """A GPIO PIR on simulated pins, with a buzzer."""
    result = await _start(hass, zone_entry)
    result = await _step(
        hass, result, {"name": "Shed", "motion_source": "gpio", "camera_source": "entity"}
    )
    assert result["step_id"] == "motion_gpio"
    result = await _step(hass, result, {"motion_pin": 4, "gpio_backend": "mock"})
    result = await _step(hass, result, {"camera_entity": "camera.front_door"})
    result = await _step(hass, result, {**BEHAVIOUR, "buzzer_pin": 4})
    assert result["errors"] == {"buzzer_pin": "pin_in_use"}
    result = await _step(hass, result, {**BEHAVIOUR, "buzzer_pin": 26})
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["motion_pin"] == 4
    assert result["data"]["buzzer_pin"] == 26
    assert hass.states.get("siren.shed_buzzer") is not None
    assert hass.states.get("binary_sensor.shed_motion").state == "off"


@pytest.mark.parametrize(
    "zones", [[zone_data(title="Porch", motion_source="gpio", motion_pin=17, gpio_backend="mock")]]
)
async def test_zone_errors(hass: HomeAssistant, zone_entry: MockConfigEntry) -> None:
    """Duplicate names, pins in use, GPIO or camera missing on this host are form errors."""
    result = await _start(hass, zone_entry)
    result = await _step(
        hass, result, {"name": "porch", "motion_source": "gpio", "camera_source": "picamera"}
    )
    assert result["errors"] == {"name": "name_exists"}
    result = await _step(
        hass, result, {"name": "   ", "motion_source": "gpio", "camera_source": "picamera"}
    )
    assert result["errors"] == {"name": "name_required"}
    result = await _step(
        hass, result, {"name": "Garage", "motion_source": "gpio", "camera_source": "picamera"}
    )
    result = await _step(hass, result, {"motion_pin": 17, "gpio_backend": "mock"})
    assert result["errors"] == {"motion_pin": "pin_in_use"}
    # This machine has no GPIO chip, like a Home Assistant container without /dev/gpiochip*.
    result = await _step(hass, result, {"motion_pin": 27, "gpio_backend": "gpiod"})
    assert result["errors"] == {"gpio_backend": "gpio_unavailable"}
    assert "/dev/gpiochip" in result["description_placeholders"]["error"]
    result = await _step(hass, result, {"motion_pin": 27, "gpio_backend": "mock"})
    assert result["step_id"] == "camera_picamera"
    # picamera2 exists only on Raspberry Pi OS.
    result = await _step(hass, result, {"camera_index": 0, "camera_resolution": "1920x1080"})
    assert result["errors"] == {"base": "picamera_unavailable"}
    module = types.ModuleType("picamera2")
    with (
        patch.dict(sys.modules, {"picamera2": module}),
        patch.object(picamera.importlib.util, "find_spec", return_value=object()),
    ):
        result = await _step(hass, result, {"camera_index": 0, "camera_resolution": "big"})
        assert result["errors"] == {"camera_resolution": "invalid_resolution"}
        result = await _step(hass, result, {"camera_index": 1, "camera_resolution": "1280x720"})
    assert result["step_id"] == "behaviour"


async def test_buzzer_needs_gpio(hass: HomeAssistant, zone_entry: MockConfigEntry) -> None:
    """A buzzer on a zone without a GPIO PIR still needs GPIO on this host."""
    result = await _start(hass, zone_entry)
    result = await _step(
        hass, result, {"name": "Gate", "motion_source": "entity", "camera_source": "entity"}
    )
    result = await _step(hass, result, {"motion_entity": "binary_sensor.hall_motion"})
    result = await _step(hass, result, {"camera_entity": "camera.front_door"})
    result = await _step(hass, result, {**BEHAVIOUR, "buzzer_pin": 21})
    assert result["errors"] == {"buzzer_pin": "gpio_unavailable"}


async def test_reconfigure_zone(hass: HomeAssistant, zone_entry: MockConfigEntry) -> None:
    """Reconfiguring walks the same steps with the zone's values and reloads it."""
    subentry_id = next(iter(zone_entry.subentries))
    result = await _start(hass, zone_entry, SOURCE_RECONFIGURE, subentry_id)
    # Its own step, so its title says "Change", not "Add a zone".
    assert result["step_id"] == "reconfigure"
    translations = await async_get_translations(hass, "en", "config_subentries", [DOMAIN])
    title = translations[f"component.{DOMAIN}.config_subentries.zone.step.reconfigure.title"]
    assert title == "Change this Intruder Alert zone"
    result = await _step(
        hass, result, {"name": "Hall", "motion_source": "entity", "camera_source": "entity"}
    )
    result = await _step(hass, result, {"motion_entity": "binary_sensor.hall_motion"})
    result = await _step(hass, result, {"camera_entity": "camera.front_door"})
    result = await _step(hass, result, {**BEHAVIOUR, "cooldown": 5})
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    subentry = zone_entry.subentries[subentry_id]
    assert subentry.title == "Hall"
    assert subentry.data["cooldown"] == 5
    zone = zone_entry.runtime_data.zones[subentry_id]
    assert zone.name == "Hall"
    assert zone.cooldown == 5
    assert zone_entry.domain == DOMAIN


async def test_gpio_libraries_installed_only_for_gpio_pins(
    hass: HomeAssistant, zone_entry: MockConfigEntry
) -> None:
    """The GPIO libraries are installed when a zone gets GPIO pins; a failure is a form error.

    A zone with an existing motion sensor and no buzzer never asks for them.
    """
    install = AsyncMock(side_effect=RequirementsNotFound(DOMAIN, ["gpiozero==2.0.1.post3"]))
    with patch("custom_components.intruder_alert.config_flow.async_process_requirements", install):
        result = await _start(hass, zone_entry)
        result = await _step(
            hass, result, {"name": "Shed", "motion_source": "gpio", "camera_source": "entity"}
        )
        result = await _step(hass, result, {"motion_pin": 4, "gpio_backend": "mock"})
        assert result["step_id"] == "motion_gpio"
        assert result["errors"] == {"gpio_backend": "gpio_requirements_failed"}
        assert "gpiozero==2.0.1.post3" in result["description_placeholders"]["error"]
        install.assert_awaited_once_with(hass, DOMAIN, GPIO_REQUIREMENTS)

        # A buzzer on a zone with an existing motion sensor needs them too.
        result = await _start(hass, zone_entry)
        result = await _step(
            hass, result, {"name": "Gate", "motion_source": "entity", "camera_source": "entity"}
        )
        result = await _step(hass, result, {"motion_entity": "binary_sensor.hall_motion"})
        result = await _step(hass, result, {"camera_entity": "camera.front_door"})
        result = await _step(hass, result, {**BEHAVIOUR, "buzzer_pin": 21})
        assert result["errors"] == {"buzzer_pin": "gpio_requirements_failed"}
        assert install.await_count == 2

        # Without a buzzer, nothing is installed and the zone is created.
        result = await _step(hass, result, BEHAVIOUR)
        await hass.async_block_till_done()
        assert result["type"] is FlowResultType.CREATE_ENTRY
        assert install.await_count == 2
    assert [zone.title for zone in zone_entry.subentries.values()] == ["Zone 0", "Gate"]

    translations = await async_get_translations(hass, "en", "config_subentries", [DOMAIN])
    message = translations[
        f"component.{DOMAIN}.config_subentries.zone.error.gpio_requirements_failed"
    ]
    assert message.startswith(
        "The GPIO libraries (gpiozero, gpiod) could not be installed: {error}"
    )


def _picker(result: Any, field: str) -> dict[str, Any]:
    """The entity selector's config of ``field`` in the form ``result`` shows."""
    key = next(key for key in result["data_schema"].schema if key == field)
    return dict(result["data_schema"].schema[key].config)


MOTION_LIKE = [
    "motion",
    "occupancy",
    "presence",
    "moving",
    "door",
    "garage_door",
    "opening",
    "window",
    "vibration",
]


async def test_motion_picker_lists_motion_like_sensors(
    hass: HomeAssistant, zone_entry: MockConfigEntry
) -> None:
    """A new zone is offered motion-like binary sensors only, not "Basement Floor Wet"."""
    result = await _start(hass, zone_entry)
    result = await _step(
        hass, result, {"name": "Shed", "motion_source": "entity", "camera_source": "entity"}
    )
    picker = _picker(result, "motion_entity")
    [only] = picker["filter"]
    assert only["domain"] == ["binary_sensor"]
    assert only["device_class"] == MOTION_LIKE
    assert "moisture" not in only["device_class"]


@pytest.mark.parametrize(
    ("device_class", "filtered"), [(None, False), ("moisture", False), ("occupancy", True)]
)
async def test_reconfigure_keeps_a_sensor_outside_the_filter(
    hass: HomeAssistant, zone_entry: MockConfigEntry, device_class: str | None, filtered: bool
) -> None:
    """A zone whose sensor is not motion-like (chosen before the filter) still reconfigures."""
    attributes = {"device_class": device_class} if device_class else {}
    hass.states.async_set("binary_sensor.hall_motion", "off", attributes)
    subentry_id = next(iter(zone_entry.subentries))
    result = await _start(hass, zone_entry, SOURCE_RECONFIGURE, subentry_id)
    result = await _step(
        hass, result, {"name": "Zone 0", "motion_source": "entity", "camera_source": "entity"}
    )
    assert result["step_id"] == "motion_entity"
    assert ("filter" in _picker(result, "motion_entity")) is filtered
    result = await _step(hass, result, {"motion_entity": "binary_sensor.hall_motion"})
    result = await _step(hass, result, {"camera_entity": "camera.front_door"})
    result = await _step(hass, result, BEHAVIOUR)
    await hass.async_block_till_done()
    assert result["reason"] == "reconfigure_successful"
    assert zone_entry.subentries[subentry_id].data["motion_entity"] == "binary_sensor.hall_motion"


@pytest.mark.parametrize(
    "zones",
    [
        [
            zone_data(title="Gate", camera_source="picamera", camera_resolution="800x600"),
            zone_data(title="Hall", camera_entity="camera.gate_camera"),
        ]
    ],
)
async def test_camera_picker_hides_our_own_cameras(
    hass: HomeAssistant, fake_picamera2: Any, zone_entry: MockConfigEntry
) -> None:
    """The Pi camera zone's live view is not offered as another zone's camera.

    A zone that already uses it (made before it was hidden) keeps it when reconfigured.
    """
    assert hass.states.get("camera.gate_camera") is not None
    result = await _start(hass, zone_entry)
    result = await _step(
        hass, result, {"name": "Shed", "motion_source": "entity", "camera_source": "entity"}
    )
    result = await _step(hass, result, {"motion_entity": "binary_sensor.hall_motion"})
    assert result["step_id"] == "camera_entity"
    assert _picker(result, "camera_entity")["exclude_entities"] == ["camera.gate_camera"]
    with pytest.raises(InvalidData):
        await _step(hass, result, {"camera_entity": "camera.gate_camera"})
    result = await _step(hass, result, {"camera_entity": "camera.front_door"})
    assert result["step_id"] == "behaviour"

    hall = next(s.subentry_id for s in zone_entry.subentries.values() if s.title == "Hall")
    result = await _start(hass, zone_entry, SOURCE_RECONFIGURE, hall)
    result = await _step(
        hass, result, {"name": "Hall", "motion_source": "entity", "camera_source": "entity"}
    )
    result = await _step(hass, result, {"motion_entity": "binary_sensor.hall_motion"})
    assert "exclude_entities" not in _picker(result, "camera_entity")
    result = await _step(hass, result, {"camera_entity": "camera.gate_camera"})
    assert result["step_id"] == "behaviour"


async def test_flow_titles_say_intruder_alert_zone(
    hass: HomeAssistant, zone_entry: MockConfigEntry
) -> None:
    """Home Assistant has zones of its own (on the map): the flow says whose zone it is."""
    translations = await async_get_translations(hass, "en", "config_subentries", [DOMAIN])
    prefix = f"component.{DOMAIN}.config_subentries.zone"
    assert translations[f"{prefix}.step.user.title"] == "Add an Intruder Alert zone"
    assert translations[f"{prefix}.initiate_flow.user"] == "Add Intruder Alert zone"
    assert translations[f"{prefix}.initiate_flow.reconfigure"] == "Change Intruder Alert zone"
    # The integration page's main button is the frontend's "Add hub" unless the integration
    # names it (component.<domain>.config.initiate_flow.user): an account, as the README says.
    config = await async_get_translations(hass, "en", "config", [DOMAIN])
    assert config[f"component.{DOMAIN}.config.initiate_flow.user"] == "Add account"
