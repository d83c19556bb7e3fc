"""The panel's run history with 10,000 runs: how long the first page takes. Prints; asserts none.

Records are written the way the pipeline writes them (``SnapshotStore.write_record``, which
appends to the index); the first page is asked for over the websocket, as the panel asks.
"""

from __future__ import annotations

from datetime import timedelta
import time
from typing import Any

from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from bench.conftest import QUICK, RESULTS
from custom_components.intruder_alert.history import HISTORY_KEY
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

RUNS = 1_000 if QUICK else 10_000
REPEATS = 5


def history_table() -> list[str]:
    """The figures as a BENCHMARKS.md section."""
    history = RESULTS.get("history")
    if not history:
        return []
    return [
        "### Run history (the panel's `intruder_alert/runs`)",
        "",
        f"{history['runs']} run records: first page of 50 over the websocket "
        f"{history['first_page_cold_ms']} ms after a restart (index read once), "
        f"{history['first_page_warm_ms']} ms after that (median of {REPEATS}); "
        f"{history['first_page_rebuild_ms']} ms the first time after an upgrade (no index yet: "
        f"every record read once). Finding one run for enrolment: {history['find_run_ms']} ms.",
        "",
    ]


def _record(n: int, when: Any) -> dict[str, Any]:
    unknown = n % 3 == 0
    return {
        "type": "unknown_person" if unknown else "known_person",
        "run_id": f"01BENCH{n:019d}",
        "verdict": "unknown" if unknown else "known",
        "zone": "Porch" if n % 2 else "Hall",
        "device_id": "device",
        "faces": [
            {
                "index": 0,
                "tier": None if unknown else "whitelist",
                "name": None if unknown else "Alice",
                "similarity": None if unknown else 99.1,
                "bounding_box": {"left": 0.3, "top": 0.2, "width": 0.3, "height": 0.4},
                "conflict": False,
                "verdict": "unknown" if unknown else "known",
                "unsearched_reasons": [],
            }
        ],
        "names": [] if unknown else ["Alice"],
        "reason": None,
        "backend": "rekognition",
        "time": when.isoformat(),
        "annotated_media_id": "media-source://intruder_alert/x/y",
    }


async def _first_page(client: Any) -> float:
    started = time.perf_counter()
    await client.send_json_auto_id({"type": "intruder_alert/runs", "limit": 50})
    answer = await client.receive_json()
    elapsed = time.perf_counter() - started
    assert answer["success"]
    assert len(answer["result"]["runs"]) == 50
    return elapsed


async def test_history_first_page(
    hass: HomeAssistant, server_entry: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> None:
    """10,000 runs: the first page cold, warm, and with the index rebuilt from the records."""
    store = server_entry.runtime_data.snapshots
    start = dt_util.utcnow() - timedelta(days=10)

    def write_all() -> None:
        for n in range(RUNS):
            when = start + timedelta(seconds=60 * n)
            snapshot = store.save(b"\xff\xd8 not a real frame", "Porch", when)
            store.write_record(snapshot, _record(n, when))

    await hass.async_add_executor_job(write_all)
    client = await hass_ws_client(hass)

    cold = await _first_page(client)
    warm = sorted([await _first_page(client) for _ in range(REPEATS)])[REPEATS // 2]

    store.index_path.unlink()
    hass.data[HISTORY_KEY].clear()
    rebuild = await _first_page(client)

    started = time.perf_counter()
    found = await hass.async_add_executor_job(store.find_run, "01BENCH" + "0" * 19)
    find_ms = (time.perf_counter() - started) * 1000
    assert found is not None

    RESULTS["history"] = {
        "runs": RUNS,
        "first_page_cold_ms": round(cold * 1000, 1),
        "first_page_warm_ms": round(warm * 1000, 1),
        "first_page_rebuild_ms": round(rebuild * 1000, 1),
        "find_run_ms": round(find_ms, 1),
    }
    print(RESULTS["history"])
