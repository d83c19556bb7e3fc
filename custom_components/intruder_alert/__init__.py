"""Intruder Alert: a face-aware intruder alarm built on a motion sensor, a camera and AWS Rekognition."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant

from .account import IntruderAlertConfigEntry, async_connect_account

PLATFORMS: list[Platform] = []


async def async_setup_entry(hass: HomeAssistant, entry: IntruderAlertConfigEntry) -> bool:
    """Set up an account: connect to Rekognition and check both collections."""
    entry.runtime_data = await async_connect_account(hass, entry)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: IntruderAlertConfigEntry) -> bool:
    """Unload an account."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
