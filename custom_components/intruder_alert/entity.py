"""Base entity: every account entity belongs to the account's service device."""

from __future__ import annotations

from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import CONF_REGION, DOMAIN
from .coordinator import IntruderAlertCoordinator


class IntruderAlertAccountEntity(CoordinatorEntity[IntruderAlertCoordinator]):
    """An entity of the account device (people counts, API usage)."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: IntruderAlertCoordinator, key: str) -> None:
        """Name the entity by ``key`` and attach it to the account device."""
        super().__init__(coordinator)
        entry = coordinator.config_entry
        self._attr_unique_id = f"{entry.entry_id}_{key}"
        self._attr_translation_key = key
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, entry.entry_id)},
            name=entry.title,
            manufacturer="Amazon Web Services",
            model=f"Rekognition ({entry.data[CONF_REGION]})",
            entry_type=DeviceEntryType.SERVICE,
        )
