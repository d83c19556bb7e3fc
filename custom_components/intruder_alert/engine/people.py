"""Enrolling, removing and listing people: one Rekognition user per person and tier."""

from __future__ import annotations

from dataclasses import dataclass
import logging
from typing import Any
import uuid

from .backend import FaceBackend
from .errors import EngineError, EnrolmentError, NotFoundError
from .images import BoundingBox, prepare
from .names import name_for, normalize_name, user_id_for
from .rekognition import PROBE_PREFIX, Rekognition

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class Person:
    """An enrolled person."""

    name: str
    user_id: str
    faces: int
    status: str


@dataclass(frozen=True)
class Enrolment:
    """What enrolling one image did."""

    name: str
    user_id: str
    face_id: str
    new_person: bool
    faces: int
    # Where the indexed face is in the image (fractions), when the service said.
    bounding_box: BoundingBox | None = None


class People:
    """Person operations on one account's collections. Blocking: run in an executor."""

    def __init__(
        self, rekognition: FaceBackend, collections: dict[str, str], bucket: str | None = None
    ) -> None:
        """``collections`` maps each tier to its collection id."""
        self.rekognition = rekognition
        self.collections = collections
        self.bucket = bucket

    def enroll(self, tier: str, name: str, data: bytes) -> Enrolment:
        """Index exactly one face of ``data`` as ``name`` in ``tier``.

        Refuses images with no usable face or with several faces. Rekognition counts the faces
        while indexing (IndexFaces with MaxFaces=1 stores the largest and reports the others),
        so a group photo is sent once and its stored face deleted at once; nothing is left
        behind in the collection or the bucket when it refuses or fails.
        """
        collection = self.collections[tier]
        display_name = normalize_name(name)
        user_id = user_id_for(display_name)
        jpeg = prepare(data).jpeg
        response = self._index(collection, jpeg, user_id)
        records = response.get("FaceRecords", [])
        unindexed = response.get("UnindexedFaces", [])
        indexed_ids = [record["Face"]["FaceId"] for record in records]
        if any("EXCEEDS_MAX_FACES" in face.get("Reasons", []) for face in unindexed):
            self._undo(collection, indexed_ids)
            raise EnrolmentError(
                "several_faces",
                f"The image shows {len(records) + len(unindexed)} faces; enrol from a photo of one person.",
            )
        if not records:
            reasons = sorted({reason for face in unindexed for reason in face.get("Reasons", [])})
            if reasons:
                raise EnrolmentError(
                    "face_rejected",
                    "Rekognition found a face but would not index it: " + ", ".join(reasons),
                )
            raise EnrolmentError("no_face", "No face was found in the image.")
        face_id = indexed_ids[0]
        box = records[0]["Face"].get("BoundingBox")
        created = False
        try:
            created = self.rekognition.create_user(collection, user_id)
            association = self.rekognition.associate_face(collection, user_id, face_id)
            failures = association.get("UnsuccessfulFaceAssociations", [])
            if failures:
                reasons = sorted(
                    {reason for failure in failures for reason in failure.get("Reasons", [])}
                )
                raise EnrolmentError(
                    "not_associated",
                    f"Rekognition would not add this face to {display_name}: " + ", ".join(reasons),
                )
        except Exception:
            # Leave the collection as it was: no orphan face, no empty user we made.
            self._undo(collection, indexed_ids, user_id if created else None)
            raise
        faces = len(self.rekognition.list_faces(collection, user_id))
        return Enrolment(
            display_name,
            user_id,
            face_id,
            created,
            faces,
            BoundingBox.from_aws(box) if box else None,
        )

    def _undo(self, collection: str, face_ids: list[str], user_id: str | None = None) -> None:
        """Delete what a refused or failed enrolment stored; a failure here is only logged.

        The caller raises the error that matters (why the enrolment failed), not this one.
        """
        steps: list[tuple[str, Any]] = []
        if face_ids:
            steps.append(
                (
                    f"face {', '.join(face_ids)}",
                    lambda: self.rekognition.delete_faces(collection, face_ids),
                )
            )
        if user_id is not None:
            steps.append(
                (f"user {user_id}", lambda: self.rekognition.delete_user(collection, user_id))
            )
        for what, step in steps:
            try:
                step()
            except EngineError as err:
                _LOGGER.warning(
                    "A failed enrolment left %s in collection %s and it could not be deleted "
                    "(%s); delete it in the AWS console (aws rekognition delete-faces / "
                    "delete-user)",
                    what,
                    collection,
                    err,
                )

    def _index(self, collection: str, jpeg: bytes, user_id: str) -> dict[str, Any]:
        """IndexFaces from bytes, or through the bucket (uploaded, indexed, deleted).

        The delete is tried whatever happened before it: an upload that timed out may still
        have been stored. A delete that fails is logged, not raised: the face is indexed (or
        the real error is on its way), and the bucket's lifecycle rule removes the photo.
        """
        service = self.rekognition
        if not self.bucket or not isinstance(service, Rekognition):
            return service.index_face(collection, {"Bytes": jpeg}, user_id)
        key = f"{PROBE_PREFIX}enrol/{uuid.uuid4().hex}.jpg"
        try:
            service.put_object(self.bucket, key, jpeg)
            return service.index_face(
                collection, {"S3Object": {"Bucket": self.bucket, "Name": key}}, user_id
            )
        finally:
            # The seed's privacy step: the photo does not outlive its indexing.
            try:
                service.delete_object(self.bucket, key)
            except EngineError as err:
                _LOGGER.warning(
                    "The enrolment photo s3://%s/%s could not be deleted (%s); the bucket's "
                    "lifecycle rule removes it (see the README)",
                    self.bucket,
                    key,
                    err,
                )

    def remove(self, tier: str, name: str) -> int:
        """Delete a person and their faces; returns how many faces were deleted."""
        collection = self.collections[tier]
        user_id = user_id_for(name)
        if not any(
            user.get("UserId") == user_id for user in self.rekognition.list_users(collection)
        ):
            raise NotFoundError(
                f"person:{user_id}", f"{normalize_name(name)} is not enrolled in the {tier}."
            )
        face_ids = [face["FaceId"] for face in self.rekognition.list_faces(collection, user_id)]
        self.rekognition.delete_user(collection, user_id)
        if face_ids:
            self.rekognition.delete_faces(collection, face_ids)
        return len(face_ids)

    def list(self, tier: str) -> list[Person]:
        """Everyone enrolled in ``tier`` with their face counts."""
        collection = self.collections[tier]
        counts: dict[str, int] = {}
        for face in self.rekognition.list_faces(collection):
            if user_id := face.get("UserId"):
                counts[user_id] = counts.get(user_id, 0) + 1
        return sorted(
            (
                Person(
                    name=name_for(user["UserId"]),
                    user_id=user["UserId"],
                    faces=counts.get(user["UserId"], 0),
                    status=user.get("UserStatus", ""),
                )
                for user in self.rekognition.list_users(collection)
            ),
            key=lambda person: person.name.casefold(),
        )
