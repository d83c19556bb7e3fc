"""gpiozero and gpiod: installed only for zones with GPIO pins, imported only off the event loop.

Core's remote_rpi_gpio pins another gpiozero; a user without GPIO pins must never get ours.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta
import importlib.abc
import importlib.machinery
import logging
from pathlib import Path
import subprocess
import sys
import textwrap
from types import ModuleType
from typing import Any
from unittest.mock import AsyncMock, patch

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.intruder_alert import hardware, zone as zone_module
from custom_components.intruder_alert.const import DOMAIN, EVENT_INTRUDER_ALERT, GPIO_REQUIREMENTS
from custom_components.intruder_alert.zone import GPIO_RETRY_SECONDS, Zone
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.requirements import RequirementsNotFound
from homeassistant.util import dt as dt_util

from .conftest import SceneCamera, gpio_zone, wait_until, zone_data
from .scenes import portrait

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "custom_components.intruder_alert"
GPIO_LIBRARIES = ("gpiozero", "gpiod")


def _zone(entry: MockConfigEntry) -> Zone:
    return next(iter(entry.runtime_data.zones.values()))


def _forget_gpio_libraries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Drop gpiozero, gpiod and our GPIO adapters from the import cache (restored after)."""
    adapters = ("gpiod_factory", "motion", "buzzer")
    for name in list(sys.modules):
        if name.split(".")[0] in GPIO_LIBRARIES or name in {
            f"{PACKAGE}.hardware.{adapter}" for adapter in adapters
        }:
            monkeypatch.delitem(sys.modules, name)
    for adapter in adapters:
        monkeypatch.delattr(hardware, adapter, raising=False)


def test_no_module_home_assistant_loads_imports_gpio_libraries() -> None:
    """With gpiozero and gpiod unimportable, the integration and all its modules import.

    A fresh interpreter, so nothing is cached: only the gpiozero pin factory itself (imported by
    the hardware constructors, in the executor) may need them.
    """
    script = textwrap.dedent(
        f"""
        import importlib, pkgutil, sys

        class Refuse:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in {GPIO_LIBRARIES!r}:
                    raise ImportError("imported " + name)
                return None

        sys.meta_path.insert(0, Refuse())
        import {PACKAGE} as package

        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if info.name != "{PACKAGE}.hardware.gpiod_factory":
                importlib.import_module(info.name)
                print(info.name)
        assert not [name for name in sys.modules if name.split(".")[0] in {GPIO_LIBRARIES!r}]
        """
    )
    result = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    imported = set(result.stdout.split())
    for module in (
        "binary_sensor",
        "button",
        "camera",
        "config_flow",
        "diagnostics",
        "event",
        "image",
        "sensor",
        "siren",
        "switch",
        "zone",
        "hardware.buzzer",
        "hardware.motion",
    ):
        assert f"{PACKAGE}.{module}" in imported


@pytest.fixture
def no_gpio_libraries(monkeypatch: pytest.MonkeyPatch) -> AsyncMock:
    """The GPIO libraries cannot be imported; returns the (watched) requirements installer."""
    _forget_gpio_libraries(monkeypatch)
    for name in GPIO_LIBRARIES:
        monkeypatch.setitem(sys.modules, name, None)
    install = AsyncMock()
    monkeypatch.setattr(f"{PACKAGE}.zone.async_process_requirements", install)
    return install


async def test_entity_zone_without_gpio_libraries(
    hass: HomeAssistant,
    no_gpio_libraries: AsyncMock,
    zone_entry: MockConfigEntry,
    scene_camera: SceneCamera,
) -> None:
    """A zone with a binary_sensor and a camera entity runs without gpiozero and gpiod."""
    assert zone_entry.state is ConfigEntryState.LOADED
    zone = _zone(zone_entry)
    assert zone.motion_available
    scene_camera.frame = portrait("bob")
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    hass.states.async_set("binary_sensor.hall_motion", "on")
    await wait_until(lambda: len(events) == 1 and not zone._running)
    await hass.async_block_till_done()
    assert events[0].data["type"] == "unknown_person"
    no_gpio_libraries.assert_not_awaited()
    assert sys.modules["gpiozero"] is None  # nothing tried to bring it back
    assert f"{PACKAGE}.hardware.gpiod_factory" not in sys.modules


class RecordImports(importlib.abc.MetaPathFinder):
    """Notes whether each GPIO library is imported on the event loop; finds nothing itself."""

    def __init__(self) -> None:
        """Nothing imported yet."""
        self.imports: list[tuple[str, bool]] = []

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        """Record ``fullname`` if it is gpiozero or gpiod, and let the next finder find it."""
        if fullname in GPIO_LIBRARIES:
            try:
                asyncio.get_running_loop()
                on_loop = True
            except RuntimeError:
                on_loop = False
            self.imports.append((fullname, on_loop))
        return None


@pytest.fixture
def gpio_imports(monkeypatch: pytest.MonkeyPatch) -> RecordImports:
    """Forget the GPIO libraries, then record where they are imported again."""
    _forget_gpio_libraries(monkeypatch)
    recorder = RecordImports()
    monkeypatch.setattr(sys, "meta_path", [recorder, *sys.meta_path])
    return recorder


@pytest.mark.parametrize("zones", [[gpio_zone()]])
async def test_gpio_zone_imports_gpiozero_in_the_executor(
    hass: HomeAssistant, gpio_imports: RecordImports, zone_entry: MockConfigEntry
) -> None:
    """Opening a zone's pins imports gpiozero in the executor, never on the event loop."""
    await wait_until(lambda: hass.states.get("binary_sensor.porch_motion").state == "off")
    assert ("gpiozero", False) in gpio_imports.imports
    assert not [name for name, on_loop in gpio_imports.imports if on_loop]
    assert hass.states.get("siren.porch_buzzer").state == "off"


@pytest.fixture
def failing_gpio_install() -> AsyncMock:
    """Home Assistant cannot install gpiozero and gpiod (no network, say) until told otherwise."""
    install = AsyncMock(side_effect=RequirementsNotFound(DOMAIN, ["gpiozero==2.0.1.post3"]))
    with patch(f"{PACKAGE}.zone.async_process_requirements", install):
        yield install


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Warnings about the GPIO libraries, also those logged while the entry was set up."""
    return [
        record.getMessage()
        for record in caplog.get_records("setup") + caplog.get_records("call")
        if record.levelno == logging.WARNING and "GPIO libraries" in record.getMessage()
    ]


@pytest.mark.parametrize("zones", [[gpio_zone()]])
async def test_gpio_libraries_missing_at_start(
    hass: HomeAssistant,
    caplog: pytest.LogCaptureFixture,
    failing_gpio_install: AsyncMock,
    zone_entry: MockConfigEntry,
) -> None:
    """The zone starts with its PIR unavailable, warns once, and retries every 30 s."""
    assert zone_entry.state is ConfigEntryState.LOADED
    failing_gpio_install.assert_awaited_once_with(hass, DOMAIN, GPIO_REQUIREMENTS)
    assert hass.states.get("binary_sensor.porch_motion").state == "unavailable"
    assert _zone(zone_entry).buzzer is None
    assert len(_warnings(caplog)) == 1
    assert "gpiozero==2.0.1.post3" in _warnings(caplog)[0]

    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=GPIO_RETRY_SECONDS + 1))
    await wait_until(lambda: failing_gpio_install.await_count == 2)
    await hass.async_block_till_done()
    assert hass.states.get("binary_sensor.porch_motion").state == "unavailable"
    assert len(_warnings(caplog)) == 1

    failing_gpio_install.side_effect = None  # installed now
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=2 * GPIO_RETRY_SECONDS + 2))
    await wait_until(lambda: hass.states.get("binary_sensor.porch_motion").state == "off")
    assert _zone(zone_entry).buzzer is not None
    assert "the GPIO libraries are installed now" in caplog.text


@pytest.mark.parametrize("zones", [[zone_data(title="Gate", buzzer_pin=21)]])
async def test_buzzer_zone_without_gpio_libraries_keeps_watching(
    hass: HomeAssistant,
    caplog: pytest.LogCaptureFixture,
    failing_gpio_install: AsyncMock,
    zone_entry: MockConfigEntry,
) -> None:
    """A buzzer that cannot be used (libraries missing) leaves the zone's motion source alone."""
    assert zone_entry.state is ConfigEntryState.LOADED
    zone = _zone(zone_entry)
    assert zone.motion_available
    assert zone.buzzer is None
    assert len(_warnings(caplog)) == 1
    # The siren is there, unavailable until the buzzer can be used.
    siren = hass.states.get("siren.gate_buzzer")
    assert siren is not None
    assert siren.state == "unavailable"


@pytest.mark.parametrize(
    ("zones", "opener"),
    [
        ([gpio_zone()], "_open_pir"),
        ([zone_data(title="Gate", buzzer_pin=21, gpio_backend="mock")], "_open_buzzer"),
    ],
)
async def test_pins_claimed_after_unload_are_given_back(
    hass: HomeAssistant, zone_entry: MockConfigEntry, opener: str
) -> None:
    """A zone unloaded while its pins were being claimed (in the executor) releases them."""
    zone = _zone(zone_entry)
    await zone.async_stop()
    real = getattr(zone_module, opener)
    claimed: list[Any] = []

    def claim_while_unloading(*args: Any) -> Any:
        device = real(*args)
        claimed.append(device)
        zone._stopped = True  # async_stop ran while this executor job was claiming the pin
        return device

    zone._stopped = False
    with patch.object(zone_module, opener, claim_while_unloading):
        await zone._async_open_gpio()
    assert zone.pir is None
    assert zone.buzzer is None
    assert [device.device.closed for device in claimed] == [True]
