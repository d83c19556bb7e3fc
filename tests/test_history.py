"""The run history: its index beside the snapshots, kept in step with records and pruning."""

from __future__ import annotations

from datetime import datetime, timedelta
import json
import os
from pathlib import Path
import time
from typing import Any
from unittest.mock import patch

import pytest

from custom_components.intruder_alert.history import (
    RunFilter,
    RunHistory,
    decode_cursor,
    encode_cursor,
)
from custom_components.intruder_alert.snapshots import Snapshot, SnapshotStore
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util

from .scenes import portrait

START = datetime(2026, 5, 1, 12, 0, tzinfo=dt_util.UTC)


def _record(run_id: str, when: datetime, **extra: Any) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "time": when.isoformat(),
        "zone": "Porch",
        "device_id": "device-1",
        "type": "unknown_person",
        "verdict": "unknown",
        "backend": "rekognition",
        "names": [],
        "reason": None,
        "faces": [],
        # Not evidence (an unknown face while armed is kept past the retention: test_evidence.py).
        "armed": False,
    } | extra


def _face(index: int, verdict: str, **extra: Any) -> dict[str, Any]:
    box = {"left": 0.3, "top": 0.2, "width": 0.4, "height": 0.5}
    return {
        "index": index,
        "tier": None,
        "name": None,
        "similarity": None,
        "verdict": verdict,
        "bounding_box": box,
    } | extra


@pytest.fixture
def store(hass: HomeAssistant, tmp_path: Path) -> SnapshotStore:
    """An account's snapshot folder in a temporary configuration directory."""
    hass.config.config_dir = str(tmp_path)
    return SnapshotStore(hass, "entry")


def _save(store: SnapshotStore, run_id: str, when: datetime, **extra: Any) -> Snapshot:
    snapshot = store.save(portrait("bob"), "Porch", when)
    store.write_record(snapshot, _record(run_id, when, **extra))
    return snapshot


def _ids(runs: list[dict[str, Any]]) -> list[str]:
    return [run["run_id"] for run in runs]


def test_the_index_follows_records_and_pages_newest_first(store: SnapshotStore) -> None:
    """Runs written after the first query are read from the appended lines only."""
    history = RunHistory(store)
    assert history.page(RunFilter(), 10) == []  # no folder yet
    for n in range(5):
        _save(store, f"run{n}", START + timedelta(minutes=n))
    assert len(history) == 5
    first = history.page(RunFilter(), 2)
    assert _ids(first) == ["run4", "run3"]
    rest = history.page(RunFilter(), 10, first[-1]["_key"])
    assert _ids(rest) == ["run2", "run1", "run0"]

    _save(store, "run5", START + timedelta(minutes=5))
    # A line still being written, and a damaged one, are skipped.
    with store.index_path.open("a") as index:
        index.write("not json\n[1]\n")
        index.write('{"run_id": "half')
    assert _ids(history.page(RunFilter(), 1)) == ["run5"]
    assert len(history) == 6

    # The same run written again (an interrupted run reported at start) replaces its entry.
    with store.index_path.open("a") as index:
        index.write('", "time": null}\n')
    _save(store, "run0", START + timedelta(minutes=9), verdict="failed")
    assert _ids(history.page(RunFilter(), 2)) == ["run0", "run5"]
    assert history.get("run0")["verdict"] == "failed"
    assert history.get("half") is not None  # its time is unknown: the oldest
    assert _ids(history.page(RunFilter(), 10))[-1] == "half"


def test_filters(store: SnapshotStore) -> None:
    """Zone, device, types, verdicts, person and time range."""
    _save(store, "a", START, names=["Alice"], type="known_person", verdict="known")
    _save(store, "b", START + timedelta(minutes=1), zone="Hall", device_id="device-2")
    _save(store, "c", START + timedelta(minutes=2), type="no_face", verdict="no_face")
    history = RunHistory(store)

    def ids(**fields: Any) -> list[str]:
        return _ids(history.page(RunFilter(**fields), 10))

    assert ids(zone="hall") == ["b"]
    assert ids(device_id="device-1") == ["c", "a"]
    assert ids(types=frozenset({"known_person", "no_face"})) == ["c", "a"]
    assert ids(verdicts=frozenset({"unknown"})) == ["b"]
    assert ids(person="LIC") == ["a"]
    minute = (START + timedelta(minutes=1)).timestamp()
    assert ids(after=minute) == ["c", "b"]
    assert ids(before=minute) == ["b", "a"]


def test_cursors() -> None:
    """Cursors round-trip; anything else is refused."""
    key = (1714564800.25, "01RUN")
    assert decode_cursor(encode_cursor(key)) == key
    for bad in ("", "01RUN", "x~01RUN", "1.0~"):
        with pytest.raises(ValueError):  # noqa: PT011 - any of float()'s or ours
            decode_cursor(bad)


def test_records_of_older_versions_are_indexed(store: SnapshotStore) -> None:
    """Without an index (written before it existed), the records are read once to make it."""
    for n in range(3):
        _save(store, f"run{n}", START + timedelta(minutes=n))
    unfinished = store.save_in_progress(
        b"x", "Porch", None, START - timedelta(hours=1), "run-unfinished"
    )
    (store.folder / "broken.json").write_text("{")
    store.index_path.unlink()
    history = RunHistory(store)
    assert _ids(history.page(RunFilter(), 10)) == ["run2", "run1", "run0"]
    assert store.index_path.is_file()
    # The run still in progress is found by its record.
    found = store.find_run("run-unfinished")
    assert found is not None
    assert found[0].path == unfinished.path


def test_pruning_compacts_the_index(store: SnapshotStore) -> None:
    """Runs pruned with their snapshots leave the history; the index and answers stay."""
    old = _save(store, "old", START, faces=[_face(0, "unknown")])
    _save(store, "new", START + timedelta(minutes=1), faces=[_face(0, "unknown")])
    history = RunHistory(store)
    history.dismiss("old", 0)
    history.dismiss("new", 0)
    long_ago = time.time() - 40 * 86400
    for path in (old.path, old.path.with_suffix(".json"), store.index_path):
        os.utime(path, (long_ago, long_ago))
    os.utime(store.folder / "panel.state", (long_ago, long_ago))

    assert store.prune(timedelta(days=30)) == 2
    assert store.index_path.is_file()
    assert _ids(history.page(RunFilter(), 10)) == ["new"]
    # Answers about pruned runs are dropped at the next change.
    history.note_enrolled("whitelist", "Bob", None)
    state = json.loads((store.folder / "panel.state").read_text())
    assert list(state["dismissed"]) == ["new"]
    # A damaged line is dropped by the next compaction.
    with store.index_path.open("a") as index:
        index.write("damaged\n")
    newer = _save(store, "newer", START + timedelta(minutes=2))
    os.utime(newer.path, (long_ago, long_ago))
    assert store.prune(timedelta(days=30)) == 1
    assert "damaged" not in store.index_path.read_text()
    assert _ids(history.page(RunFilter(), 10)) == ["newer", "new"]


def test_review_kept_faces_and_answers(hass: HomeAssistant, store: SnapshotStore) -> None:
    """Unknown faces until answered; kept faces of a person; answers survive a new history."""
    _save(
        store,
        "first",
        START,
        faces=[
            _face(0, "known", tier="whitelist", name="Alice", similarity=97.0),
            _face(1, "unknown", closest={"name": "Alice", "tier": "whitelist", "similarity": 80}),
        ],
    )
    _save(
        store,
        "second",
        START + timedelta(minutes=1),
        faces=[
            _face(0, "known", tier="whitelist", name="alice", similarity=99.0),
            _face(1, "unknown"),
        ],
    )
    history = RunHistory(store)
    review = history.review(10)
    assert [(run["run_id"], face["index"]) for run, face in review] == [
        ("second", 1),
        ("first", 1),
    ]
    assert review[1][1]["closest"]["name"] == "Alice"
    assert len(history.review(1)) == 1

    history.note_enrolled("whitelist", "Mallory", ("first", 1))
    history.dismiss("second", 1)
    assert history.review(10) == []
    assert history.face_state("first", 1) == {
        "dismissed": False,
        "enrolled": {"tier": "whitelist", "name": "Mallory"},
    }
    # Kept faces: the one enrolled from first, then the recognised ones, most similar first.
    history.note_enrolled("whitelist", "Alice", ("first", 0))
    assert history.kept_faces("whitelist", "ALICE") == [("first", 0), ("second", 0)]
    assert history.kept_faces("blacklist", "Alice") == []

    again = RunHistory(store)
    assert again.review(10) == []
    added = again.added()["whitelist"]
    assert set(added) == {"Mallory", "Alice"}
    again.note_removed("whitelist", "Mallory")
    again.note_removed("blacklist", "Nobody")
    assert set(RunHistory(store).added()["whitelist"]) == {"Alice"}

    with pytest.raises(ServiceValidationError) as refused:
        history.dismiss("nope", 0)
    assert refused.value.translation_key == "run_not_found"


def test_face_crops_and_thumbnails(store: SnapshotStore) -> None:
    """A run's face is cut as enrolment cuts it; the thumbnail is made once."""
    snapshot = _save(store, "run", START, faces=[_face(0, "unknown")])
    assert store.face_crop("run", 0).startswith(b"\xff\xd8")
    thumbnail = store.thumbnail(snapshot.path.name)
    assert thumbnail is not None
    made = thumbnail.stat().st_mtime_ns
    assert store.thumbnail(snapshot.path.name) == thumbnail
    assert thumbnail.stat().st_mtime_ns == made
    assert store.thumbnail("../escape.jpg") is None


def test_an_index_that_cannot_be_written_costs_the_history_only(
    store: SnapshotStore, caplog: pytest.LogCaptureFixture
) -> None:
    """The record is written; the history's note of it is logged as missing."""
    store.folder.mkdir(parents=True)
    store.index_path.mkdir()  # a folder where the file should be
    snapshot = store.save(b"x", "Porch", START)
    store.write_record(snapshot, _record("run", START))
    assert snapshot.path.with_suffix(".json").is_file()
    assert "could not note run run" in caplog.text
    # The index could not be read either: runs are found record by record.
    assert store.find_run("run") is not None


def test_index_lines_that_lead_nowhere(
    store: SnapshotStore, caplog: pytest.LogCaptureFixture
) -> None:
    """A damaged index line, or one naming a lost or rewritten record, falls back to the records."""
    snapshot = _save(store, "run", START)
    with store.index_path.open("a") as index:
        index.write('{"run_id": "run", damaged\n')
        index.write(json.dumps({"run_id": "lost", "stem": "nothing"}) + "\n")
        index.write(json.dumps({"run_id": "moved", "stem": snapshot.path.stem}) + "\n")
    assert store.find_run("run") is not None
    assert store.find_run("lost") is None
    assert store.find_run("moved") is None
    # A prune whose index cannot be rewritten still prunes, and says so.
    long_ago = time.time() - 40 * 86400
    os.utime(snapshot.path, (long_ago, long_ago))
    with patch.object(SnapshotStore, "_compact_index", side_effect=OSError("read-only")):
        assert store.prune(timedelta(days=30)) == 1
    assert "could not be pruned: read-only" in caplog.text
