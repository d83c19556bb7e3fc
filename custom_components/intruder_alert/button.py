"""Zone buttons: "Recognise now" on every zone; "Simulate motion" on simulated GPIO pins (demo)."""

from __future__ import annotations

from homeassistant.components.button import ButtonEntity
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import CONF_GPIO_BACKEND, GpioBackend, MotionSource
from .coordinator import IntruderAlertConfigEntry
from .entity import IntruderAlertZoneEntity, async_add_zone_entities
from .zone import Zone

PARALLEL_UPDATES = 1
# How long the simulated PIR output stays high, like a real PIR's hold time.
PULSE_SECONDS = 2.0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: IntruderAlertConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add "Recognise now" to every zone, and "Simulate motion" to zones with a simulated PIR."""
    async_add_zone_entities(entry, async_add_entities, RecogniseNowButton)
    async_add_zone_entities(
        entry,
        async_add_entities,
        lambda zone: (
            SimulateMotionButton(zone)
            if zone.motion_source is MotionSource.GPIO
            and zone.config.get(CONF_GPIO_BACKEND) == GpioBackend.MOCK
            else None
        ),
    )


class RecogniseNowButton(IntruderAlertZoneEntity, ButtonEntity):
    """Photograph the zone and recognise it now, as motion would (the event fires)."""

    def __init__(self, zone: Zone) -> None:
        """Describe the button."""
        super().__init__(zone, "recognise_now")

    async def async_press(self) -> None:
        """One run through the zone's gate (after any run in flight)."""
        await self.zone.async_run_once()


class SimulateMotionButton(IntruderAlertZoneEntity, ButtonEntity):
    """Drive the simulated PIR pin high for a moment, through gpiozero, as a person would."""

    _attr_entity_category = EntityCategory.DIAGNOSTIC

    def __init__(self, zone: Zone) -> None:
        """Describe the button."""
        super().__init__(zone, "simulate_motion")

    @property
    def available(self) -> bool:
        """Only while the simulated pin is open."""
        return self.zone.pir is not None

    async def async_press(self) -> None:
        """Pulse the pin."""
        await self.zone.async_simulate_motion(PULSE_SECONDS)
