"""Intruder Alert: a face-aware intruder alarm built on a motion sensor, a camera and AWS Rekognition."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homeassistant.config_entries import SIGNAL_CONFIG_ENTRY_CHANGED, ConfigEntry, ConfigEntryChange
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.event import async_track_time_change, async_track_time_interval
from homeassistant.helpers.storage import Store
from homeassistant.helpers.typing import ConfigType

from .const import DOMAIN, LOGGER, SUBENTRY_ZONE
from .coordinator import (
    FACE_STORES,
    IntruderAlertConfigEntry,
    IntruderAlertCoordinator,
    face_store_key,
)
from .entity import account_device_info, zone_device_info
from .evidence_export import async_setup_evidence_services
from .issues import async_delete_access_issue
from .media_source import SnapshotView
from .panel import async_register_panel, async_unregister_panel_if_unused
from .people_photos import PeoplePhotos
from .person_rules import async_remove_rules
from .pipeline import async_report_interrupted
from .services import async_setup_services
from .snapshots import SnapshotStore
from .strangers import async_remove_strangers_faces
from .websocket_api import async_setup_websocket_api
from .zone import Zone

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.CAMERA,
    Platform.EVENT,
    Platform.IMAGE,
    Platform.SENSOR,
    Platform.SIREN,
    Platform.SWITCH,
]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)
PRUNE_INTERVAL = timedelta(hours=6)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions and the admin-only snapshot view, which serve every account."""
    async_setup_services(hass)
    async_setup_evidence_services(hass)
    hass.http.register_view(SnapshotView())
    async_setup_websocket_api(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: IntruderAlertConfigEntry) -> bool:
    """Set up an account and its zones; the zones start whatever the cloud check says.

    An alarm must keep watching when the router is not up yet after a power cut, the line is
    cut, a key was revoked or a collection deleted: a failed account check only makes the
    account's sensors unavailable and raises reauthentication or a repair issue, and each run
    that cannot reach the cloud ends in the offline fallback or ``recognition_failed``.
    """
    coordinator = IntruderAlertCoordinator(hass, entry)
    await coordinator.async_setup_backend()
    await coordinator.async_refresh()
    if not coordinator.last_update_success:
        LOGGER.warning(
            "%s: the account check failed (%s); zones keep watching, and runs that cannot "
            "reach the cloud are reported as failed (or recognised on this device)",
            entry.title,
            coordinator.last_exception,
        )
    entry.runtime_data = coordinator
    entry.async_on_unload(coordinator.async_flush)
    if moved := await hass.async_add_executor_job(coordinator.snapshots.move_out_of_media):
        LOGGER.info("Moved %s snapshots out of the media folder, where every user sees them", moved)
    # The account's device exists before any zone's: zone devices are reached through it.
    dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, **account_device_info(coordinator)
    )

    for subentry in entry.subentries.values():
        if subentry.subentry_type == SUBENTRY_ZONE:
            zone = Zone(hass, coordinator, subentry)
            coordinator.zones[subentry.subentry_id] = zone
            # The device before the first motion: an early event still names its device_id.
            dr.async_get(hass).async_get_or_create(
                config_entry_id=entry.entry_id,
                config_subentry_id=subentry.subentry_id,
                **zone_device_info(zone),
            )
            # Registered before starting: a zone that fails halfway still releases its pins.
            entry.async_on_unload(zone.async_stop)
            await zone.async_start()

    @callback
    def reload_when_zones_change(change: ConfigEntryChange, changed: ConfigEntry) -> None:
        # A zone added or removed: reload to open or release its hardware. Reconfiguring a zone
        # and changing options reload through their own flows.
        if changed.entry_id == entry.entry_id and change is ConfigEntryChange.UPDATED:
            zones = {
                s.subentry_id
                for s in changed.subentries.values()
                if s.subentry_type == SUBENTRY_ZONE
            }
            if zones != set(coordinator.zones):
                hass.config_entries.async_schedule_reload(entry.entry_id)

    entry.async_on_unload(
        async_dispatcher_connect(hass, SIGNAL_CONFIG_ENTRY_CHANGED, reload_when_zones_change)
    )

    async def prune_snapshots(*_: object) -> None:
        retention = timedelta(days=coordinator.retention_days)
        removed = await hass.async_add_executor_job(coordinator.snapshots.prune, retention)
        if removed:
            LOGGER.debug("Deleted %s snapshots older than %s", removed, retention)

    entry.async_on_unload(async_track_time_interval(hass, prune_snapshots, PRUNE_INTERVAL))

    # "Today" counters start again at midnight even when nothing happens.
    @callback
    def new_day(_: object) -> None:
        # A callback, so it runs on the event loop: a plain lambda would run in the executor,
        # where writing entity states raises.
        coordinator.async_update_listeners()

    entry.async_on_unload(async_track_time_change(hass, new_day, hour=0, minute=0, second=1))
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    await async_register_panel(hass)
    entry.async_create_background_task(hass, prune_snapshots(), "intruder_alert prune snapshots")
    # Runs a stop of Home Assistant cut short are reported now (after the entities exist).
    entry.async_create_background_task(
        hass, async_report_interrupted(hass, coordinator), "intruder_alert interrupted runs"
    )
    return True


async def async_remove_entry(hass: HomeAssistant, entry: IntruderAlertConfigEntry) -> None:
    """Removing the account deletes every face we kept: snapshots, people's photos, face stores.

    And the people's rules.

    People enrolled in AWS stay in its collections (they are the user's, in their account);
    the README says how to delete them. Remembered strangers' faces are deleted from AWS too.
    """
    async_delete_access_issue(hass, entry.entry_id)
    await async_remove_strangers_faces(hass, entry)
    await hass.async_add_executor_job(SnapshotStore(hass, entry.entry_id).remove_all)
    await hass.async_add_executor_job(PeoplePhotos.of(hass, entry.entry_id).remove_all)
    for store_name in FACE_STORES:
        await Store[dict[str, Any]](
            hass, 1, face_store_key(entry.entry_id, store_name)
        ).async_remove()
    await async_remove_rules(hass, entry.entry_id)


async def async_unload_entry(hass: HomeAssistant, entry: IntruderAlertConfigEntry) -> bool:
    """Unload an account (the last one takes the panel out of the sidebar)."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        async_unregister_panel_if_unused(hass, entry.entry_id)
    return unloaded
