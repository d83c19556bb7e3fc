"""What the log says: one debug line per run, and "is back" only after "unavailable".

Debug logging is on for the integration from before the account is set up (the autouse fixture
below runs before ``zone_entry``), as when a user turns on debug logging and restarts.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.intruder_alert.zone import Zone
from homeassistant.core import HomeAssistant

from .conftest import SceneCamera, gpio_zone, wait_until, zone_data
from .scenes import Person, scene

PACKAGE_LOGGER = "custom_components.intruder_alert"


@pytest.fixture(autouse=True)
def debug_logging(caplog: pytest.LogCaptureFixture) -> None:
    """The integration's debug logging, on before Home Assistant sets the account up."""
    caplog.set_level(logging.DEBUG, logger=PACKAGE_LOGGER)


def _ours(records: list[logging.LogRecord], level: int) -> list[str]:
    return [
        record.getMessage()
        for record in records
        if record.name.startswith(PACKAGE_LOGGER) and record.levelno == level
    ]


def _zone(entry: MockConfigEntry) -> Zone:
    return next(iter(entry.runtime_data.zones.values()))


async def test_one_debug_line_per_run(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    scene_camera: SceneCamera,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A motion run logs exactly one debug line: zone, verdict, faces, time, calls."""
    caplog.clear()
    zone = _zone(zone_entry)
    scene_camera.frame = scene([Person("bob", 100, 100, 200), Person("eve", 400, 100, 150)])
    hass.states.async_set("binary_sensor.hall_motion", "on")
    await wait_until(lambda: zone.stats.runs == 1 and not zone._running)
    await hass.async_block_till_done()

    [line] = _ours(caplog.records, logging.DEBUG)
    outcome = zone.last_outcome
    assert outcome is not None
    assert line.startswith(f"Run {outcome.run_id} in Zone 0: unknown, 2 face(s) (unknown, unknown)")
    assert "recognised in" in line
    assert "run took" in line
    assert f"{outcome.api_calls} API call(s)" in line
    assert outcome.api_calls > 0
    assert "event fired" in line
    # Who was there stays out of the log (names are for the event and the panel).
    assert "Bob" not in line
    assert "Eve" not in line


@pytest.mark.parametrize("zones", [[zone_data()], [gpio_zone()]], ids=["entity", "gpio"])
async def test_no_is_back_at_load_only_after_unavailable(
    hass: HomeAssistant,
    zones: list[dict[str, Any]],
    zone_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Sources coming up at start-up are normal: no "is back"; a real outage and return are."""
    # INFO and DEBUG were captured while the account was set up.
    assert logging.getLogger(PACKAGE_LOGGER).isEnabledFor(logging.DEBUG)
    setup = caplog.get_records("setup")
    assert not any("is back" in line for line in _ours(setup, logging.INFO))
    assert not any("unavailable" in line for line in _ours(setup, logging.WARNING))

    # A reload (an option changed) is another load: still nothing.
    assert await hass.config_entries.async_reload(zone_entry.entry_id)
    await hass.async_block_till_done()
    assert not any("is back" in line for line in _ours(caplog.records, logging.INFO))

    if zones[0]["motion_source"] == "entity":
        hass.states.async_set("binary_sensor.hall_motion", "unavailable")
        await hass.async_block_till_done()
        hass.states.async_set("binary_sensor.hall_motion", "off")
        await hass.async_block_till_done()
        assert _ours(caplog.records, logging.WARNING) == [
            "Zone Zone 0: the motion source is unavailable: state is unavailable"
        ]
        assert _ours(caplog.records, logging.INFO) == ["Zone Zone 0: the motion source is back"]
