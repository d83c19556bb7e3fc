"""Account sensors (people per tier, API calls today and their estimated cost) and zone sensors.

Each zone: its last verdict, and how usable its camera's faces are (the share of recent runs with
a usable face, and the median face size; camera_health.py and engine/quality.py).

Two noisy diagnostics are disabled by default (quality scale: entity-disabled-by-default):
the calls counter and the median face size.
"""

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
from homeassistant.const import PERCENTAGE, EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import EventType, Tier
from .coordinator import IntruderAlertConfigEntry, IntruderAlertCoordinator
from .engine.quality import RECENT_RUNS, USABLE_FACE_PIXELS, USABLE_FACE_SHARPNESS
from .entity import IntruderAlertAccountEntity, IntruderAlertZoneEntity, async_add_zone_entities
from .zone import Zone

NO_RUN_YET = "no_run_yet"
# Event types that are what a run found (camera_problem is about the camera, not a run's result).
RUN_RESULTS = frozenset(EventType) - {EventType.CAMERA_PROBLEM}
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
        # Changes with every call, and few look at it: the estimated cost says what it costs.
        entity_registry_enabled_default=False,
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
    async_add_zone_entities(entry, async_add_entities, UsableFacesSensor)
    async_add_zone_entities(entry, async_add_entities, MedianFaceSizeSensor)


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
    _attr_options = [
        *(event_type.value for event_type in EventType if event_type in RUN_RESULTS),
        NO_RUN_YET,
    ]

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


class UsableFacesSensor(IntruderAlertZoneEntity, SensorEntity):
    """Percent of the zone's recent runs that had a face large and sharp enough to recognise."""

    _attr_native_unit_of_measurement = PERCENTAGE
    _attr_state_class = SensorStateClass.MEASUREMENT
    _attr_entity_category = EntityCategory.DIAGNOSTIC
    _attr_suggested_display_precision = 0

    def __init__(self, zone: Zone) -> None:
        """Describe the sensor."""
        super().__init__(zone, "usable_faces")

    @property
    def native_value(self) -> float | None:
        """The share; unknown before the first run since the start."""
        return self.zone.camera_health.watch.usable_share

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """The runs counted and the thresholds a usable face meets."""
        runs = self.zone.camera_health.watch.runs
        return {
            "runs": len(runs),
            "usable_runs": sum(run.usable for run in runs),
            "window": RECENT_RUNS,
            "min_face_pixels": USABLE_FACE_PIXELS,
            "min_sharpness": USABLE_FACE_SHARPNESS,
        }


class MedianFaceSizeSensor(IntruderAlertZoneEntity, SensorEntity):
    """Median size (pixels, shorter side) of the largest face of each recent run with a face."""

    _attr_native_unit_of_measurement = "px"
    _attr_state_class = SensorStateClass.MEASUREMENT
    _attr_entity_category = EntityCategory.DIAGNOSTIC
    # Changes with nearly every run with a face; Usable faces is the figure to watch, this one
    # only says why it is low (too far away, or blurred), so it is off until someone asks.
    _attr_entity_registry_enabled_default = False

    def __init__(self, zone: Zone) -> None:
        """Describe the sensor."""
        super().__init__(zone, "median_face_size")

    @property
    def native_value(self) -> int | None:
        """The median; unknown before the first face since the start."""
        return self.zone.camera_health.watch.median_face_pixels
