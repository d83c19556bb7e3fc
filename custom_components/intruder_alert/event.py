"""Zone event entity: one event per recognition run, with DESIGN.md's types and data.

A run whose frame starts a camera problem triggers a second event, ``camera_problem``, after the
run's own (camera_health.py).
"""

from __future__ import annotations

from homeassistant.components.event import EventEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import EventType
from .coordinator import IntruderAlertConfigEntry
from .entity import IntruderAlertZoneEntity, async_add_zone_entities
from .pipeline import Outcome
from .zone import Zone

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: IntruderAlertConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a recognition event entity for each zone."""
    async_add_zone_entities(entry, async_add_entities, RecognitionEvent)


class RecognitionEvent(IntruderAlertZoneEntity, EventEntity):
    """Fires with the run's type; its attributes carry the faces, names and snapshot."""

    _attr_event_types = [event_type.value for event_type in EventType]

    def __init__(self, zone: Zone) -> None:
        """Describe the event entity."""
        super().__init__(zone, "recognition")
        self._seen: Outcome | None = None
        self._problems_seen = zone.camera_health.events

    @callback
    def _handle_zone_update(self) -> None:
        self._show_run()
        self._show_camera_problem()

    @callback
    def _show_camera_problem(self) -> None:
        health = self.zone.camera_health
        if health.events == self._problems_seen or health.last_event is None:
            return
        self._problems_seen = health.events
        data = dict(health.last_event)
        self._trigger_event(data.pop("type"), data)
        self.async_write_ha_state()

    @callback
    def _show_run(self) -> None:
        outcome = self.zone.last_outcome
        if outcome is None or outcome is self._seen:
            return
        self._seen = outcome
        # A test call (fire_event: false), or fail mode "record only": no alarm to show.
        if not outcome.fired or outcome.event_type is None:
            return
        data = outcome.as_dict(self.zone.coordinator.config_entry.entry_id)
        data.pop("type")
        self._trigger_event(outcome.event_type.value, data)
        self.async_write_ha_state()
