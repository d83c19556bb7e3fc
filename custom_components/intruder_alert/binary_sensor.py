"""Zone motion binary sensor (GPIO PIR zones; entity-sourced zones already have one)."""

from __future__ import annotations

from homeassistant.components.binary_sensor import BinarySensorEntity
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import MotionSource
from .coordinator import IntruderAlertConfigEntry
from .entity import IntruderAlertZoneEntity, async_add_zone_entities
from .zone import Zone

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: IntruderAlertConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a motion sensor for each GPIO zone."""
    async_add_zone_entities(
        entry,
        async_add_entities,
        lambda zone: ZoneMotionSensor(zone) if zone.motion_source is MotionSource.GPIO else None,
    )


class ZoneMotionSensor(IntruderAlertZoneEntity, BinarySensorEntity):
    """The PIR's output."""

    _attr_device_class = BinarySensorDeviceClass.MOTION

    def __init__(self, zone: Zone) -> None:
        """Describe the sensor."""
        super().__init__(zone, "motion")

    @property
    def available(self) -> bool:
        """Unavailable when the GPIO pin cannot be read."""
        return self.zone.motion_available

    @property
    def is_on(self) -> bool | None:
        """Whether the PIR sees motion."""
        return self.zone.motion
