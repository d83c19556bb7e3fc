"""Remembered strangers: a stable visitor id per unknown face, and how often each was seen.

Every unknown face is searched, in the same moment as the two tiers, in a third collection of
faces that holds only strangers (``<whitelist collection>_strangers``): each of its faces carries
the visitor id as its ``ExternalImageId``. A face that matches one is that visitor again; a face
that matches none is a new visitor, whose face is indexed after the event has fired.

:class:`StrangerMemory` is the bookkeeping, plain JSON kept by the caller: per visitor, the faces
indexed for them and their sightings (run, face, time, face size, sharpness as
:func:`.quality.face_quality` measures it). It forgets
sightings older than the memory's days, and a visitor with none left. Nothing here performs I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
import uuid

from .images import BoundingBox

# A face is that stranger again at this similarity (Rekognition's scale; dlib's "same person"
# distance of 0.6 on the offline backend): the whitelist's default, so two strangers are as
# unlikely to merge as a stranger is to pass as family.
SAME_STRANGER = 90.0
DEFAULT_DAYS = 14
DEFAULT_LOITERING_COUNT = 3
DEFAULT_LOITERING_HOURS = 24
# Faces enrolled from a visitor's best sightings, at most.
ENROL_FACES = 3
# Sightings kept per visitor, at most (the newest): a stranger living in view stays bounded.
MAX_SIGHTINGS = 500


def strangers_collection(whitelist_collection: str) -> str:
    """The strangers' collection of an account: named after its whitelist collection."""
    return f"{whitelist_collection}_strangers"


def new_visitor_id() -> str:
    """A fresh visitor id (also a valid ``ExternalImageId``: ``[a-zA-Z0-9_.\\-:]+``)."""
    return f"visitor-{uuid.uuid4().hex[:12]}"


@dataclass(frozen=True)
class StrangerMatch:
    """A remembered stranger a face matched."""

    visitor_id: str
    face_id: str
    similarity: float


def best_stranger(answer: dict[str, Any], threshold: float = SAME_STRANGER) -> StrangerMatch | None:
    """The best face of a SearchFacesByImage answer at or above ``threshold``, if any."""
    best: StrangerMatch | None = None
    for match in answer.get("FaceMatches", []):
        similarity = float(match.get("Similarity", 0.0))
        face = match.get("Face", {})
        visitor_id, face_id = face.get("ExternalImageId"), face.get("FaceId")
        if (
            visitor_id
            and face_id
            and similarity >= threshold
            and (best is None or similarity > best.similarity)
        ):
            best = StrangerMatch(str(visitor_id), str(face_id), similarity)
    return best


def searched_face(answer: dict[str, Any]) -> BoundingBox | None:
    """Where the face a SearchFacesByImage answer is about is (None: no face)."""
    box = answer.get("SearchedFaceBoundingBox")
    return BoundingBox.from_aws(box) if box else None


@dataclass(frozen=True)
class Visit:
    """What one sighting says about its visitor, as the event carries it."""

    visitor_id: str
    times_seen: int
    first_seen: datetime
    last_seen: datetime
    new: bool
    loitering: bool

    def as_dict(self) -> dict[str, Any]:
        """``visitor_id``, ``times_seen``, ``first_seen``, ``last_seen`` of a face."""
        return {
            "visitor_id": self.visitor_id,
            "times_seen": self.times_seen,
            "first_seen": self.first_seen.isoformat(),
            "last_seen": self.last_seen.isoformat(),
        }


def _when(stamp: float) -> datetime:
    return datetime.fromtimestamp(stamp, UTC)


def _visit(
    visitor_id: str,
    sightings: list[dict[str, Any]],
    now: float,
    loitering_count: int,
    loitering_seconds: float,
) -> Visit:
    """A visitor as their (non-empty) sightings describe them at ``now``."""
    times = [float(sighting["time"]) for sighting in sightings]
    recent = sum(1 for stamp in times if 0 <= now - stamp <= loitering_seconds)
    return Visit(
        visitor_id=visitor_id,
        times_seen=len(sightings),
        first_seen=_when(min(times)),
        last_seen=_when(max(times)),
        new=False,
        loitering=recent >= loitering_count,
    )


class StrangerMemory:
    """Visitors and their sightings: ``{"visitors": {id: {"faces": [...], "sightings": [...]}}}``.

    A sighting is ``{run_id, face_index, time (POSIX seconds), size (face pixels), sharpness}``.
    ``orphans`` lists faces of forgotten visitors whose deletion has not succeeded yet.
    """

    def __init__(self, data: dict[str, Any] | None = None) -> None:
        """Take over the persisted ``data`` (or start empty)."""
        self.data: dict[str, Any] = data if data is not None else {}
        self.data.setdefault("visitors", {})
        self.data.setdefault("orphans", [])

    @property
    def visitors(self) -> dict[str, dict[str, Any]]:
        """Every remembered visitor by id."""
        visitors: dict[str, dict[str, Any]] = self.data["visitors"]
        return visitors

    def __contains__(self, visitor_id: object) -> bool:
        """Whether ``visitor_id`` is remembered."""
        return visitor_id in self.visitors

    def sight(
        self,
        match: StrangerMatch | None,
        run_id: str,
        face_index: int,
        when: float,
        size: float,
        *,
        loitering_count: int = DEFAULT_LOITERING_COUNT,
        loitering_seconds: float = DEFAULT_LOITERING_HOURS * 3600,
    ) -> Visit:
        """Note one unknown face: the visitor it matched, or a new one.

        Seen again in the same run (two faces matching one visitor), a visitor is counted once.
        The sighting is loitering when the visitor has been seen in at least
        ``loitering_count`` runs within ``loitering_seconds`` up to now (this one included).
        """
        # New: nobody matched, so their face is to be indexed (a match already has one).
        new = match is None
        visitor_id = new_visitor_id() if match is None else match.visitor_id
        visitor = self.visitors.setdefault(visitor_id, {"faces": [], "sightings": []})
        if match is not None and match.face_id not in visitor["faces"]:
            # A face of a visitor this memory had lost (or never had): theirs from now on, so
            # it is deleted with them.
            visitor["faces"].append(match.face_id)
        sightings: list[dict[str, Any]] = visitor["sightings"]
        if not any(sighting["run_id"] == run_id for sighting in sightings):
            sightings.append(
                {
                    "run_id": run_id,
                    "face_index": face_index,
                    "time": when,
                    "size": round(size, 1),
                    "sharpness": None,
                }
            )
            del sightings[:-MAX_SIGHTINGS]
        return replace(
            _visit(visitor_id, sightings, when, loitering_count, loitering_seconds), new=new
        )

    def visit(
        self,
        visitor_id: str,
        now: float,
        *,
        loitering_count: int = DEFAULT_LOITERING_COUNT,
        loitering_seconds: float = DEFAULT_LOITERING_HOURS * 3600,
    ) -> Visit | None:
        """What the memory says about a visitor now, without noting a sighting (None: unknown)."""
        sightings = self.visitors.get(visitor_id, {}).get("sightings") or []
        if not sightings:
            return None
        return _visit(visitor_id, sightings, now, loitering_count, loitering_seconds)

    def note_sharpness(self, visitor_id: str, run_id: str, value: float) -> None:
        """Record how sharp the visitor's face of run ``run_id`` was."""
        for sighting in self.visitors.get(visitor_id, {}).get("sightings", []):
            if sighting["run_id"] == run_id:
                sighting["sharpness"] = value

    def add_face(self, visitor_id: str, face_id: str) -> bool:
        """Note a face indexed for ``visitor_id``; False when the visitor was forgotten since."""
        visitor = self.visitors.get(visitor_id)
        if visitor is None:
            return False
        visitor["faces"].append(face_id)
        return True

    def faces_of(self, visitor_id: str) -> list[str]:
        """The face ids indexed for a visitor."""
        return list(self.visitors.get(visitor_id, {}).get("faces", []))

    def times_seen(self, visitor_id: str) -> int:
        """How many runs a visitor was seen in (0: not remembered)."""
        return len(self.visitors.get(visitor_id, {}).get("sightings", []))

    def by_face(self) -> dict[tuple[str, int], str]:
        """The visitor of each remembered sighting, by (run id, face index)."""
        return {
            (str(sighting["run_id"]), int(sighting["face_index"])): visitor_id
            for visitor_id, visitor in self.visitors.items()
            for sighting in visitor["sightings"]
        }

    def sightings_of(self, visitor_id: str) -> list[dict[str, Any]]:
        """A visitor's sightings, oldest first."""
        return [
            dict(sighting) for sighting in self.visitors.get(visitor_id, {}).get("sightings", [])
        ]

    def best_sightings(self, visitor_id: str) -> list[tuple[str, int]]:
        """A visitor's sightings, best face first: (run id, face index).

        A face's worth is its size times its sharpness (the detail it shows); ties go to the
        larger face, then to the newer one. A face whose sharpness was never measured (the
        run's work after the event did not finish) comes last.
        """
        sightings = self.visitors.get(visitor_id, {}).get("sightings", [])

        def worth(sighting: dict[str, Any]) -> tuple[float, float, float]:
            sharp = sighting.get("sharpness")
            size = float(sighting["size"])
            return (-1.0 if sharp is None else size * float(sharp), size, float(sighting["time"]))

        ranked = sorted(sightings, key=worth, reverse=True)
        return [(str(s["run_id"]), int(s["face_index"])) for s in ranked]

    def forget(self, visitor_id: str) -> list[str]:
        """Forget a visitor; returns the face ids to delete from the strangers' collection."""
        visitor = self.visitors.pop(visitor_id, None)
        return list(visitor["faces"]) if visitor else []

    def expire(self, now: float, days: float) -> list[str]:
        """Drop sightings older than ``days``, and visitors with none left.

        Returns the face ids of the forgotten visitors (to delete from the collection).
        """
        cutoff = now - days * 86400
        faces: list[str] = []
        for visitor_id in list(self.visitors):
            visitor = self.visitors[visitor_id]
            visitor["sightings"] = [s for s in visitor["sightings"] if float(s["time"]) >= cutoff]
            if not visitor["sightings"]:
                faces.extend(self.forget(visitor_id))
        return faces

    def add_orphans(self, face_ids: list[str]) -> None:
        """Faces whose deletion failed: tried again at the next expiry."""
        orphans: list[str] = self.data["orphans"]
        orphans.extend(face for face in face_ids if face not in orphans)

    def take_orphans(self) -> list[str]:
        """The faces whose deletion failed before (and forget them: the caller retries).

        A face a visitor has again (they were matched by it since) is theirs, not an orphan.
        """
        orphans: list[str] = self.data["orphans"]
        kept = {face for visitor in self.visitors.values() for face in visitor["faces"]}
        taken = [face for face in orphans if face not in kept]
        orphans.clear()
        return taken

    def forget_all(self) -> list[str]:
        """Forget every visitor; returns every face id to delete."""
        faces = [face for visitor in self.visitors.values() for face in visitor["faces"]]
        self.visitors.clear()
        return faces
