"""AWS errors as they reach Home Assistant: never the account id, always the missing permission.

A real Home Assistant, the zone pipeline and real botocore against the local Rekognition
protocol server, which answers AccessDeniedException with AWS's own wording (the caller's ARN).
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.intruder_alert.const import EVENT_INTRUDER_ALERT
from homeassistant.core import HomeAssistant

from .conftest import ACCOUNT_ID_PATTERN, SceneCamera, wait_until, zone_data
from .rekognition_server import ACCOUNT_ID, Fault, RekognitionServer
from .scenes import portrait

LAST_VERDICT = "sensor.zone_0_last_verdict"
CALLS_TODAY = "sensor.intruder_alert_eu_west_1_rekognition_calls_today"
COST_TODAY = "sensor.intruder_alert_eu_west_1_estimated_cost_today"


async def _motion(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    zone = next(iter(entry.runtime_data.zones.values()))
    hass.states.async_set("binary_sensor.hall_motion", "off")
    hass.states.async_set("binary_sensor.hall_motion", "on")
    await hass.async_block_till_done()
    await wait_until(lambda: not zone._running)
    await hass.async_block_till_done()


def _logged(caplog: pytest.LogCaptureFixture, level: int = logging.WARNING) -> str:
    """Every record at ``level`` or above, as a handler would write it (tracebacks too)."""
    formatter = logging.Formatter("%(levelname)s %(name)s %(message)s")
    return "\n".join(
        formatter.format(record) for record in caplog.records if record.levelno >= level
    )


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
# The strangers' search beside the tiers answers at once, or only after the failed verdict
# (the alarm does not wait for it; its refused call must not show as billed meanwhile).
@pytest.mark.parametrize("strangers_delay", [0.0, 0.3])
async def test_access_denied_run_names_the_permission_not_the_account(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    rekognition_server: RekognitionServer,
    scene_camera: SceneCamera,
    caplog: pytest.LogCaptureFixture,
    strangers_delay: float,
) -> None:
    """The event's reason, the Last verdict sensor and the log: permission yes, account id no.

    The event's reason is what the owner's email quotes.
    """
    rekognition_server.service.faults.append(Fault("SearchUsersByImage", "denied", count=100))
    if strangers_delay:
        rekognition_server.service.faults.append(
            Fault("SearchFacesByImage", "slow", seconds=strangers_delay)
        )
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    scene_camera.frame = portrait("carol")

    await _motion(hass, zone_entry)

    [event] = events
    assert event.data["type"] == "recognition_failed"
    reason = event.data["reason"]
    assert "AccessDeniedException" in reason
    assert "rekognition:SearchUsersByImage" in reason
    assert "<redacted>" in reason
    assert not ACCOUNT_ID_PATTERN.search(reason)
    assert ACCOUNT_ID not in json.dumps(event.data, default=str)

    sensor = hass.states.get(LAST_VERDICT)
    assert sensor.state == "recognition_failed"
    attributes = json.dumps(dict(sensor.attributes), default=str)
    assert "rekognition:SearchUsersByImage" in attributes
    assert ACCOUNT_ID not in attributes

    logged = _logged(caplog)
    assert "rekognition:SearchUsersByImage" in logged
    assert ACCOUNT_ID not in logged
    # Nothing was billed: AWS refused the calls before searching.
    assert hass.states.get(COST_TODAY).state == "0.0"
    assert int(hass.states.get(CALLS_TODAY).state) >= 2


@pytest.mark.parametrize("zones", [[zone_data(frames=2, burst_interval=0.05)]])
async def test_burst_ranking_without_detect_faces(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    rekognition_server: RekognitionServer,
    scene_camera: SceneCamera,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A policy without DetectFaces: bursts still recognise, the log says so once, unbilled."""
    rekognition_server.service.faults.append(Fault("DetectFaces", "denied", count=100))
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    scene_camera.frame = portrait("carol")

    for _ in range(2):
        await _motion(hass, zone_entry)

    assert [event.data["type"] for event in events] == ["unknown_person"] * 2
    warnings: list[Any] = [
        record
        for record in caplog.records
        if record.levelno >= logging.WARNING and "DetectFaces" in record.getMessage()
    ]
    assert len(warnings) == 1
    assert "rekognition:DetectFaces" in warnings[0].getMessage()
    assert ACCOUNT_ID not in _logged(caplog)
    assert rekognition_server.service.calls["DetectFaces"] == 4
    # 4 refused DetectFaces are not priced; the 2 runs × 2 tiers of searches are, and so are
    # the second run's search of the remembered strangers and carol's face remembered after the
    # first (the first run's search and IndexFaces found no strangers' collection yet: unbilled).
    calls = zone_entry.runtime_data.backend.usage
    assert calls.today()["DetectFaces"] == 4
    assert calls.billed_today() == 6
