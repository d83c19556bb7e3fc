"""Evidence: runs kept past the retention, each run's manifest, and releasing them.

A run is **evidence** when it found a blacklisted face, when its recognition failed, or when it
found an unknown face while its zone was armed. Pruning by age (the *Keep snapshots for* option)
skips an evidence run's files until an administrator releases the run (the panel's
``intruder_alert/release_evidence``); the next prune then deletes it like any other old run.

Every recorded run gets a **manifest** beside its snapshot, ``<stem>.manifest`` (JSON, not
``.json``: run records are found by that suffix): when, where, whether the zone was armed, the
verdict, each face's verdict, name and similarity, the backend, and the SHA-256 of every stored
image (the snapshot and, once written, the annotated copy). It is written when the run is
recorded and again when its annotated copy is written.

Releases are kept in ``evidence.state`` beside the snapshots (never pruned by age; a released
run is forgotten there once its files are gone). Everything here is blocking file I/O: call it
in the executor. This module imports nothing of the integration but its constants, so the
snapshot store can use it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
import hashlib
import json
from pathlib import Path
import threading
from typing import Any, Final

from homeassistant.util import dt as dt_util

from .const import LOGGER

EVIDENCE_STATE: Final = "evidence.state"
MANIFEST_SUFFIX: Final = ".manifest"
MANIFEST_FORMAT: Final = 1
# Why a run is kept: the values of a manifest's and a run's ``evidence_reason``.
BLACKLISTED: Final = "blacklisted"
FAILED: Final = "failed"
UNKNOWN_WHILE_ARMED: Final = "unknown_while_armed"
# Suffixes of a run's derived files: <stem>_annotated.jpg, <stem>_thumb.jpg, both.
_DERIVED = ("_thumb", "_annotated")
_CHUNK = 1024 * 1024

_LOCKS: dict[Path, threading.Lock] = {}
_LOCKS_LOCK = threading.Lock()


def _lock(folder: Path) -> threading.Lock:
    with _LOCKS_LOCK:
        return _LOCKS.setdefault(folder, threading.Lock())


def armed_at_run(run: Mapping[str, Any]) -> bool:
    """Whether the run's zone was armed when it ran.

    Records of versions that did not note it: a zone's run counts as armed (motion runs only
    while armed; a zone without an alarm panel always is), a run of an action without a zone
    does not.
    """
    if "armed" in run:
        return bool(run["armed"])
    return run.get("zone") is not None


def evidence_reason(run: Mapping[str, Any]) -> str | None:
    """Why a run (its record or index line) is evidence, or None when it is not."""
    match run.get("verdict"):
        case "blacklisted":
            return BLACKLISTED
        case "failed":
            return FAILED
        case "unknown" if armed_at_run(run):
            return UNKNOWN_WHILE_ARMED
    return None


def run_stem(name: str) -> str:
    """The run a file of the snapshot folder belongs to (its snapshot's stem)."""
    stem = name.split(".", 1)[0]
    for suffix in _DERIVED:
        stem = stem.removesuffix(suffix)
    return stem


def sha256_of(path: Path) -> tuple[str, int]:
    """SHA-256 (hex) and size of a file."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


# Manifests.
def manifest_path(folder: Path, stem: str) -> Path:
    """Where run ``stem``'s manifest is kept."""
    return folder / f"{stem}{MANIFEST_SUFFIX}"


def build_manifest(
    folder: Path, record: Mapping[str, Any], images: Sequence[tuple[str, str]]
) -> dict[str, Any]:
    """The manifest of a recorded run; ``images`` are (role, file name) pairs, missing skipped."""
    hashed = []
    for role, name in images:
        try:
            digest, size = sha256_of(folder / name)
        except FileNotFoundError:
            continue
        hashed.append({"role": role, "file": name, "sha256": digest, "bytes": size})
    faces = [
        {
            "index": face.get("index", position),
            "verdict": face.get("verdict"),
            "tier": face.get("tier"),
            "name": face.get("name"),
            "similarity": face.get("similarity"),
            "closest": face.get("closest"),
            "conflict": bool(face.get("conflict")),
            "bounding_box": face.get("bounding_box"),
        }
        for position, face in enumerate(record.get("faces") or [])
    ]
    return {
        "format": MANIFEST_FORMAT,
        "run_id": record.get("run_id"),
        "time": record.get("time"),
        "zone": record.get("zone"),
        "device_id": record.get("device_id"),
        "armed": armed_at_run(record),
        "type": record.get("type"),
        "verdict": record.get("verdict"),
        "summary": record.get("summary"),
        "reason": record.get("reason"),
        "backend": record.get("backend"),
        "faces": faces,
        "evidence_reason": evidence_reason(record),
        "images": hashed,
        "written": dt_util.utcnow().isoformat(),
    }


def write_manifest(
    folder: Path, stem: str, record: Mapping[str, Any], images: Sequence[tuple[str, str]]
) -> dict[str, Any]:
    """Write (or rewrite) run ``stem``'s manifest, atomically; returns it."""
    manifest = build_manifest(folder, record, images)
    path = manifest_path(folder, stem)
    temporary = path.with_name(f"{path.name}.part")
    temporary.write_text(json.dumps(manifest, indent=2, default=str))
    temporary.replace(path)
    return manifest


def read_manifest(folder: Path, stem: str) -> dict[str, Any] | None:
    """Run ``stem``'s manifest, or None when there is none (or it cannot be read)."""
    try:
        manifest = json.loads(manifest_path(folder, stem).read_text())
    except OSError, ValueError:
        return None
    return manifest if isinstance(manifest, dict) else None


# Releases.
def _state_path(folder: Path) -> Path:
    return folder / EVIDENCE_STATE


def _read_released(folder: Path) -> dict[str, str]:
    try:
        state = json.loads(_state_path(folder).read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as err:
        # Unreadable: nothing counts as released, so nothing is deleted that should be kept.
        LOGGER.warning("The evidence state could not be read (all evidence is kept): %s", err)
        return {}
    released = state.get("released") if isinstance(state, dict) else None
    return {str(run): str(when) for run, when in (released or {}).items()}


def _write_released(folder: Path, released: Mapping[str, str]) -> None:
    path = _state_path(folder)
    temporary = path.with_name(f"{path.name}.part")
    temporary.write_text(json.dumps({"released": dict(released)}))
    temporary.replace(path)


def released(folder: Path) -> dict[str, str]:
    """The runs an administrator released, with when (ISO time)."""
    with _lock(folder):
        return _read_released(folder)


def release(folder: Path, run_id: str) -> str:
    """Release run ``run_id``: the next prune deletes it once older than the retention."""
    with _lock(folder):
        state = _read_released(folder)
        when = state.setdefault(run_id, dt_util.utcnow().isoformat())
        folder.mkdir(parents=True, exist_ok=True)
        _write_released(folder, state)
        return when


def is_kept(run: Mapping[str, Any], released_runs: Mapping[str, str]) -> bool:
    """Whether ``run`` (a record or an index line) is evidence still kept past the retention."""
    return evidence_reason(run) is not None and str(run.get("run_id")) not in released_runs


def kept_stems(folder: Path, stems: Iterable[str]) -> tuple[set[str], dict[str, str]]:
    """Of the runs ``stems`` (whose files are past the retention), those pruning must keep.

    Returns the stems to keep, and the released runs among the others (stem: run id). A run is
    judged by its record; a run without a finished record is no evidence (nothing recorded it).
    """
    released_runs = released(folder)
    keep: set[str] = set()
    gone: dict[str, str] = {}
    for stem in stems:
        try:
            record = json.loads((folder / f"{stem}.json").read_text())
        except OSError, ValueError:
            continue
        if not isinstance(record, dict) or record.get("status") != "done":
            continue
        if is_kept(record, released_runs):
            keep.add(stem)
        elif (run_id := record.get("run_id")) in released_runs:
            gone[stem] = str(run_id)
    return keep, gone


def forget_released(folder: Path, runs: Mapping[str, str]) -> None:
    """Forget the releases of runs (stem: run id) whose records were deleted."""
    deleted = {run_id for stem, run_id in runs.items() if not (folder / f"{stem}.json").exists()}
    if not deleted:
        return
    with _lock(folder):
        state = _read_released(folder)
        forgotten = [run_id for run_id in deleted if state.pop(run_id, None) is not None]
        if forgotten:
            _write_released(folder, state)
