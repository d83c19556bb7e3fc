"""Remembered strangers: alarm latency and calls per event with the memory on and off.

A real Home Assistant, an account on the local Rekognition protocol server with one zone (an
entity motion sensor, a camera entity, no cooldown), the injected per-call latency L. With the
memory on, every searched face is also searched in the strangers' collection, beside the two
tiers; a new stranger's face is indexed after the event. The bench prints numbers; it asserts
nothing.
"""

from __future__ import annotations

import asyncio
from collections import Counter
import os
from pathlib import Path
import time
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from bench.conftest import QUICK, RESULTS, summary_ms
from custom_components.intruder_alert.const import CONF_ENDPOINT_URL, DOMAIN, EVENT_INTRUDER_ALERT
from custom_components.intruder_alert.engine.usage import BILLED_OPERATIONS
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.util import dt as dt_util
from tests.conftest import (
    ENTRY_DATA,
    REGION,
    UNIQUE_ID,
    WHITELIST,
    SceneCamera,
    enroll_directly,
    zone_data,
)
from tests.rekognition_server import RekognitionServer
from tests.scenes import Person, portrait, scene

RUNS = 4 if QUICK else 15
LATENCIES = (0.1,) if QUICK else (0.1, 0.3)
MODES = {"off": {"strangers_days": 0}, "on": {}}
ONE_FACE = portrait("mallory")
THREE_FACES = scene(
    [Person("alice", 40, 60, 260), Person("mallory", 360, 80, 110), Person("eve", 500, 300, 90)]
)


class RunClock:
    """Each run's intruder_alert_event, timestamped in the listener (monotonic)."""

    def __init__(self, hass: HomeAssistant) -> None:
        self.times: list[float] = []
        self.events: list[Event] = []
        hass.bus.async_listen(EVENT_INTRUDER_ALERT, self._seen)

    @callback
    def _seen(self, event: Event) -> None:
        # A run's event only (the same frame every run is also a frozen camera).
        if event.data.get("run_id"):
            self.times.append(time.monotonic())
            self.events.append(event)


async def _account(
    hass: HomeAssistant, server: RekognitionServer, options: dict[str, Any]
) -> tuple[MockConfigEntry, Any]:
    hass.states.async_set("binary_sensor.hall_motion", "off")
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=f"Intruder Alert ({REGION})",
        data={**ENTRY_DATA, CONF_ENDPOINT_URL: server.url},
        options=options,
        unique_id=UNIQUE_ID,
        subentries_data=[
            ConfigSubentryData(
                data=zone_data(cooldown=0), subentry_type="zone", title="Hall", unique_id=None
            )
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry, next(iter(entry.runtime_data.zones.values()))


async def _motion(hass: HomeAssistant, clock: RunClock, zone: Any) -> tuple[float, Event]:
    """One motion edge: seconds to the run's event, and the event; returns when the run ended."""
    hass.states.async_set("binary_sensor.hall_motion", "off")
    await asyncio.sleep(0)
    count = len(clock.times)
    started = time.monotonic()
    hass.states.async_set("binary_sensor.hall_motion", "on")
    while len(clock.times) <= count:
        await asyncio.sleep(0.001)
    elapsed = clock.times[count] - started
    while zone._running:
        await asyncio.sleep(0.001)
    return elapsed, clock.events[count]


async def _calls_of_one_run(
    hass: HomeAssistant,
    *,
    server: RekognitionServer,
    clock: RunClock,
    zone: Any,
    camera: SceneCamera,
    frame: bytes,
) -> dict[str, Any]:
    """The event's api_calls, and every call the run made (also after the event)."""
    camera.frame = frame
    before = Counter(server.service.calls)
    _, event = await _motion(hass, clock, zone)
    await hass.async_block_till_done()
    made = Counter(server.service.calls) - before
    return {
        "type": event.data["type"],
        "event_api_calls": event.data["api_calls"],
        "calls": dict(sorted(made.items())),
        "billed": sum(n for op, n in made.items() if op in BILLED_OPERATIONS),
    }


@pytest.mark.parametrize("mode", list(MODES))
async def test_strangers_latency_and_calls(
    hass: HomeAssistant,
    rekognition_server: RekognitionServer,
    media_dir: Path,
    scene_camera: SceneCamera,
    mode: str,
) -> None:
    """Motion edge → event, 1 and 3 faces, L = 100 and 300 ms; calls per event."""
    entry, zone = await _account(hass, rekognition_server, MODES[mode])
    enroll_directly(rekognition_server, WHITELIST, "alice", "Alice")
    clock = RunClock(hass)
    # The strangers' collection made by a first stranger (once per account, not per event).
    run = {"server": rekognition_server, "clock": clock, "zone": zone, "camera": scene_camera}
    await _calls_of_one_run(hass, **run, frame=portrait("carol"))
    calls = {}
    for label, frame in (
        ("1 face, a new stranger", portrait("trent")),
        ("1 face, the same stranger again", portrait("trent")),
        ("3 faces: Alice and 2 new strangers", scene_with("walter", "bob")),
        ("3 faces: Alice and the same 2 strangers", scene_with("walter", "bob")),
        ("1 face, known (Alice)", portrait("alice")),
    ):
        calls[label] = await _calls_of_one_run(hass, **run, frame=frame)
    rows = []
    for latency in LATENCIES:
        rekognition_server.service.latency = latency
        for faces, frame in ((1, ONE_FACE), (3, THREE_FACES)):
            scene_camera.frame = frame
            await _motion(hass, clock, zone)  # warm-up
            samples = [(await _motion(hass, clock, zone))[0] for _ in range(RUNS)]
            stats = summary_ms(samples)
            rows.append(
                {
                    "latency_ms": int(latency * 1000),
                    "faces": faces,
                    **stats,
                    "ratio": round(stats["median_ms"] / (latency * 1000), 2),
                    "api_calls": clock.events[-1].data["api_calls"],
                    "type": clock.events[-1].data["type"],
                }
            )
    rekognition_server.service.latency = 0.0
    section = RESULTS.setdefault(
        "strangers",
        {"date": dt_util.utcnow().date().isoformat(), "cores": os.cpu_count(), "modes": {}},
    )
    section["modes"][mode] = {"latency": rows, "calls": calls}
    assert entry.runtime_data.strangers is None if mode == "off" else True


def scene_with(*strangers: str) -> bytes:
    """Alice in front, two strangers behind, far enough apart for clean crops."""
    first, second = strangers
    return scene(
        [Person("alice", 20, 20, 200), Person(first, 400, 40, 100), Person(second, 480, 360, 80)]
    )


def strangers_table() -> list[str]:
    """BENCHMARKS.md's section for remembered strangers."""
    section: dict[str, Any] = RESULTS.get("strangers", {})
    modes = section.get("modes", {})
    if set(modes) != set(MODES):
        return []
    lines = [
        "### Remembered strangers: memory on and off",
        "",
        f"Measured on {section['date']} on {section['cores']} cores (`scripts/bench -k strangers`): "
        "a real Home Assistant, an account on the local protocol server with one zone (no "
        "cooldown), Alice enrolled; each mode a fresh Home Assistant. *On* is the default "
        "(strangers remembered for 14 days): every searched face is also searched in the "
        "strangers' collection, beside the two tiers, and a new stranger's face is indexed after "
        "the event. Motion edge → `intruder_alert_event`, median and p95 of "
        f"{RUNS} runs after a warm-up (the same stranger every run, so from the third run on the "
        "type is `loitering`).",
        "",
        "| Injected latency L | Faces | Memory | Median | p95 | Median ÷ L | Calls in the event |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for off, on in zip(modes["off"]["latency"], modes["on"]["latency"], strict=True):
        for name, row in (("off", off), ("on", on)):
            lines.append(
                f"| {row['latency_ms']} ms | {row['faces']} | {name} | {row['median_ms']} ms "
                f"| {row['p95_ms']} ms | {row['ratio']:.2f} | {row['api_calls']} |"
            )
    one = [row for row in modes["on"]["latency"] if row["faces"] == 1]
    worst = max(row["ratio"] for row in one)
    lines += [
        "",
        f"1 face with the memory on: at most {worst:.2f} × one round trip (goal ≤ 1.2"
        f"{'' if worst <= 1.2 else ' — MISSED'}).",
        "",
        "Calls per event (at L = 0; every call the run made, the ones after the event included; "
        "billed: the image calls Rekognition bills):",
        "",
        "| Frame | Memory off: calls (billed) | Memory on: calls (billed) | Memory on: which |",
        "| --- | --- | --- | --- |",
    ]
    for label, on in modes["on"]["calls"].items():
        off = modes["off"]["calls"][label]
        which = ", ".join(f"{n} {op}" for op, n in on["calls"].items())
        lines.append(
            f"| {label} | {sum(off['calls'].values())} ({off['billed']}) "
            f"| {sum(on['calls'].values())} ({on['billed']}) | {which} |"
        )
    lines.append("")
    return lines
