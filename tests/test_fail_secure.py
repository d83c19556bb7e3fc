"""Fail-secure at start-up: zones keep watching whatever the account's cloud check says.

Each case: the cloud is unreachable, the key revoked or a collection deleted while Home
Assistant starts. The account still loads, its zones exist, and motion in gives exactly one
event out, with the snapshot; the account check repeats in the background and says what to fix.
"""

from __future__ import annotations

from datetime import timedelta
import errno
from pathlib import Path
from unittest.mock import patch

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.intruder_alert.const import DOMAIN, EVENT_INTRUDER_ALERT
from custom_components.intruder_alert.coordinator import ACCOUNT_RETRY_INTERVAL
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState, ConfigSubentryData
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .conftest import (
    ACCESS_KEY_ID,
    BLACKLIST,
    ENTRY_DATA,
    REGION,
    UNIQUE_ID,
    WHITELIST,
    SceneCamera,
    enroll_photo,
    wait_until,
    zone_data,
)
from .faces import grace_hopper, jpeg
from .rekognition_server import Fault, RealFacesRekognition, RekognitionServer
from .scenes import portrait


def _account(server: RekognitionServer, **options: object) -> MockConfigEntry:
    return MockConfigEntry(
        domain=DOMAIN,
        title=f"Intruder Alert ({REGION})",
        data={**ENTRY_DATA, "endpoint_url": server.url},
        options=options,
        unique_id=UNIQUE_ID,
        subentries_data=[
            ConfigSubentryData(data=zone_data(), subentry_type="zone", title="Hall", unique_id=None)
        ],
    )


async def _boot(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    hass.states.async_set("binary_sensor.hall_motion", "off")
    entry.add_to_hass(hass)
    # The entry loads: nothing waits for the cloud.
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED


async def _motion(hass: HomeAssistant, events: list[Event]) -> dict[str, object]:
    """Motion in; exactly one event out."""
    before = len(events)
    hass.states.async_set("binary_sensor.hall_motion", "on")
    await wait_until(lambda: len(events) > before)
    await hass.async_block_till_done()
    hass.states.async_set("binary_sensor.hall_motion", "off")
    assert len(events) == before + 1
    return dict(events[-1].data)


@pytest.mark.usefixtures("scene_camera")
async def test_cloud_down_at_boot_still_alerts(
    hass: HomeAssistant, rekognition_server: RekognitionServer, media_dir: Path
) -> None:
    """No internet when Home Assistant starts: the zone alerts with its snapshot."""
    rekognition_server.service.faults.append(Fault("*", "error500", count=10_000))
    entry = _account(rekognition_server)
    await _boot(hass, entry)
    assert hass.states.get("sensor.hall_last_verdict") is not None
    people = hass.states.get("sensor.intruder_alert_eu_west_1_whitelisted_people")
    assert people is not None
    assert people.state == "unavailable"

    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    event = await _motion(hass, events)
    assert event["type"] == "recognition_failed"
    assert "InternalServerError" in str(event["reason"])
    assert Path(str(event["snapshot_path"])).is_file()

    # The line comes back: the next account check (a few minutes later) passes on its own.
    rekognition_server.service.faults.clear()
    async_fire_time_changed(hass, dt_util.utcnow() + ACCOUNT_RETRY_INTERVAL + timedelta(seconds=1))
    await hass.async_block_till_done(wait_background_tasks=True)
    people = hass.states.get("sensor.intruder_alert_eu_west_1_whitelisted_people")
    assert people is not None
    assert people.state == "0"


@pytest.mark.usefixtures("scene_camera")
async def test_revoked_key_at_boot_asks_to_reauthenticate_and_still_alerts(
    hass: HomeAssistant, rekognition_server: RekognitionServer, media_dir: Path
) -> None:
    rekognition_server.service.revoked_keys.add(ACCESS_KEY_ID)
    entry = _account(rekognition_server)
    await _boot(hass, entry)
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]

    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    event = await _motion(hass, events)
    assert event["type"] == "recognition_failed"
    assert Path(str(event["snapshot_path"])).is_file()


@pytest.mark.usefixtures("scene_camera")
async def test_deleted_collection_at_boot_raises_a_repair_and_still_alerts(
    hass: HomeAssistant, rekognition_server: RekognitionServer, media_dir: Path
) -> None:
    del rekognition_server.service.collections[BLACKLIST]
    entry = _account(rekognition_server)
    await _boot(hass, entry)
    issues = ir.async_get(hass).issues
    assert any(domain == DOMAIN for domain, _ in issues)

    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    event = await _motion(hass, events)
    assert event["type"] == "recognition_failed"
    assert BLACKLIST in str(event["reason"])
    assert Path(str(event["snapshot_path"])).is_file()


async def test_cloud_down_at_boot_with_fallback_recognises_on_this_device(
    hass: HomeAssistant, scene_camera: SceneCamera, media_dir: Path, socket_enabled: None
) -> None:
    """Real faces: enrolled while the cloud worked, known at the next boot without the cloud."""
    with RekognitionServer(RealFacesRekognition()) as server:
        for collection in (WHITELIST, BLACKLIST):
            server.service.handle("CreateCollection", {"CollectionId": collection})
        entry = _account(server, local_fallback=True)
        await _boot(hass, entry)
        await enroll_photo(hass, media_dir, "blacklist", "Grace", jpeg(grace_hopper()))
        assert await hass.config_entries.async_unload(entry.entry_id)

        # A power cut; the router is not up yet when Home Assistant starts again.
        server.service.faults.append(Fault("*", "error500", count=10_000))
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        assert entry.state is ConfigEntryState.LOADED

        scene_camera.frame = jpeg(grace_hopper())
        events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
        event = await _motion(hass, events)
        assert (event["type"], event["backend"], event["names"]) == (
            "blacklisted_person",
            "local_fallback",
            ["Grace"],
        )
        assert Path(str(event["snapshot_path"])).is_file()
        assert await hass.config_entries.async_unload(entry.entry_id)


async def test_a_working_boot_is_unchanged(
    hass: HomeAssistant,
    rekognition_server: RekognitionServer,
    media_dir: Path,
    scene_camera: SceneCamera,
) -> None:
    entry = _account(rekognition_server)
    await _boot(hass, entry)
    scene_camera.frame = portrait("bob")
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    event = await _motion(hass, events)
    assert event["type"] == "unknown_person"


async def test_disk_full_still_recognises_and_alerts(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    scene_camera: SceneCamera,
    rekognition_server: RekognitionServer,
) -> None:
    """A full SD card costs the picture, never the alarm: the event says why it has none."""
    scene_camera.frame = portrait("bob")
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    with patch(
        "custom_components.intruder_alert.snapshots.Path.write_bytes",
        side_effect=OSError(errno.ENOSPC, "No space left on device"),
    ):
        event = await _motion(hass, events)
    assert event["type"] == "unknown_person"
    assert event["snapshot_path"] is None
    assert "No space left on device" in str(event["reason"])
    assert rekognition_server.service.calls["SearchUsersByImage"] >= 1


async def test_annotation_failing_after_the_event_keeps_the_record(
    hass: HomeAssistant, zone_entry: MockConfigEntry, scene_camera: SceneCamera
) -> None:
    """The event is out before the annotated copy; its failure leaves no run "in progress"."""
    scene_camera.frame = portrait("bob")
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    with patch(
        "custom_components.intruder_alert.pipeline.annotate", side_effect=RuntimeError("boom")
    ):
        event = await _motion(hass, events)
    assert event["type"] == "unknown_person"
    await hass.async_block_till_done()
    store = zone_entry.runtime_data.snapshots
    assert await hass.async_add_executor_job(store.in_progress) == []
    assert Path(str(event["snapshot_path"])).is_file()
