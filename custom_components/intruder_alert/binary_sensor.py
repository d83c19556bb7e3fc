"""Zone binary sensors: motion, and whether the zone's camera has a problem.

Motion only for GPIO PIR zones (entity-sourced zones already have one); the camera problem
sensor for every zone (black, covered or frozen frames: camera_health.py).
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.binary_sensor import BinarySensorEntity
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.const import EntityCategory
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
    """Add a motion sensor for each GPIO zone, and a camera problem sensor for every zone."""
    async_add_zone_entities(
        entry,
        async_add_entities,
        lambda zone: ZoneMotionSensor(zone) if zone.motion_source is MotionSource.GPIO else None,
    )
    async_add_zone_entities(entry, async_add_entities, CameraProblemSensor)


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


class CameraProblemSensor(IntruderAlertZoneEntity, BinarySensorEntity):
    """On while the zone's camera delivers black, covered or frozen frames.

    Unknown until the first run after a start checked a frame; the reason is an attribute.
    """

    _attr_device_class = BinarySensorDeviceClass.PROBLEM
    _attr_entity_category = EntityCategory.DIAGNOSTIC

    def __init__(self, zone: Zone) -> None:
        """Describe the sensor."""
        super().__init__(zone, "camera_problem")

    @property
    def is_on(self) -> bool | None:
        """Whether the last checked frame showed a problem; None before the first."""
        health = self.zone.camera_health
        return health.problem is not None if health.checked else None

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Why (black, covered, frozen), since when, and the last frame's measures."""
        return self.zone.camera_health.attributes()
