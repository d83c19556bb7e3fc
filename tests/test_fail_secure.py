"""Fail-secure at start-up: zones keep watching whatever the account's cloud check says.

Each case: the cloud is unreachable, the key revoked or a collection deleted while Home
Assistant starts. The account still loads, its zones exist, and motion in gives exactly one
event out, with the snapshot; the account check repeats in the background and says what to fix.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
import errno
from pathlib import Path
import time
from typing import Any
from unittest.mock import patch

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.intruder_alert import zone as zone_module
from custom_components.intruder_alert.const import DOMAIN, EVENT_INTRUDER_ALERT
from custom_components.intruder_alert.coordinator import ACCOUNT_RETRY_INTERVAL
from custom_components.intruder_alert.zone import Zone
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState, ConfigSubentryData
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import device_registry as dr, issue_registry as ir
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


def _account(
    server: RekognitionServer, zone: dict[str, Any] | None = None, **options: object
) -> MockConfigEntry:
    """An account on ``server`` with one zone "Hall" (``zone``: its settings)."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=f"Intruder Alert ({REGION})",
        data={**ENTRY_DATA, "endpoint_url": server.url},
        options=options,
        unique_id=UNIQUE_ID,
        subentries_data=[
            ConfigSubentryData(
                data=zone or zone_data(), subentry_type="zone", title="Hall", unique_id=None
            )
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


# The trigger gate: motion is never dropped, however it arrives.


async def _settle(hass: HomeAssistant, zone: Zone) -> None:
    await wait_until(lambda: not zone._running)
    await hass.async_block_till_done()


def _after_cooldown(hass: HomeAssistant, seconds: float) -> None:
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=seconds + 1))


@pytest.mark.parametrize("zones", [[zone_data(cooldown=30)]])
async def test_motion_held_on_through_the_cooldown_gets_one_more_run(
    hass: HomeAssistant, zone_entry: MockConfigEntry, scene_camera: SceneCamera
) -> None:
    """A binary sensor that stays on (no new rising edge): photographed again after the cooldown."""
    zone = next(iter(zone_entry.runtime_data.zones.values()))
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    scene_camera.frame = portrait("bob")
    hass.states.async_set("binary_sensor.hall_motion", "on")
    await wait_until(lambda: len(events) == 1)
    await _settle(hass, zone)
    # A second person arrives while the sensor is still on: no edge, yet they are seen.
    scene_camera.frame = portrait("carol")
    _after_cooldown(hass, 30)
    await wait_until(lambda: len(events) == 2)
    await _settle(hass, zone)
    assert len(events) == 2
    # Off before the next cooldown ends: nothing more.
    hass.states.async_set("binary_sensor.hall_motion", "off")
    _after_cooldown(hass, 60)
    await hass.async_block_till_done()
    assert len(events) == 2


@pytest.mark.parametrize("zones", [[zone_data(cooldown=30)]])
async def test_pulses_during_the_cooldown_give_exactly_one_run_after_it(
    hass: HomeAssistant, zone_entry: MockConfigEntry, scene_camera: SceneCamera
) -> None:
    zone = next(iter(zone_entry.runtime_data.zones.values()))
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    hass.states.async_set("binary_sensor.hall_motion", "on")
    await wait_until(lambda: len(events) == 1)
    await _settle(hass, zone)
    for _ in range(3):  # a PIR pulsing while the cooldown runs
        hass.states.async_set("binary_sensor.hall_motion", "off")
        hass.states.async_set("binary_sensor.hall_motion", "on")
    hass.states.async_set("binary_sensor.hall_motion", "off")
    await hass.async_block_till_done()
    assert len(events) == 1
    _after_cooldown(hass, 30)
    await wait_until(lambda: len(events) == 2)
    await _settle(hass, zone)
    _after_cooldown(hass, 60)
    await hass.async_block_till_done()
    assert len(events) == 2
    assert zone.stats.deferred_cooldown == 3
    assert zone.stats.after_cooldown == 1


@pytest.mark.parametrize("zones", [[zone_data(alarm_panel="alarm_control_panel.home", cooldown=0)]])
@pytest.mark.parametrize(
    ("panel", "runs"),
    [("unavailable", 1), ("unknown", 1), ("armed_night", 1), ("disarmed", 0), (None, 1)],
)
async def test_only_an_explicit_disarmed_disarms(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    scene_camera: SceneCamera,
    panel: str | None,
    runs: int,
) -> None:
    """A cloud alarm panel whose line is cut shows unavailable: the zone keeps watching."""
    if panel is not None:
        hass.states.async_set("alarm_control_panel.home", panel)
    zone = next(iter(zone_entry.runtime_data.zones.values()))
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    hass.states.async_set("binary_sensor.hall_motion", "on")
    await hass.async_block_till_done()
    await _settle(hass, zone)
    assert len(events) == runs


async def test_a_camera_raising_any_exception_still_alerts(
    hass: HomeAssistant, zone_entry: MockConfigEntry, scene_camera: SceneCamera
) -> None:
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    with patch.object(
        type(scene_camera), "async_camera_image", side_effect=ValueError("driver bug")
    ):
        event = await _motion(hass, events)
    assert event["type"] == "recognition_failed"
    assert "driver bug" in str(event["reason"])


@pytest.mark.parametrize("zones", [[zone_data(frames=3, burst_interval=0.05)]])
async def test_a_failing_later_frame_keeps_the_good_first_one(
    hass: HomeAssistant, zone_entry: MockConfigEntry, scene_camera: SceneCamera
) -> None:
    frames: list[bytes | None] = [portrait("bob"), None, None]

    async def image(*_: object, **__: object) -> bytes | None:
        return frames.pop(0) if frames else None

    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    with patch.object(type(scene_camera), "async_camera_image", side_effect=image):
        event = await _motion(hass, events)
    assert event["type"] == "unknown_person"
    assert Path(str(event["snapshot_path"])).is_file()


@pytest.mark.parametrize("zones", [[zone_data(frames=2, burst_interval=0.05)]])
async def test_slow_burst_ranking_cannot_hold_the_alarm_back(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    scene_camera: SceneCamera,
    rekognition_server: RekognitionServer,
) -> None:
    """Ranking (DetectFaces) past its budget: the first frame is recognised instead."""
    scene_camera.frame = portrait("bob")
    rekognition_server.service.faults.append(Fault("DetectFaces", "slow", count=2, seconds=3))
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    with patch("custom_components.intruder_alert.zone.RANK_BUDGET_SECONDS", 0.3):
        started = time.monotonic()
        event = await _motion(hass, events)
        took = time.monotonic() - started
    assert event["type"] == "unknown_person"
    # Not a speed target: proof the 3 s DetectFaces answers were not waited for.
    assert took < 2.5


async def test_the_recognize_action_and_motion_take_turns(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    scene_camera: SceneCamera,
    rekognition_server: RekognitionServer,
) -> None:
    """An action on a zone waits for the motion run: two captures never race."""
    rekognition_server.service.latency = 0.2
    zone = next(iter(zone_entry.runtime_data.zones.values()))
    in_flight, most = 0, 0
    original = zone_module.async_run

    async def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        try:
            return await original(*args, **kwargs)
        finally:
            in_flight -= 1

    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    with patch.object(zone_module, "async_run", counted):
        hass.states.async_set("binary_sensor.hall_motion", "on")
        response = await hass.services.async_call(
            DOMAIN,
            "recognize",
            {"zone": zone.name},
            blocking=True,
            return_response=True,
        )
        await _settle(hass, zone)
    assert response is not None
    assert most == 1
    assert len(events) == 2


@pytest.mark.parametrize("zones", [[zone_data(buzzer_pin=6, gpio_backend="mock")]])
async def test_a_buzzer_missing_at_boot_appears_when_its_pin_can_be_opened(
    hass: HomeAssistant,
    zones: list[dict[str, Any]],
    rekognition_server: RekognitionServer,
    media_dir: Path,
    scene_camera: SceneCamera,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The GPIO chip is not there at start-up: the siren exists (unavailable) and comes back."""
    real_open = zone_module._open_buzzer
    attempts = 0

    def open_buzzer(*args: Any) -> Any:
        nonlocal attempts
        attempts += 1
        if attempts <= 2:
            raise OSError(errno.ENOENT, "No such file or directory: '/dev/gpiochip0'")
        return real_open(*args)

    with patch.object(zone_module, "_open_buzzer", open_buzzer):
        entry = _account(rekognition_server, zones[0])
        await _boot(hass, entry)
        siren = hass.states.get("siren.hall_buzzer")
        assert siren is not None
        assert siren.state == "unavailable"
        for _ in range(2):
            async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=31))
            await hass.async_block_till_done(wait_background_tasks=True)
        await wait_until(lambda: hass.states.get("siren.hall_buzzer").state == "off", 10)
    assert caplog.text.count("the buzzer on GPIO 6 cannot be used") == 1

    await hass.services.async_call(
        "siren", "turn_on", {"entity_id": "siren.hall_buzzer"}, blocking=True
    )
    zone = next(iter(entry.runtime_data.zones.values()))
    buzzer = zone.buzzer
    assert buzzer is not None
    assert hass.states.get("siren.hall_buzzer").state == "on"
    # Unloading (a reload) while it sounds: silenced before its line is released (a released
    # gpiod line keeps its last level, so a buzzer could go on sounding).
    order: list[str] = []
    real_off, real_close = buzzer.off, buzzer.device.close
    with (
        patch.object(buzzer, "off", lambda: (order.append("off"), real_off())),
        patch.object(buzzer.device, "close", lambda: (order.append("close"), real_close())),
    ):
        assert await hass.config_entries.async_unload(entry.entry_id)
    assert order == ["off", "close"]


@pytest.mark.usefixtures("scene_camera")
async def test_motion_before_any_platform_still_names_the_device(
    hass: HomeAssistant, rekognition_server: RekognitionServer, media_dir: Path
) -> None:
    """The zone's device exists before its entities: an early event carries its device_id."""
    with patch("custom_components.intruder_alert.PLATFORMS", []):
        entry = _account(rekognition_server)
        await _boot(hass, entry)
        events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
        event = await _motion(hass, events)
    zone = next(iter(entry.runtime_data.zones.values()))
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, zone.subentry_id), entry.entry_id
    )
    assert device is not None
    assert event["device_id"] == device.id
    assert device.via_device_id is not None


def _zone_of(entry: MockConfigEntry) -> Zone:
    return next(iter(entry.runtime_data.zones.values()))


async def test_the_alarm_budget_bounds_motion_to_event(
    hass: HomeAssistant,
    rekognition_server: RekognitionServer,
    media_dir: Path,
    scene_camera: SceneCamera,
) -> None:
    """A cloud slower than the budget: the event fires at the budget, with the snapshot."""
    entry = _account(rekognition_server, alarm_budget=1)
    await _boot(hass, entry)
    scene_camera.frame = portrait("bob")
    rekognition_server.service.faults.append(Fault("*", "slow", count=100, seconds=4))
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    started = time.monotonic()
    event = await _motion(hass, events)
    took = time.monotonic() - started
    rekognition_server.service.faults.clear()
    assert event["type"] == "recognition_failed"
    assert "alarm budget (1 s)" in str(event["reason"])
    assert Path(str(event["snapshot_path"])).is_file()
    # Not a speed target: proof the 4 s answers were not waited for.
    assert took < 3


@pytest.mark.parametrize("zones", [[zone_data(frames=2, burst_interval=0.05)]])
async def test_a_stop_during_burst_ranking_is_reported_at_the_next_start(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    scene_camera: SceneCamera,
    rekognition_server: RekognitionServer,
) -> None:
    """The first frame is on disk before ranking; Home Assistant stopping then loses nothing."""
    scene_camera.frame = portrait("bob")
    rekognition_server.service.faults.append(Fault("DetectFaces", "slow", count=2, seconds=3))
    store = zone_entry.runtime_data.snapshots
    zone = _zone_of(zone_entry)
    hass.states.async_set("binary_sensor.hall_motion", "on")
    await wait_until(lambda: bool(store.in_progress()))
    # Home Assistant stops: its tasks are cancelled mid-ranking.
    assert zone._chain is not None
    zone._chain.cancel()
    await _settle(hass, zone)
    [(snapshot, _)] = await hass.async_add_executor_job(store.in_progress)
    assert snapshot.path.is_file()

    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    assert await hass.config_entries.async_reload(zone_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [event.data["type"] for event in events] == ["recognition_failed"]
    assert events[0].data["snapshot_path"] == str(snapshot.path)
    assert "before this frame's recognition finished" in events[0].data["reason"]


async def test_a_reload_during_capture_lets_the_run_finish(
    hass: HomeAssistant, zone_entry: MockConfigEntry, scene_camera: SceneCamera
) -> None:
    """Options changed while the camera is being read: the motion still ends in its event."""

    async def slow_image(*_: object, **__: object) -> bytes:
        await asyncio.sleep(0.5)
        return portrait("bob")

    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    with patch.object(type(scene_camera), "async_camera_image", side_effect=slow_image):
        hass.states.async_set("binary_sensor.hall_motion", "on")
        await asyncio.sleep(0.05)
        assert await hass.config_entries.async_unload(zone_entry.entry_id)
    await hass.async_block_till_done()
    assert [event.data["type"] for event in events] == ["unknown_person"]
    assert Path(events[0].data["snapshot_path"]).is_file()


async def test_a_camera_slower_than_the_alarm_budget_still_alerts(
    hass: HomeAssistant,
    rekognition_server: RekognitionServer,
    media_dir: Path,
    scene_camera: SceneCamera,
) -> None:
    """A camera that hangs: the event fires at the budget, saying no frame came in time."""
    entry = _account(rekognition_server, alarm_budget=1)
    await _boot(hass, entry)

    async def hang(*_: object, **__: object) -> bytes:
        await asyncio.sleep(5)
        return portrait("bob")

    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    started = time.monotonic()
    with patch.object(type(scene_camera), "async_camera_image", side_effect=hang):
        event = await _motion(hass, events)
    assert event["type"] == "recognition_failed"
    # Home Assistant's camera helper turns the budget's cancellation into "no image".
    assert "gave no image" in str(event["reason"]) or "alarm budget" in str(event["reason"])
    # Not a speed target: proof the 5 s camera was not waited for.
    assert time.monotonic() - started < 4


async def test_a_burst_cut_by_the_budget_keeps_its_first_frame(
    hass: HomeAssistant,
    rekognition_server: RekognitionServer,
    media_dir: Path,
    scene_camera: SceneCamera,
) -> None:
    """The first frame came; the next hangs past the budget: the first one is recognised."""
    entry = _account(rekognition_server, zone_data(frames=3, burst_interval=0.05), alarm_budget=1)
    await _boot(hass, entry)
    calls = 0

    async def first_then_hang(*_: object, **__: object) -> bytes:
        nonlocal calls
        calls += 1
        if calls > 1:
            await asyncio.sleep(5)
        return portrait("bob")

    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    with patch.object(type(scene_camera), "async_camera_image", side_effect=first_then_hang):
        event = await _motion(hass, events)
    # The first frame had to be recognised within what was left of the budget.
    assert event["type"] in ("unknown_person", "recognition_failed")
    assert Path(str(event["snapshot_path"])).is_file()


async def test_a_failure_inside_the_run_itself_still_alerts(
    hass: HomeAssistant, zone_entry: MockConfigEntry, scene_camera: SceneCamera
) -> None:
    """The last line of fail-secure: the run's own code failing still ends in an event."""
    real_run = zone_module.async_run
    calls = 0

    async def fail_once(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("a bug in the pipeline")
        return await real_run(*args, **kwargs)

    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    with patch.object(zone_module, "async_run", fail_once):
        event = await _motion(hass, events)
    assert event["type"] == "recognition_failed"
    assert "a bug in the pipeline" in str(event["reason"])


@pytest.mark.parametrize("zones", [[zone_data(frames=2, burst_interval=0.05)]])
async def test_a_burst_on_a_full_disk_still_alerts(
    hass: HomeAssistant, zone_entry: MockConfigEntry, scene_camera: SceneCamera
) -> None:
    """The first frame cannot be saved before ranking either: recognised all the same."""
    scene_camera.frame = portrait("bob")
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    with patch(
        "custom_components.intruder_alert.snapshots.Path.write_bytes",
        side_effect=OSError(errno.ENOSPC, "No space left on device"),
    ):
        event = await _motion(hass, events)
    assert event["type"] == "unknown_person"
    assert event["snapshot_path"] is None
