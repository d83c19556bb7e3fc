"""Base entities: the account's service device, and each zone's device (linked to the account's)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from homeassistant.core import callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import CONF_REGION, DOMAIN
from .coordinator import IntruderAlertConfigEntry, IntruderAlertCoordinator

if TYPE_CHECKING:
    from .zone import Zone


def account_device_info(coordinator: IntruderAlertCoordinator) -> DeviceInfo:
    """The account's service device: the one every zone device is reached through."""
    entry = coordinator.config_entry
    return DeviceInfo(
        identifiers={(DOMAIN, entry.entry_id)},
        name=entry.title,
        manufacturer="Intruder Alert" if coordinator.is_local else "Amazon Web Services",
        model=(
            "dlib (on this device)"
            if coordinator.is_local
            else f"Rekognition ({entry.data[CONF_REGION]})"
        ),
        entry_type=DeviceEntryType.SERVICE,
    )


def zone_device_info(zone: Zone) -> DeviceInfo:
    """A zone's device, reached through the account's device."""
    entry_id = zone.coordinator.config_entry.entry_id
    return DeviceInfo(
        identifiers={(DOMAIN, zone.subentry_id)},
        name=zone.name,
        manufacturer="Intruder Alert",
        model="Zone",
        via_device_id=dr.async_get_device_id_by_identifier(
            zone.hass, (DOMAIN, entry_id), config_entry_id=entry_id
        ),
    )


class IntruderAlertAccountEntity(CoordinatorEntity[IntruderAlertCoordinator]):
    """An entity of the account device (people counts, API usage)."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: IntruderAlertCoordinator, key: str) -> None:
        """Name the entity by ``key`` and attach it to the account device."""
        super().__init__(coordinator)
        self._attr_unique_id = f"{coordinator.config_entry.entry_id}_{key}"
        self._attr_translation_key = key
        self._attr_device_info = account_device_info(coordinator)


class IntruderAlertZoneEntity(Entity):
    """An entity of a zone's device; follows the zone's state."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, zone: Zone, key: str) -> None:
        """Name the entity by ``key`` and attach it to the zone's device.

        The zone's device is reached through the account's device, which the entry's setup
        registers before any platform runs.
        """
        self.zone = zone
        self._attr_unique_id = f"{zone.subentry_id}_{key}"
        self._attr_translation_key = key
        self._attr_device_info = zone_device_info(zone)

    async def async_added_to_hass(self) -> None:
        """Follow the zone."""
        await super().async_added_to_hass()
        self.async_on_remove(self.zone.async_add_listener(self._handle_zone_update))

    @callback
    def _handle_zone_update(self) -> None:
        self.async_write_ha_state()


@callback
def async_add_zone_entities(
    entry: IntruderAlertConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    make: Callable[[Zone], Entity | None],
) -> None:
    """Add each zone's entity (``make`` returns None where a zone has none) under its subentry."""
    for zone in entry.runtime_data.zones.values():
        if (entity := make(zone)) is not None:
            async_add_entities([entity], config_subentry_id=zone.subentry_id)
