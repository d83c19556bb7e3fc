"""Snapshots on disk, under Home Assistant's media folder so a media source serves them.

A frame is written before the cloud is asked anything, so an alarm always has its picture, even
when recognition fails or Home Assistant stops halfway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
import json
from pathlib import Path
import time
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util, slugify

from .const import DOMAIN, LOGGER

MEDIA_SOURCE_PREFIX = "media-source://media_source"
IN_PROGRESS = "in_progress"
DONE = "done"


@dataclass(frozen=True)
class Snapshot:
    """A saved frame: where it is on disk and how the media source names it."""

    path: Path
    media_id: str


class SnapshotStore:
    """Snapshots of one account in ``<media>/intruder_alert/<entry id>/``."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Use the ``local`` media directory, like Home Assistant's own media browser."""
        self._media_key = "local"
        media_root = hass.config.media_dirs.get(self._media_key)
        if media_root is None:
            media_root = hass.config.path("media")
        self._root = Path(media_root)
        self._relative = Path(DOMAIN) / entry_id
        self.folder = self._root / self._relative

    def _snapshot(self, name: str) -> Snapshot:
        return Snapshot(
            path=self.folder / name,
            media_id=f"{MEDIA_SOURCE_PREFIX}/{self._media_key}/{(self._relative / name).as_posix()}",
        )

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
