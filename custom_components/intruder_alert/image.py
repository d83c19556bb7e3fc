"""Zone "last visitor" image: the latest frame with faces boxed and labelled."""

from __future__ import annotations

from pathlib import Path

from homeassistant.components.image import ImageEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import IntruderAlertConfigEntry
from .entity import IntruderAlertZoneEntity, async_add_zone_entities
from .zone import Zone

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: IntruderAlertConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a last-visitor image for each zone."""
    async_add_zone_entities(entry, async_add_entities, lambda zone: LastVisitorImage(hass, zone))


class LastVisitorImage(IntruderAlertZoneEntity, ImageEntity):
    """The annotated snapshot of the zone's last run."""

    _attr_content_type = "image/jpeg"

    def __init__(self, hass: HomeAssistant, zone: Zone) -> None:
        """Describe the image."""
        IntruderAlertZoneEntity.__init__(self, zone, "last_visitor")
        ImageEntity.__init__(self, hass)
        self._path: Path | None = None

    @callback
    def _handle_zone_update(self) -> None:
        outcome = self.zone.last_outcome
        snapshot = outcome.annotated or outcome.snapshot if outcome else None
        if outcome is not None and snapshot is not None and snapshot.path != self._path:
            self._path = snapshot.path
            self._attr_image_last_updated = outcome.time
        self.async_write_ha_state()

    async def async_image(self) -> bytes | None:
        """The annotated JPEG (or the plain snapshot if recognition failed)."""
        if self._path is None:
            return None
        path = self._path
        return await self.hass.async_add_executor_job(path.read_bytes)
