"""Run history of one account, for the Intruder Alert panel: fast, and it survives restarts.

Every finished run's record gets one compact line in ``index.jsonl`` beside the snapshots (see
``snapshots.py``). The history reads that file once, then only what was appended since (one
``stat`` per query), and keeps the runs sorted newest first in memory: the first page of
10,000 runs is a bisect and a short scan, not 10,000 JSON files. Pruning rewrites the index with
the snapshots' retention; the history notices (a new file) and reads it again. Installations
from before the index have it rebuilt from their run records on first use.

The panel's own answers live in ``panel.state`` beside it: which unknown faces were dismissed
("never ask again") or enrolled, and when each person was added (if it was here).
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterator
from dataclasses import dataclass
import json
import threading
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN
from .coordinator import IntruderAlertCoordinator
from .engine.names import user_id_for
from .errors import validation_error
from .snapshots import PANEL_NAME, SnapshotStore

HISTORY_KEY: HassKey[dict[str, RunHistory]] = HassKey(f"{DOMAIN}_history")
UNKNOWN = "unknown"

type Key = tuple[float, str]


def encode_cursor(key: Key) -> str:
    """An opaque page cursor: the sort key of the last run a page showed."""
    return f"{key[0]!r}~{key[1]}"


def decode_cursor(cursor: str) -> Key:
    """The sort key a cursor names (ValueError when it is not one of ours)."""
    stamp, separator, run_id = cursor.partition("~")
    if not separator or not run_id:
        raise ValueError(cursor)
    return float(stamp), run_id


@dataclass(frozen=True, slots=True)
class RunFilter:
    """What a listing keeps; empty fields keep everything."""

    zone: str | None = None
    device_id: str | None = None
    types: frozenset[str] = frozenset()
    verdicts: frozenset[str] = frozenset()
    person: str | None = None
    after: float | None = None
    before: float | None = None

    def matches(self, run: dict[str, Any]) -> bool:
        """Whether ``run`` (an index line) passes."""
        stamp = run["_ts"]
        if self.after is not None and stamp < self.after:
            return False
        if self.before is not None and stamp > self.before:
            return False
        if self.types and run.get("type") not in self.types:
            return False
        if self.verdicts and run.get("verdict") not in self.verdicts:
            return False
        if self.zone is not None and (run.get("zone") or "").casefold() != self.zone.casefold():
            return False
        if self.device_id is not None and run.get("device_id") != self.device_id:
            return False
        if self.person is not None:
            wanted = self.person.casefold()
            return any(wanted in (name or "").casefold() for name in run.get("names") or [])
        return True


class RunHistory:
    """The runs of one account, newest first. Blocking methods: call them in the executor."""

    def __init__(self, store: SnapshotStore) -> None:
        """The history of ``store``'s account; nothing is read yet."""
        self.store = store
        self._lock = threading.Lock()
        self._keys: list[Key] = []
        self._runs: dict[str, dict[str, Any]] = {}
        self._offset = 0
        self._identity: tuple[int, int] | None = None
        self._panel: dict[str, Any] | None = None

    # The index.
    def _reset(self) -> None:
        self._keys = []
        self._runs = {}
        self._offset = 0
        self._identity = None

    def _sync(self) -> None:
        """Read what was appended to the index since the last query (all of it if replaced)."""
        path = self.store.index_path
        try:
            stat = path.stat()
        except FileNotFoundError:
            if not self.store.folder.is_dir():
                self._reset()
                return
            self.store.rebuild_index()
            stat = path.stat()
        identity = (stat.st_dev, stat.st_ino)
        if identity != self._identity or stat.st_size < self._offset:
            self._reset()
            self._identity = identity
        if stat.st_size == self._offset:
            return
        with path.open("rb") as index:
            index.seek(self._offset)
            chunk = index.read()
        # A line still being written is read next time.
        end = chunk.rfind(b"\n") + 1
        self._offset += end
        for raw in chunk[:end].splitlines():
            try:
                line = json.loads(raw)
            except ValueError:
                continue
            if isinstance(line, dict) and line.get("run_id"):
                self._add(line)

    def _add(self, line: dict[str, Any]) -> None:
        run_id = str(line["run_id"])
        if (old := self._runs.get(run_id)) is not None:
            position = bisect_left(self._keys, old["_key"])
            if position < len(self._keys) and self._keys[position] == old["_key"]:
                del self._keys[position]
        when = dt_util.parse_datetime(str(line.get("time") or ""))
        stamp = when.timestamp() if when is not None else 0.0
        key: Key = (stamp, run_id)
        line["_ts"] = stamp
        line["_key"] = key
        self._runs[run_id] = line
        insort(self._keys, key)

    def _newest_first(self, cursor: Key | None = None) -> Iterator[dict[str, Any]]:
        position = len(self._keys) if cursor is None else bisect_left(self._keys, cursor)
        for index in range(position - 1, -1, -1):
            yield self._runs[self._keys[index][1]]

    def page(
        self, run_filter: RunFilter, limit: int, cursor: Key | None = None
    ) -> list[dict[str, Any]]:
        """Up to ``limit`` runs older than ``cursor`` that pass, newest first (index lines)."""
        with self._lock:
            self._sync()
            found = []
            for run in self._newest_first(cursor):
                if run_filter.matches(run):
                    found.append(run)
                    if len(found) >= limit:
                        break
            return found

    def get(self, run_id: str) -> dict[str, Any] | None:
        """The index line of run ``run_id``, if it is still kept."""
        with self._lock:
            self._sync()
            return self._runs.get(run_id)

    def __len__(self) -> int:
        """How many runs are kept."""
        with self._lock:
            self._sync()
            return len(self._keys)

    # The panel's answers.
    def _panel_state(self) -> dict[str, Any]:
        if self._panel is None:
            try:
                loaded = json.loads((self.store.folder / PANEL_NAME).read_text())
            except OSError, ValueError:
                loaded = {}
            self._panel = {
                "dismissed": dict(loaded.get("dismissed") or {}),
                "enrolled": dict(loaded.get("enrolled") or {}),
                "added": dict(loaded.get("added") or {}),
            }
        return self._panel

    def _save_panel(self) -> None:
        state = self._panel_state()
        # Answers about runs that were pruned are of no use any more.
        for part in ("dismissed", "enrolled"):
            state[part] = {run: v for run, v in state[part].items() if run in self._runs}
        self.store.folder.mkdir(parents=True, exist_ok=True)
        path = self.store.folder / PANEL_NAME
        temporary = path.with_suffix(".part")
        temporary.write_text(json.dumps(state))
        temporary.replace(path)

    def _handled(self, run_id: str, index: int) -> str | None:
        """``dismissed`` or ``enrolled`` when the panel has had its answer about that face."""
        state = self._panel_state()
        if index in state["dismissed"].get(run_id, []):
            return "dismissed"
        if str(index) in state["enrolled"].get(run_id, {}):
            return "enrolled"
        return None

    def face_state(self, run_id: str, index: int) -> dict[str, Any]:
        """Whether a face was dismissed, and as whom it was enrolled (if it was)."""
        with self._lock:
            state = self._panel_state()
            return {
                "dismissed": index in state["dismissed"].get(run_id, []),
                "enrolled": state["enrolled"].get(run_id, {}).get(str(index)),
            }

    def _face(self, run_id: str, index: int) -> dict[str, Any]:
        run = self._runs.get(run_id)
        if run is None:
            raise validation_error("run_not_found", run_id=run_id)
        faces = run.get("faces") or []
        if index >= len(faces):
            raise validation_error(
                "face_not_found", run_id=run_id, index=str(index), count=str(len(faces))
            )
        face: dict[str, Any] = faces[index]
        return face

    def dismiss(self, run_id: str, index: int) -> None:
        """Never ask about face ``index`` of run ``run_id`` again."""
        with self._lock:
            self._sync()
            self._face(run_id, index)
            dismissed = self._panel_state()["dismissed"].setdefault(run_id, [])
            if index not in dismissed:
                dismissed.append(index)
            self._save_panel()

    def note_enrolled(self, tier: str, name: str, run_face: tuple[str, int] | None) -> None:
        """Someone was enrolled (from a run's face, if ``run_face``): remember when and whence."""
        with self._lock:
            self._sync()
            state = self._panel_state()
            added = state["added"].setdefault(tier, {})
            added.setdefault(user_id_for(name), dt_util.utcnow().isoformat())
            if run_face is not None:
                run_id, index = run_face
                state["enrolled"].setdefault(run_id, {})[str(index)] = {"tier": tier, "name": name}
            self._save_panel()

    def note_removed(self, tier: str, name: str) -> None:
        """Someone was removed from ``tier``: forget when they were added."""
        with self._lock:
            self._sync()
            self._panel_state()["added"].get(tier, {}).pop(user_id_for(name), None)
            self._save_panel()

    def added(self) -> dict[str, dict[str, str]]:
        """When each person was added, by tier and user id (only those added here)."""
        with self._lock:
            return {tier: dict(people) for tier, people in self._panel_state()["added"].items()}

    def review(self, limit: int) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """Unknown faces not yet enrolled or dismissed, newest first: (run, face) pairs."""
        with self._lock:
            self._sync()
            found: list[tuple[dict[str, Any], dict[str, Any]]] = []
            for run in self._newest_first():
                for face in run.get("faces") or []:
                    if face.get("verdict") != UNKNOWN:
                        continue
                    if self._handled(str(run["run_id"]), int(face["index"])) is None:
                        found.append((run, face))
                        if len(found) >= limit:
                            return found
            return found

    def kept_faces(self, tier: str, name: str) -> list[tuple[str, int]]:
        """Faces of ``name`` in ``tier`` still in a kept snapshot, best first: (run, index).

        First the faces they were enrolled from here, then the faces they were recognised by
        (most similar first).
        """
        with self._lock:
            self._sync()
            wanted = name.casefold()
            enrolled: list[tuple[str, int]] = []
            for run_id, faces in self._panel_state()["enrolled"].items():
                if run_id not in self._runs:
                    continue
                enrolled.extend(
                    (run_id, int(index))
                    for index, who in faces.items()
                    if who.get("tier") == tier and str(who.get("name", "")).casefold() == wanted
                )
            recognised: list[tuple[float, str, int]] = [
                (float(face.get("similarity") or 0), str(run["run_id"]), int(face["index"]))
                for run in self._newest_first()
                for face in run.get("faces") or []
                if face.get("tier") == tier and str(face.get("name") or "").casefold() == wanted
            ]
            recognised.sort(key=lambda item: -item[0])
            seen = set(enrolled)
            return enrolled + [
                (run_id, index) for _, run_id, index in recognised if (run_id, index) not in seen
            ]


def async_history(hass: HomeAssistant, coordinator: IntruderAlertCoordinator) -> RunHistory:
    """The run history of a loaded account (one per account, rebuilt after a reload)."""
    histories = hass.data.setdefault(HISTORY_KEY, {})
    entry_id = coordinator.config_entry.entry_id
    history = histories.get(entry_id)
    if history is None or history.store is not coordinator.snapshots:
        history = histories[entry_id] = RunHistory(coordinator.snapshots)
    return history
