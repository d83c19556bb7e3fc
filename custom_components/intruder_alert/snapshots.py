"""Snapshots on disk, private to Home Assistant's administrators.

A frame is written before the cloud is asked anything, so an alarm always has its picture, even
when recognition fails or Home Assistant stops halfway. Snapshots are faces: they live outside
Home Assistant's media folders (which every user can browse) in ``<config>/intruder_alert/
snapshots/<entry id>/``, and are reached through this integration's own media source (for
email attachments) and an authenticated, admin-only view.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
import json
from pathlib import Path
import re
import shutil
import time
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util, slugify

from .const import DOMAIN, LOGGER

MEDIA_SOURCE_PREFIX = f"media-source://{DOMAIN}"
IN_PROGRESS = "in_progress"
DONE = "done"
# What a snapshot's file name looks like (nothing that could leave the folder).
SNAPSHOT_NAME = re.compile(r"[0-9A-Za-z_\-]+\.jpg")


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

    def find_run(self, run_id: str) -> tuple[Snapshot, dict[str, Any]] | None:
        """The snapshot and record of run ``run_id`` (still within the retention); blocking."""
        if not self.folder.is_dir():
            return None
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
        temporary.write_text(json.dumps({"status": DONE} | record, default=str))
        temporary.replace(path)

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
        return self._snapshot(original.path.stem + "_annotated.jpg")

    def write(self, snapshot: Snapshot, data: bytes) -> None:
        """Write bytes to a snapshot path; blocking."""
        self.folder.mkdir(parents=True, exist_ok=True)
        snapshot.path.write_bytes(data)

    def prune(self, retention: timedelta) -> int:
        """Delete snapshots older than ``retention``; returns how many. Blocking."""
        if not self.folder.is_dir():
            return 0
        cutoff = time.time() - retention.total_seconds()
        removed = 0
        for file in self.folder.iterdir():
            # One file that cannot be read or deleted must not keep the others forever.
            try:
                if file.is_file() and file.stat().st_mtime < cutoff:
                    file.unlink(missing_ok=True)
                    removed += 1
            except OSError as err:
                LOGGER.warning("Could not delete the old snapshot %s: %s", file.name, err)
        return removed
