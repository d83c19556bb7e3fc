"""The offline backend (dlib on this device): per-frame latency in a real Home Assistant, and memory.

Real faces from wheels: Grace Hopper (one face, enrolled) and insightface's group photo (six
strangers). They print numbers; they assert none.
"""

from __future__ import annotations

from datetime import date
import io
import json
import os
from pathlib import Path
import subprocess
import sys
import time
from typing import Any

from PIL import Image
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from bench.conftest import QUICK, RESULTS, ROOT, summary_ms
from custom_components.intruder_alert.const import (
    CONF_BACKEND,
    CONF_BLACKLIST_COLLECTION,
    CONF_WHITELIST_COLLECTION,
    DEFAULT_BLACKLIST_COLLECTION,
    DEFAULT_WHITELIST_COLLECTION,
    DOMAIN,
    Backend,
)
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant
from tests.conftest import SceneCamera, enroll_photo, zone_data
from tests.faces import grace_hopper, group_of_six, jpeg

from .bench_pipeline import EventClock, _motion_to_event, _rss_mb

RUNS = 3 if QUICK else 10

# Run in a fresh interpreter so the figures are the backend's own, not the test harness's.
MEMORY_PROBE = """
import io, json, resource, time
from pathlib import Path

def rss():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

from custom_components.intruder_alert.engine.local import LocalFaces, _Models
from custom_components.intruder_alert.engine.people import People
from tests.faces import grace_hopper, group_of_six, jpeg

frames = {"one": jpeg(grace_hopper()), "six": jpeg(group_of_six())}
before = rss()
started = time.monotonic()
_Models.get()
load_s = time.monotonic() - started
loaded = rss()
faces = LocalFaces()
timings = {}
for name, frame in frames.items():
    started = time.monotonic()
    found = faces.detect_faces(frame)
    timings[name] = {"seconds": time.monotonic() - started, "faces": len(found)}
collections = {"whitelist": "wl", "blacklist": "bl"}
for collection in collections.values():
    faces.ensure_collection(collection)
empty = len(json.dumps(faces.store))
People(faces, collections).enroll("whitelist", "Grace Hopper", frames["one"])
print(json.dumps({
    "rss_before_mb": before,
    "rss_models_mb": loaded,
    "rss_after_frames_mb": rss(),
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "load_s": load_s,
    "frames": timings,
    "stored_bytes_per_person": len(json.dumps(faces.store)) - empty,
}))
"""


def _unique(image: Image.Image, run: int) -> bytes:
    """The same picture as a different JPEG file each time, like successive camera frames.

    The backend remembers the faces of the last few frames (both tiers search one frame), so a
    repeated file would measure that cache, not recognition.
    """
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=92, comment=f"frame {run}".encode())
    return buffer.getvalue()


def test_local_memory() -> None:
    """Model load time, per-frame detection + embedding time, and the memory they take."""
    probe = subprocess.run(  # noqa: S603 (our own probe, run by the same interpreter)
        [sys.executable, "-c", MEMORY_PROBE],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if probe.returncode:
        raise RuntimeError(probe.stderr)
    figures = json.loads(probe.stdout.strip().splitlines()[-1])
    RESULTS["local_memory"] = {
        "load_ms": round(figures["load_s"] * 1000, 1),
        "models_rss_mb": round(figures["rss_models_mb"] - figures["rss_before_mb"], 1),
        "frames_rss_mb": round(figures["rss_after_frames_mb"] - figures["rss_models_mb"], 1),
        "peak_rss_mb": round(figures["peak_rss_mb"], 1),
        "first_frame_ms": {
            name: round(timing["seconds"] * 1000, 1) for name, timing in figures["frames"].items()
        },
        "stored_bytes_per_person": figures["stored_bytes_per_person"],
    }


@pytest.fixture
async def local_zone_entry(
    hass: HomeAssistant, media_dir: Path, scene_camera: SceneCamera
) -> MockConfigEntry:
    """An offline account with one zone (binary sensor + camera entity), Grace Hopper enrolled."""
    hass.states.async_set("binary_sensor.hall_motion", "off")
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Intruder Alert (on this device)",
        data={
            CONF_BACKEND: Backend.LOCAL,
            CONF_WHITELIST_COLLECTION: DEFAULT_WHITELIST_COLLECTION,
            CONF_BLACKLIST_COLLECTION: DEFAULT_BLACKLIST_COLLECTION,
        },
        unique_id=Backend.LOCAL,
        subentries_data=[
            ConfigSubentryData(
                data=zone_data(title="Hall"), subentry_type="zone", title="Hall", unique_id=None
            )
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await enroll_photo(hass, media_dir, "whitelist", "Grace Hopper", jpeg(grace_hopper()))
    return entry


async def test_local_alarm_latency(
    hass: HomeAssistant, local_zone_entry: MockConfigEntry, scene_camera: SceneCamera
) -> None:
    """Motion edge → event on the offline backend: 1 known face, 6 strangers; memory over the runs."""
    zone = next(iter(local_zone_entry.runtime_data.zones.values()))
    clock = EventClock(hass)
    rows = []
    rss_start = _rss_mb()
    run = 0
    for label, image in (
        ("1 face (known)", grace_hopper()),
        ("6 faces (strangers)", group_of_six()),
    ):
        samples = []
        for _ in range(RUNS + 1):
            run += 1
            scene_camera.frame = _unique(image, run)
            samples.append(await _motion_to_event(hass, clock, zone))
        event = clock.events[-1].data
        rows.append(
            {
                "frame": label,
                "pixels": f"{image.width}×{image.height}",
                "verdict": event["type"],
                "faces": len(event["faces"]),
                **summary_ms(samples[1:]),  # the first run is a warm-up
            }
        )
    started = time.monotonic()
    extra = 0 if QUICK else 40
    for _ in range(extra):
        run += 1
        scene_camera.frame = _unique(group_of_six(), run)
        await _motion_to_event(hass, clock, zone)
    RESULTS["local_latency"] = {
        "rows": rows,
        "rss_start_mb": rss_start,
        "rss_end_mb": _rss_mb(),
        "recognitions": run,
        "soak_seconds": round(time.monotonic() - started, 1),
        "runs": RUNS,
        "cores": os.cpu_count(),
        "date": date.today().isoformat(),
    }


def local_table() -> list[str]:
    """BENCHMARKS.md's section for the offline backend."""
    lines: list[str] = []
    latency: dict[str, Any] = RESULTS.get("local_latency", {})
    memory: dict[str, Any] = RESULTS.get("local_memory", {})
    if not latency and not memory:
        return lines
    lines += ["### Offline backend (dlib on this device)", ""]
    if latency:
        lines += [
            f"Measured on {latency.get('date', '?')} on {latency.get('cores', '?')} cores "
            "(`scripts/bench -k local`): motion edge → `intruder_alert_event` in a real Home "
            "Assistant (capture, snapshot, both tiers, annotated image, event), median and p95 of "
            f"{latency.get('runs', '?')} runs after a warm-up, every frame a new JPEG file (so "
            "nothing is answered from the backend's per-frame cache). dlib's detector looks at a "
            "copy of the frame scaled to about 640×480 pixels (never below full size, at most "
            "twice it); landmarks and embeddings use the full frame.",
            "",
            "| Frame | Pixels | Verdict | Faces | Median | p95 |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for row in latency["rows"]:
            lines.append(
                f"| {row['frame']} | {row['pixels']} | {row['verdict']} | {row['faces']} | {row['median_ms']} ms | {row['p95_ms']} ms |"
            )
        lines += [
            "",
            f"Resident memory of the Home Assistant process over {latency['recognitions']} offline recognitions: "
            f"{latency['rss_start_mb']} MB → {latency['rss_end_mb']} MB.",
            "",
        ]
    if memory:
        first = memory["first_frame_ms"]
        lines += [
            f"In a fresh interpreter: loading dlib's models takes {memory['load_ms']} ms and adds "
            f"{memory['models_rss_mb']} MB of resident memory; the first 1-face frame takes {first['one']} ms "
            f"and the first 6-face frame {first['six']} ms, adding {memory['frames_rss_mb']} MB; peak resident "
            f"memory {memory['peak_rss_mb']} MB. One enrolled person is stored as {memory['stored_bytes_per_person']} "
            "bytes of JSON (an embedding, no photo).",
            "",
        ]
    return lines
