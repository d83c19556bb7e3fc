"""Account sensors: names, units, device and values (snapshot), as a new account has them.

"Rekognition calls today" is disabled by default: no state until the user enables it.
"""

from __future__ import annotations

from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er

from .conftest import AwsStubs


async def test_sensors(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    aws: AwsStubs,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Every account sensor on the account's service device, with its state after setup.

    A sensor disabled by default has no state; its registry entry says who disabled it.
    """
    aws.collection_exists("intruder_alert_whitelist", faces=3)
    aws.collection_exists("intruder_alert_blacklist")
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    entries = er.async_entries_for_config_entry(entity_registry, config_entry.entry_id)
    sensors = {}
    for entry in sorted(entries, key=lambda e: e.entity_id):
        state = hass.states.get(entry.entity_id)
        assert (state is None) == (entry.disabled_by is not None)
        device = device_registry.async_get(entry.device_id or "")
        assert device is not None
        sensors[entry.entity_id] = {
            "unique_id": entry.unique_id,
            "translation_key": entry.translation_key,
            "entity_category": entry.entity_category,
            "disabled_by": entry.disabled_by,
            "device": (device.name, device.manufacturer, device.model, device.entry_type),
        }
        if state is not None:
            sensors[entry.entity_id] |= {"state": state.state, "attributes": dict(state.attributes)}
    assert sensors == snapshot
