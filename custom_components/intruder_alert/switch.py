"""Zone switch: recognise on motion (on by default; restored across restarts)."""

from __future__ import annotations

from typing import Any

from homeassistant.components.switch import SwitchEntity
from homeassistant.const import STATE_OFF, STATE_ON, EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.restore_state import RestoreEntity

from .coordinator import IntruderAlertConfigEntry
from .entity import IntruderAlertZoneEntity, async_add_zone_entities
from .zone import Zone

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: IntruderAlertConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the switch for each zone."""
    async_add_zone_entities(entry, async_add_entities, RecognizeOnMotionSwitch)


class RecognizeOnMotionSwitch(IntruderAlertZoneEntity, SwitchEntity, RestoreEntity):
    """Whether motion starts a recognition in this zone."""

    _attr_entity_category = EntityCategory.CONFIG

    def __init__(self, zone: Zone) -> None:
        """Describe the switch."""
        super().__init__(zone, "recognize_on_motion")

    async def async_added_to_hass(self) -> None:
        """Restore the last state the user chose."""
        await super().async_added_to_hass()
        if (last := await self.async_get_last_state()) is not None and last.state in (
            STATE_ON,
            STATE_OFF,
        ):
            self.zone.recognize_on_motion = last.state == STATE_ON

    @property
    def is_on(self) -> bool:
        """Whether recognition runs on motion."""
        return self.zone.recognize_on_motion

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Recognise on motion."""
        self.zone.recognize_on_motion = True
        self.async_write_ha_state()

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Ignore motion (actions still work)."""
        self.zone.recognize_on_motion = False
        self.async_write_ha_state()
