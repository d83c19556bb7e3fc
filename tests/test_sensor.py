"""Account sensors: names, units, device and values (snapshot)."""

from __future__ import annotations

from unittest.mock import patch

from syrupy.assertion import SnapshotAssertion

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from .conftest import AwsStubs
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform


async def test_sensors(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    aws: AwsStubs,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Every account sensor, with its state after setup."""
    aws.collection_exists("intruder_alert_whitelist", faces=3)
    aws.collection_exists("intruder_alert_blacklist")
    with patch("custom_components.intruder_alert.PLATFORMS", [Platform.SENSOR]):
        assert await hass.config_entries.async_setup(config_entry.entry_id)
        await hass.async_block_till_done()
    await snapshot_platform(hass, entity_registry, snapshot, config_entry.entry_id)
