"""Actions address a zone by its device (``device_id``), which survives renaming the zone.

The zone's name (``zone:``) is still understood for a deprecation period, with a warning once
per name. ``config_entry_id`` follows Home Assistant's own service helper: optional while one
account is set up (disabled ones do not count), and a zone's device says its account.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events
import yaml

from custom_components.intruder_alert.const import DOMAIN, EVENT_INTRUDER_ALERT
from homeassistant.config_entries import ConfigEntryDisabler
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.selector import validate_selector
from homeassistant.helpers.service import async_get_all_descriptions
from homeassistant.setup import async_setup_component

from .conftest import SceneCamera
from .scenes import Person, empty, scene

PACKAGE = Path(__file__).resolve().parents[1] / "custom_components" / "intruder_alert"


def _zone_device(hass: HomeAssistant, entry: MockConfigEntry) -> dr.DeviceEntry:
    subentry_id = next(iter(entry.subentries))
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, subentry_id), entry.entry_id
    )
    assert device is not None
    return device


async def _call(hass: HomeAssistant, service: str, **data: Any) -> Any:
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=True
    )


async def test_recognize_a_zone_by_its_device_after_a_rename(
    hass: HomeAssistant, zone_entry: MockConfigEntry, scene_camera: SceneCamera
) -> None:
    """An automation made with the zone's device keeps working when the zone is renamed."""
    device = _zone_device(hass, zone_entry)
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    scene_camera.frame = scene([Person("bob", 100, 100, 200)])
    first = await _call(hass, "recognize", device_id=device.id)
    assert first["zone"] == "Zone 0"
    assert first["device_id"] == device.id

    # Renamed in the zone's reconfigure flow: the subentry's title, saved and reloaded.
    subentry = next(iter(zone_entry.subentries.values()))
    hass.config_entries.async_update_subentry(zone_entry, subentry, title="Front door")
    assert await hass.config_entries.async_reload(zone_entry.entry_id)
    await hass.async_block_till_done()
    renamed = dr.async_get(hass).async_get(device.id)
    assert renamed is not None
    assert renamed.name == "Front door"

    second = await _call(hass, "recognize", device_id=device.id, fire_event=True)
    await hass.async_block_till_done()
    assert second["zone"] == "Front door"
    assert second["device_id"] == device.id
    assert second["type"] == "unknown_person"
    assert [event.data["zone"] for event in events] == ["Zone 0", "Front door"]
    # The old name is gone, as automations that used it would find.
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "recognize", zone="Zone 0")
    assert err.value.translation_key == "zone_not_found"


async def test_enrol_a_zones_last_stranger_by_its_device(
    hass: HomeAssistant, zone_entry: MockConfigEntry, scene_camera: SceneCamera
) -> None:
    """The zone's last unknown face is enrolled through its device; then it is used up."""
    device = _zone_device(hass, zone_entry)
    scene_camera.frame = scene([Person("dave", 100, 100, 200)])
    assert (await _call(hass, "recognize", device_id=device.id))["verdict"] == "unknown"
    enrolled = await _call(hass, "enroll_face", tier="whitelist", name="Dave", device_id=device.id)
    assert enrolled["faces"] == 1
    assert (await _call(hass, "recognize", device_id=device.id))["names"] == ["Dave"]
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "enroll_face", tier="whitelist", name="Dave", device_id=device.id)
    assert err.value.translation_key == "no_unknown_face"


async def test_devices_that_are_not_zones_are_refused(
    hass: HomeAssistant, zone_entry: MockConfigEntry, scene_camera: SceneCamera
) -> None:
    """An unknown id, the account's own device, another integration's device: clear errors."""
    registry = dr.async_get(hass)
    account = registry.async_get_device_by_identifier(
        (DOMAIN, zone_entry.entry_id), zone_entry.entry_id
    )
    assert account is not None
    other_entry = MockConfigEntry(domain="other", title="Other")
    other_entry.add_to_hass(hass)
    lamp = registry.async_get_or_create(
        config_entry_id=other_entry.entry_id, identifiers={("other", "lamp")}, name="Lamp"
    )
    device = _zone_device(hass, zone_entry)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"device_id": "no-such-device"}, "device_not_found"),
        ({"device_id": account.id}, "not_a_zone"),
        ({"device_id": lamp.id}, "not_a_zone"),
        ({"device_id": device.id, "camera_entity_id": "camera.front_door"}, "one_source"),
        ({"device_id": device.id, "zone": "Zone 0"}, "one_source"),
        (
            {"device_id": device.id, "config_entry_id": other_entry.entry_id},
            "device_in_other_account",
        ),
    ]
    for data, key in cases:
        with pytest.raises(ServiceValidationError) as err:
            await _call(hass, "recognize", **data)
        assert err.value.translation_key == key, data
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "enroll_face", tier="whitelist", name="X", device_id=account.id)
    assert err.value.translation_key == "not_a_zone"

    # The account's own id with its zone is fine.
    scene_camera.frame = empty()
    answer = await _call(
        hass, "recognize", device_id=device.id, config_entry_id=zone_entry.entry_id
    )
    assert answer["verdict"] == "no_face"

    # The zone of an account that is not loaded.
    assert await hass.config_entries.async_unload(zone_entry.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "recognize", device_id=device.id)
    assert err.value.translation_key == "entry_not_loaded"


async def test_a_zone_by_name_still_works_with_a_warning_once(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    scene_camera: SceneCamera,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """``zone: <name>`` keeps working for now, and says once what to use instead."""
    scene_camera.frame = empty()
    for name in ("Zone 0", "zone 0", "Zone 0"):
        answer = await _call(hass, "recognize", zone=name, fire_event=False)
        assert answer["zone"] == "Zone 0"
    warnings = [
        record.getMessage()
        for record in caplog.records
        if record.levelno == logging.WARNING and "by its name" in record.getMessage()
    ]
    assert len(warnings) == 1
    assert "device_id" in warnings[0]


async def test_a_disabled_second_account_does_not_count(
    hass: HomeAssistant, zone_entry: MockConfigEntry, scene_camera: SceneCamera
) -> None:
    """As Home Assistant's helper: config_entry_id is needed only with two usable accounts."""
    other = MockConfigEntry(
        domain=DOMAIN, data={}, title="Old account", disabled_by=ConfigEntryDisabler.USER
    )
    other.add_to_hass(hass)
    answer = await _call(hass, "list_people")
    assert set(answer) == {"whitelist", "blacklist"}


async def test_action_descriptions_pick_zones_by_device(hass: HomeAssistant) -> None:
    """services.yaml: a device picker of Intruder Alert zones; every field has its text."""
    services = yaml.safe_load((PACKAGE / "services.yaml").read_text())
    for service in ("recognize", "enroll_face"):
        field = services[service]["fields"]["device_id"]
        assert field["selector"] == {
            "device": {"filter": [{"integration": DOMAIN, "model": "Zone"}]}
        }
        assert "zone" not in services[service]["fields"]
    texts = json.loads((PACKAGE / "translations" / "en.json").read_text())["services"]
    for service, description in services.items():
        assert set(description["fields"]) == set(texts[service]["fields"]), service
        for field in description["fields"].values():
            validate_selector(field["selector"])

    # Home Assistant reads the file as the action editor gets it.
    assert await async_setup_component(hass, DOMAIN, {})
    descriptions = await async_get_all_descriptions(hass)
    fields = descriptions[DOMAIN]["recognize"]["fields"]
    assert fields["device_id"]["selector"]["device"]["filter"][0]["model"] == "Zone"
