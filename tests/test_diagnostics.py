"""Diagnostics never carry the credentials."""

from __future__ import annotations

import json
import logging

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion

from homeassistant.core import HomeAssistant

from .conftest import (
    ACCESS_KEY_ID,
    ACCOUNT_ID,
    SECRET_ACCESS_KEY,
    WHITELIST,
    AwsStubs,
    SceneCamera,
    enroll_directly,
)
from .rekognition_server import RekognitionServer
from .scenes import portrait


async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    loaded_entry: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    """Diagnostics match the snapshot, with credentials and the account id redacted."""
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, loaded_entry)
    assert diagnostics == snapshot(
        exclude=lambda prop, path: prop in ("entry_id", "created_at", "modified_at")
    )
    text = json.dumps(diagnostics)
    for secret in (SECRET_ACCESS_KEY, ACCESS_KEY_ID, ACCOUNT_ID):
        assert secret not in text


async def test_secret_never_logged(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    config_entry: MockConfigEntry,
    aws: AwsStubs,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Even at debug level (boto3's too), neither setup, reauth nor diagnostics log the secret."""
    caplog.set_level(logging.DEBUG)
    aws.error("rekognition", "describe_collection", "UnrecognizedClientException", 400)
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    aws.setup_ok()
    await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()
    await get_diagnostics_for_config_entry(hass, hass_client, config_entry)

    assert "botocore" in caplog.text  # boto3's own debug output was captured
    assert SECRET_ACCESS_KEY not in caplog.text


async def test_zone_runs_survive_a_reload(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    zone_entry: MockConfigEntry,
    rekognition_server: RekognitionServer,
    scene_camera: SceneCamera,
) -> None:
    """A zone's recent runs come from the run history on disk: a reload keeps them."""
    enroll_directly(rekognition_server, WHITELIST, "alice", "Alice")
    zone = next(iter(zone_entry.runtime_data.zones.values()))
    scene_camera.frame = portrait("alice")
    first = await zone.async_run_once(fire_event=False)
    scene_camera.frame = portrait("bob")
    second = await zone.async_run_once(fire_event=False)

    assert await hass.config_entries.async_reload(zone_entry.entry_id)
    await hass.async_block_till_done()
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, zone_entry)
    shown = diagnostics["zones"]["Zone 0"]
    assert shown["last_verdict"] == "unknown"
    assert [run["run_id"] for run in shown["recent_runs"]] == [second.run_id, first.run_id]
    assert shown["recent_runs"][1] | {"time": None} == {
        "run_id": first.run_id,
        "time": None,
        "type": "known_person",
        "verdict": "known",
        "backend": "rekognition",
        "reason": None,
        "faces": 1,
    }
    # Who was recognised stays out of bug reports.
    assert "Alice" not in json.dumps(shown)
