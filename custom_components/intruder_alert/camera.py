"""Zone camera: live stills of the Pi camera, or a proxy of the zone's camera entity."""

from __future__ import annotations

from homeassistant.components.camera import Camera
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import IntruderAlertConfigEntry
from .entity import IntruderAlertZoneEntity, async_add_zone_entities
from .zone import CaptureError, Zone

PARALLEL_UPDATES = 1


async def async_setup_entry(
    hass: HomeAssistant,
    entry: IntruderAlertConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a camera for each zone."""
    async_add_zone_entities(entry, async_add_entities, ZoneCamera)


class ZoneCamera(IntruderAlertZoneEntity, Camera):
    """What the zone's camera sees now."""

    def __init__(self, zone: Zone) -> None:
        """Describe the camera."""
        IntruderAlertZoneEntity.__init__(self, zone, "camera")
        Camera.__init__(self)

    @property
    def available(self) -> bool:
        """Unavailable while the zone's camera is."""
        return self.zone.camera_available

    async def async_camera_image(
        self, width: int | None = None, height: int | None = None
    ) -> bytes | None:
        """A recent still (the Pi camera reuses one that is a few seconds old)."""
        try:
            return await self.zone.async_preview_jpeg()
        except CaptureError:
            return None
