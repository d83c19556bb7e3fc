"""What the recogniser and enrolment need from a face service (Rekognition or local)."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from .rekognition import CollectionInfo
from .usage import ApiUsage


class FaceBackend(Protocol):
    """The calls, with Rekognition's answer shapes, that every backend provides."""

    usage: ApiUsage

    def describe_collection(self, collection_id: str) -> CollectionInfo:
        """What a collection holds."""

    def ensure_collection(self, collection_id: str) -> CollectionInfo:
        """Reuse or create a collection."""

    def detect_faces(self, jpeg: bytes) -> list[dict[str, Any]]:
        """Where the faces of an image are."""

    def search_users(self, collection_id: str, jpeg: bytes, threshold: float) -> dict[str, Any]:
        """SearchUsersByImage."""

    def search_faces(self, collection_id: str, jpeg: bytes, threshold: float) -> dict[str, Any]:
        """SearchFacesByImage (the largest face against a collection's faces)."""

    def index_face(
        self,
        collection_id: str,
        image: dict[str, Any],
        external_id: str,
        quality_filter: str = "AUTO",
    ) -> dict[str, Any]:
        """IndexFaces of the largest face."""

    def create_user(self, collection_id: str, user_id: str) -> bool:
        """CreateUser; False when it exists."""

    def associate_face(self, collection_id: str, user_id: str, face_id: str) -> dict[str, Any]:
        """AssociateFaces."""

    def delete_user(self, collection_id: str, user_id: str) -> None:
        """DeleteUser."""

    def delete_faces(self, collection_id: str, face_ids: list[str]) -> None:
        """DeleteFaces."""

    def list_users(self, collection_id: str) -> list[dict[str, Any]]:
        """ListUsers."""

    def list_faces(self, collection_id: str, user_id: str | None = None) -> list[dict[str, Any]]:
        """ListFaces."""


@runtime_checkable
class SearchesEveryFace(Protocol):
    """A backend that matches every face of an image in one call.

    Rekognition's SearchUsersByImage matches the largest face only, so the recogniser crops the
    others and searches each crop. A backend that has every face's embedding at hand anyway
    (the local one) answers for all faces at once: no crops, no second detection.
    """

    def search_every_face(
        self, collection_id: str, jpeg: bytes, threshold: float
    ) -> list[dict[str, Any]]:
        """One SearchUsersByImage-shaped answer per face, largest face first."""

    def search_faces_every_face(
        self, collection_id: str, jpeg: bytes, threshold: float
    ) -> list[dict[str, Any]]:
        """One SearchFacesByImage-shaped answer per face, in ``search_every_face``'s order."""
