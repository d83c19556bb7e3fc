"""Zone camera: live stills of a zone's Raspberry Pi camera.

One camera per zone: a zone on an existing camera entity has that camera, and no second one
here (a proxy of it would only repeat it, and be offered back in the zone flow's picker). A Pi
camera has no entity of its own in Home Assistant, so its zone gets this one.
"""

from __future__ import annotations

from homeassistant.components.camera import Camera
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import DOMAIN, CameraSource
from .coordinator import IntruderAlertConfigEntry
from .entity import IntruderAlertZoneEntity, async_add_zone_entities
from .zone import CaptureError, Zone

PARALLEL_UPDATES = 1


async def async_setup_entry(
    hass: HomeAssistant,
    entry: IntruderAlertConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a camera for each Pi camera zone; drop the proxy older versions made for others."""
    registry = er.async_get(hass)
    for zone in entry.runtime_data.zones.values():
        if zone.camera_source is CameraSource.ENTITY and (
            entity_id := registry.async_get_entity_id(
                Platform.CAMERA, DOMAIN, f"{zone.subentry_id}_camera"
            )
        ):
            registry.async_remove(entity_id)
    async_add_zone_entities(
        entry,
        async_add_entities,
        lambda zone: ZoneCamera(zone) if zone.camera_source is CameraSource.PICAMERA else None,
    )


class ZoneCamera(IntruderAlertZoneEntity, Camera):
    """What the zone's Raspberry Pi camera sees now."""

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
