"""Account sensors: people per tier, API calls today and their estimated cost."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import EventType, Tier
from .coordinator import IntruderAlertConfigEntry, IntruderAlertCoordinator
from .entity import IntruderAlertAccountEntity, IntruderAlertZoneEntity, async_add_zone_entities
from .zone import Zone

NO_RUN_YET = "no_run_yet"
# Sensors only change when the integration acts; nothing here does I/O.
PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class AccountSensorDescription(SensorEntityDescription):
    """How an account sensor reads its value."""

    value_fn: Callable[[IntruderAlertCoordinator], float | int]
    # Rekognition calls and their cost; an offline account has neither.
    cloud_only: bool = False


ACCOUNT_SENSORS: tuple[AccountSensorDescription, ...] = (
    AccountSensorDescription(
        key="whitelist_people",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda c: c.data.collections[Tier.WHITELIST].user_count,
    ),
    AccountSensorDescription(
        key="blacklist_people",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda c: c.data.collections[Tier.BLACKLIST].user_count,
    ),
    AccountSensorDescription(
        key="api_calls_today",
        state_class=SensorStateClass.TOTAL_INCREASING,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda c: sum(c.backend.usage.today().values()),
        cloud_only=True,
    ),
    AccountSensorDescription(
        key="estimated_cost_today",
        device_class=SensorDeviceClass.MONETARY,
        native_unit_of_measurement="USD",
        suggested_display_precision=3,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda c: round(c.backend.usage.billed_today() * c.price_per_call, 6),
        cloud_only=True,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: IntruderAlertConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the account sensors, and each zone's last-verdict sensor."""
    coordinator = entry.runtime_data
    async_add_entities(
        AccountSensor(coordinator, description)
        for description in ACCOUNT_SENSORS
        if not (description.cloud_only and coordinator.is_local)
    )
    async_add_zone_entities(entry, async_add_entities, LastVerdictSensor)


class AccountSensor(IntruderAlertAccountEntity, SensorEntity):
    """A number about the account."""

    entity_description: AccountSensorDescription

    def __init__(
        self, coordinator: IntruderAlertCoordinator, description: AccountSensorDescription
    ) -> None:
        """Describe the sensor."""
        super().__init__(coordinator, description.key)
        self.entity_description = description

    @property
    def native_value(self) -> float | int:
        """Read the value from the coordinator."""
        return self.entity_description.value_fn(self.coordinator)


class LastVerdictSensor(IntruderAlertZoneEntity, SensorEntity):
    """The zone's last verdict, with who was seen and how sure the match was.

    Its states are the event types (``known_person`` … ``recognition_failed``), never ``unknown``:
    that is Home Assistant's own "no value" state, which here means "no run yet".
    """

    _attr_device_class = SensorDeviceClass.ENUM
    # "no_run_yet" before the first run: an explicit state, so a zone that has seen nobody yet
    # does not read "Unknown" (which looks like a stranger was seen).
    _attr_options = [*(event_type.value for event_type in EventType), NO_RUN_YET]

    def __init__(self, zone: Zone) -> None:
        """Describe the sensor."""
        super().__init__(zone, "last_verdict")

    @property
    def native_value(self) -> str | None:
        """What the last run found; "no_run_yet" before the first run."""
        outcome = self.zone.last_outcome
        return outcome.result.value if outcome else NO_RUN_YET

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Names, who is who, similarity, when, and the snapshot of the last run."""
        outcome = self.zone.last_outcome
        if outcome is None:
            return None
        return {
            "names": outcome.names,
            "summary": outcome.summary,
            "similarity": outcome.best_similarity,
            "faces": len(outcome.faces),
            "time": outcome.time.isoformat(),
            "reason": outcome.reason,
            "snapshot_media_id": outcome.snapshot.media_id if outcome.snapshot else None,
        }
