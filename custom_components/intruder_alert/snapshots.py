"""Snapshots on disk, private to Home Assistant's administrators.

A frame is written before the cloud is asked anything, so an alarm always has its picture, even
when recognition fails or Home Assistant stops halfway. Snapshots are faces: they live outside
Home Assistant's media folders (which every user can browse) in ``<config>/intruder_alert/
snapshots/<entry id>/``, and are reached through this integration's own media source (for
email attachments) and an authenticated, admin-only view.

Beside them, ``index.jsonl`` holds one compact line per finished run (appended when its record
is written, rewritten when old runs are pruned): the run history reads it instead of opening
every record, so listing stays fast with thousands of runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
import io
import json
from pathlib import Path
import re
import shutil
import threading
import time
from typing import Any

from PIL import Image, ImageOps

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util, slugify

from . import evidence
from .const import DOMAIN, LOGGER
from .engine.images import BoundingBox, crop, crop_box, decode

MEDIA_SOURCE_PREFIX = f"media-source://{DOMAIN}"
IN_PROGRESS = "in_progress"
DONE = "done"
# What a snapshot's file name looks like (nothing that could leave the folder).
SNAPSHOT_NAME = re.compile(r"[0-9A-Za-z_\-]+\.jpg")
# The run history's index and the panel's answers (dismissed faces, enrolment dates): kept
# beside the snapshots, never pruned by age.
INDEX_NAME = "index.jsonl"
PANEL_NAME = "panel.state"
ANNOTATED_SUFFIX = "_annotated"
THUMBNAIL_SUFFIX = "_thumb"
THUMBNAIL_SIDE = 240
# One lock per folder: the pipeline appends to the index while the history rebuilds or prunes.
_INDEX_LOCKS: dict[Path, threading.Lock] = {}
_LOCKS_LOCK = threading.Lock()


def index_lock(folder: Path) -> threading.Lock:
    """The lock that guards a folder's index file."""
    with _LOCKS_LOCK:
        return _INDEX_LOCKS.setdefault(folder, threading.Lock())


_OPTIONAL_FACE_KEYS = ("closest", "outside_rules", "visitor_id", "times_seen")


def index_line(stem: str, record: dict[str, Any]) -> dict[str, Any]:
    """What the run history keeps of one run record (no bounding boxes, no paths)."""
    faces = []
    for position, face in enumerate(record.get("faces") or []):
        item = {
            "index": face.get("index", position),
            "tier": face.get("tier"),
            "name": face.get("name"),
            "similarity": face.get("similarity"),
            "verdict": face.get("verdict"),
        }
        # What only some faces have: the closest candidate of an unknown face, why a known face
        # was outside their rules, which remembered stranger it was.
        for optional in _OPTIONAL_FACE_KEYS:
            if face.get(optional) is not None:
                item[optional] = face[optional]
        faces.append(item)
    return {
        "stem": stem,
        "run_id": record.get("run_id"),
        "time": record.get("time"),
        "zone": record.get("zone"),
        "device_id": record.get("device_id"),
        "type": record.get("type"),
        "verdict": record.get("verdict"),
        "backend": record.get("backend"),
        "names": list(record.get("names") or []),
        "reason": record.get("reason"),
        "faces": faces,
        "annotated": bool(record.get("annotated_media_id")),
        "armed": evidence.armed_at_run(record),
    }


@dataclass(frozen=True)
class Snapshot:
    """A saved frame: where it is on disk and how the media source names it."""

    path: Path
    media_id: str


def snapshot_root(hass: HomeAssistant) -> Path:
    """Where every account keeps its snapshots."""
    return Path(hass.config.path(DOMAIN, "snapshots"))


class SnapshotStore:
    """Snapshots of one account in ``<config>/intruder_alert/snapshots/<entry id>/``."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Snapshots of the account ``entry_id``; nothing is touched on disk yet."""
        self.entry_id = entry_id
        self.folder = snapshot_root(hass) / entry_id
        # Where versions before 0.2 kept them: the `local` media folder every user can browse.
        media_root = hass.config.media_dirs.get("local") or hass.config.path("media")
        self._legacy_folder = Path(media_root) / DOMAIN / entry_id

    def _snapshot(self, name: str) -> Snapshot:
        return Snapshot(
            path=self.folder / name, media_id=f"{MEDIA_SOURCE_PREFIX}/{self.entry_id}/{name}"
        )

    def path_of(self, name: str) -> Path | None:
        """The file of snapshot ``name`` if it exists and is one of ours; blocking."""
        if not SNAPSHOT_NAME.fullmatch(name):
            return None
        path = self.folder / name
        return path if path.is_file() else None

    def move_out_of_media(self) -> int:
        """Move snapshots an older version left in the media folder here; blocking."""
        if not self._legacy_folder.is_dir():
            return 0
        self.folder.mkdir(parents=True, exist_ok=True)
        moved = 0
        for file in self._legacy_folder.iterdir():
            if file.is_file():
                shutil.move(file, self.folder / file.name)
                moved += 1
        shutil.rmtree(self._legacy_folder, ignore_errors=True)
        return moved

    def remove_all(self) -> None:
        """Delete every snapshot and record of the account (the account is removed); blocking."""
        shutil.rmtree(self.folder, ignore_errors=True)
        shutil.rmtree(self._legacy_folder, ignore_errors=True)

    def save(self, data: bytes, zone: str | None, when: datetime, suffix: str = "") -> Snapshot:
        """Write a frame; blocking. Names sort by time and say which zone took them."""
        stamp = dt_util.as_utc(when).strftime("%Y%m%dT%H%M%S%fZ")
        label = slugify(zone) if zone else "action"
        snapshot = self._snapshot(f"{stamp}_{label}{suffix}.jpg")
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = snapshot.path.with_suffix(".part")
        temporary.write_bytes(data)
        # A crash mid-write must not leave a half JPEG under the final name.
        temporary.replace(snapshot.path)
        return snapshot

    def save_in_progress(
        self,
        data: bytes,
        zone: str | None,
        device_id: str | None,
        when: datetime,
        run_id: str | None = None,
    ) -> Snapshot:
        """Save a frame with a record that its recognition has started; blocking."""
        snapshot = self.save(data, zone, when)
        self.write_record(
            snapshot,
            {
                "status": IN_PROGRESS,
                "run_id": run_id,
                "zone": zone,
                "device_id": device_id,
                "time": when.isoformat(),
            },
        )
        return snapshot

    @property
    def index_path(self) -> Path:
        """The run history's index file."""
        return self.folder / INDEX_NAME

    def _stem_from_index(self, run_id: str) -> str | None:
        try:
            lines = self.index_path.read_text().splitlines()
        except OSError:
            return None
        needle = json.dumps(run_id)
        for line in reversed(lines):
            if needle not in line:
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry.get("run_id") == run_id:
                return str(entry["stem"])
        return None

    def find_run(self, run_id: str) -> tuple[Snapshot, dict[str, Any]] | None:
        """The snapshot and record of run ``run_id`` (still within the retention); blocking.

        The index names the run's files; runs it does not know (records of older versions, a
        run still in progress) are searched for record by record.
        """
        if not self.folder.is_dir():
            return None
        if (stem := self._stem_from_index(run_id)) is not None:
            try:
                record = json.loads((self.folder / f"{stem}.json").read_text())
            except OSError, ValueError:
                pass
            else:
                if record.get("run_id") == run_id:
                    return self._snapshot(f"{stem}.jpg"), record
        for path in sorted(self.folder.glob("*.json"), reverse=True):
            try:
                record = json.loads(path.read_text())
            except OSError, ValueError:
                continue
            if record.get("run_id") == run_id:
                return self._snapshot(path.with_suffix(".jpg").name), record
        return None

    def write_record(self, snapshot: Snapshot, record: dict[str, Any]) -> None:
        """Write the JSON record beside a snapshot (atomically); blocking."""
        path = snapshot.path.with_suffix(".json")
        temporary = path.with_suffix(".part")
        full = {"status": DONE} | record
        temporary.write_text(json.dumps(full, default=str))
        temporary.replace(path)
        if full["status"] == DONE:
            self._append_index(index_line(snapshot.path.stem, full))
            self._write_manifest(snapshot.path.stem, full)

    def images_of(self, stem: str) -> list[tuple[str, str]]:
        """The stored images of run ``stem``, as (role, file name): what its manifest hashes."""
        return [("snapshot", f"{stem}.jpg"), ("annotated", f"{stem}{ANNOTATED_SUFFIX}.jpg")]

    def _write_manifest(self, stem: str, record: dict[str, Any] | None = None) -> None:
        """Write run ``stem``'s manifest (see evidence.py), from its record when not given."""
        try:
            if record is None:
                record = json.loads((self.folder / f"{stem}.json").read_text())
                if not isinstance(record, dict) or record.get("status") != DONE:
                    return  # not recorded yet: the record's write hashes both images
            evidence.write_manifest(self.folder, stem, record, self.images_of(stem))
        except (OSError, ValueError) as err:
            LOGGER.warning("The manifest of %s could not be written: %s", stem, err)

    def _append_index(self, line: dict[str, Any]) -> None:
        try:
            with index_lock(self.folder), self.index_path.open("a") as index:
                index.write(json.dumps(line, default=str) + "\n")
        except OSError as err:
            LOGGER.warning("The run history could not note run %s: %s", line["run_id"], err)

    def rebuild_index(self) -> int:
        """Write the index from every finished run record (older versions kept none); blocking."""
        with index_lock(self.folder):
            lines = []
            for path in sorted(self.folder.glob("*.json")):
                try:
                    record = json.loads(path.read_text())
                except OSError, ValueError:
                    continue
                if record.get("status") == DONE and record.get("run_id"):
                    lines.append(json.dumps(index_line(path.stem, record), default=str))
            temporary = self.index_path.with_suffix(".part")
            temporary.write_text("".join(f"{line}\n" for line in lines))
            temporary.replace(self.index_path)
        return len(lines)

    def _compact_index(self) -> None:
        """Drop the index lines of runs whose files were pruned; blocking."""
        with index_lock(self.folder):
            try:
                lines = self.index_path.read_text().splitlines()
            except FileNotFoundError:
                return
            kept = []
            for line in lines:
                try:
                    stem = json.loads(line)["stem"]
                except ValueError, KeyError, TypeError:
                    continue
                if (self.folder / f"{stem}.json").exists():
                    kept.append(line)
            temporary = self.index_path.with_suffix(".part")
            temporary.write_text("".join(f"{line}\n" for line in kept))
            temporary.replace(self.index_path)

    def face_crop(self, run_id: str, index: int) -> bytes:
        """Face ``index`` of run ``run_id``, cut from that run's snapshot (JPEG); blocking.

        Raises a translated ServiceValidationError when the run or the face is not there.
        """
        found = self.find_run(run_id)
        if found is None or not found[0].path.is_file():
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="run_not_found",
                translation_placeholders={"run_id": run_id},
            )
        snapshot, record = found
        faces = record.get("faces") or []
        if index >= len(faces):
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="face_not_found",
                translation_placeholders={
                    "run_id": run_id,
                    "index": str(index),
                    "count": str(len(faces)),
                },
            )
        box = faces[index]["bounding_box"]
        image = decode(snapshot.path.read_bytes())
        return crop(
            image,
            crop_box(image, BoundingBox(box["left"], box["top"], box["width"], box["height"])),
        )

    def thumbnail(self, name: str) -> Path | None:
        """A small JPEG of snapshot ``name``, made once and kept beside it; blocking."""
        if (source := self.path_of(name)) is None:
            return None
        target = source.with_name(f"{source.stem}{THUMBNAIL_SUFFIX}.jpg")
        if target.is_file():
            return target
        with Image.open(source) as image:
            # JPEG draft mode decodes at a fraction of the size: far faster for big frames.
            image.draft("RGB", (THUMBNAIL_SIDE * 2, THUMBNAIL_SIDE * 2))
            small = ImageOps.exif_transpose(image).convert("RGB")
            small.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
        buffer = io.BytesIO()
        small.save(buffer, format="JPEG", quality=80)
        temporary = target.with_suffix(".part")
        temporary.write_bytes(buffer.getvalue())
        temporary.replace(target)
        return target

    def in_progress(self) -> list[tuple[Snapshot, dict[str, Any]]]:
        """Snapshots whose recognition never finished; blocking."""
        found: list[tuple[Snapshot, dict[str, Any]]] = []
        if not self.folder.is_dir():
            return found
        for path in sorted(self.folder.glob("*.json")):
            try:
                record = json.loads(path.read_text())
            except OSError, ValueError:
                continue
            if record.get("status") == IN_PROGRESS:
                found.append((self._snapshot(path.with_suffix(".jpg").name), record))
        return found

    def delete(self, snapshot: Snapshot) -> None:
        """Delete a snapshot and its record (a burst frame that was not chosen); blocking."""
        snapshot.path.unlink(missing_ok=True)
        snapshot.path.with_suffix(".json").unlink(missing_ok=True)

    def annotated(self, original: Snapshot) -> Snapshot:
        """Where the boxed-and-labelled copy of ``original`` goes."""
        return self._snapshot(original.path.stem + ANNOTATED_SUFFIX + ".jpg")

    def write(self, snapshot: Snapshot, data: bytes) -> None:
        """Write bytes to a snapshot path; blocking."""
        self.folder.mkdir(parents=True, exist_ok=True)
        snapshot.path.write_bytes(data)
        stem = snapshot.path.stem.removesuffix(ANNOTATED_SUFFIX)
        if stem != snapshot.path.stem:
            # An annotated copy written after its run was recorded: the manifest hashes it too.
            self._write_manifest(stem)

    def prune(self, retention: timedelta) -> int:
        """Delete snapshots older than ``retention``; returns how many. Blocking.

        Evidence (see evidence.py) is kept, whatever its age, until an administrator releases it.
        """
        if not self.folder.is_dir():
            return 0
        cutoff = time.time() - retention.total_seconds()
        stale: list[Path] = []
        for file in self.folder.iterdir():
            if file.name in (INDEX_NAME, PANEL_NAME, evidence.EVIDENCE_STATE):
                continue
            # One file that cannot be read or deleted must not keep the others forever.
            try:
                if file.is_file() and file.stat().st_mtime < cutoff:
                    stale.append(file)
            except OSError as err:
                LOGGER.warning("Could not read the old snapshot %s: %s", file.name, err)
        kept, released = evidence.kept_stems(
            self.folder, {evidence.run_stem(file.name) for file in stale}
        )
        removed = 0
        for file in stale:
            if evidence.run_stem(file.name) in kept:
                continue
            try:
                file.unlink(missing_ok=True)
                removed += 1
            except OSError as err:
                LOGGER.warning("Could not delete the old snapshot %s: %s", file.name, err)
        try:
            evidence.forget_released(self.folder, released)
        except OSError as err:
            LOGGER.warning("The evidence state could not be updated: %s", err)
        if removed:
            try:
                self._compact_index()
            except OSError as err:
                LOGGER.warning("The run history index could not be pruned: %s", err)
        return removed
