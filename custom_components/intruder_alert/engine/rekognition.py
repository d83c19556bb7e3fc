"""The Rekognition side of the engine: one object per account, blocking calls only.

Every public method performs network I/O; the Home Assistant glue runs them in its executor.
"""

from __future__ import annotations

from dataclasses import dataclass
import logging
from typing import Any

from botocore import xform_name
from botocore.exceptions import BotoCoreError, ClientError

from .aws import AwsSettings, create_client, redacted_cause, translate_error
from .errors import AccessDeniedError, AuthError, ConflictError, InvalidRequestError, NotFoundError
from .usage import ApiUsage

_LOGGER = logging.getLogger(__name__)

# Objects this integration writes to the enrolment bucket live under this prefix.
PROBE_PREFIX = "intruder-alert/"


@dataclass(frozen=True)
class CollectionInfo:
    """What a face collection holds and which face model indexed it."""

    collection_id: str
    face_model_version: str
    face_count: int
    user_count: int
    created: bool = False


class Rekognition:
    """A Rekognition account: the clients, the call counter, and the operations."""

    def __init__(self, settings: AwsSettings, usage: ApiUsage | None = None) -> None:
        """Build the boto3 clients (blocking: boto3 loads its service models from disk)."""
        self.settings = settings
        self.usage = usage or ApiUsage()
        self.rekognition = create_client(settings, "rekognition")
        self._sts: Any = None
        self._s3: Any = None
        # Permissions already reported missing (each is logged once per account load).
        self._denied: set[str] = set()

    def _call(self, client: Any, operation: str, **params: Any) -> dict[str, Any]:
        """Call one operation, count it, and map failures to engine errors.

        A call AWS refused before doing anything (bad credentials, a missing permission, a
        collection that does not exist) is counted as a call but not billed. It is counted when
        it ends: a call a run stopped waiting for (a late strangers' search) never shows as
        billed first and refused later. The engine error is chained to AWS's error with its
        message redacted, so a traceback does not show the account id either.
        """
        service = client.meta.service_model.service_name
        billed = True
        try:
            response: dict[str, Any] = getattr(client, xform_name(operation))(**params)
        except (BotoCoreError, ClientError) as err:
            error = translate_error(
                err, service=service, operation=operation, settings=self.settings
            )
            billed = not isinstance(error, (AuthError, AccessDeniedError, NotFoundError))
            raise error from redacted_cause(err)
        finally:
            self.usage.record(operation, billed=billed)
        return response

    @property
    def sts(self) -> Any:
        """STS client, created on first use (only the config flow needs it)."""
        if self._sts is None:
            self._sts = create_client(self.settings, "sts")
        return self._sts

    @property
    def s3(self) -> Any:
        """S3 client, created on first use (only when an enrolment bucket is configured)."""
        if self._s3 is None:
            self._s3 = create_client(self.settings, "s3")
        return self._s3

    def check_bucket(self, bucket: str) -> None:
        """Prove the enrolment bucket exists and that objects can be written and deleted."""
        key = f"{PROBE_PREFIX}probe"
        self._call(self.s3, "PutObject", Bucket=bucket, Key=key, Body=b"")
        self.delete_object(bucket, key)

    def account_id(self) -> str:
        """The AWS account the credentials belong to; also proves the credentials work."""
        return str(self._call(self.sts, "GetCallerIdentity")["Account"])

    def describe_collection(self, collection_id: str) -> CollectionInfo:
        """Describe a collection; raises NotFoundError if it does not exist."""
        response = self._call(self.rekognition, "DescribeCollection", CollectionId=collection_id)
        return CollectionInfo(
            collection_id=collection_id,
            face_model_version=str(response.get("FaceModelVersion", "")),
            face_count=int(response.get("FaceCount", 0)),
            user_count=int(response.get("UserCount", 0)),
        )

    def ensure_collection(self, collection_id: str) -> CollectionInfo:
        """Reuse the collection if it exists, otherwise create it."""
        try:
            return self.describe_collection(collection_id)
        except NotFoundError:
            pass
        response = self._call(self.rekognition, "CreateCollection", CollectionId=collection_id)
        return CollectionInfo(
            collection_id=collection_id,
            face_model_version=str(response.get("FaceModelVersion", "")),
            face_count=0,
            user_count=0,
            created=True,
        )

    # Faces and users. Each method is one API call (or one paginated listing).

    def search_users(self, collection_id: str, jpeg: bytes, threshold: float) -> dict[str, Any]:
        """SearchUsersByImage: match the largest face; the others come back as unsearched.

        QualityFilter NONE: a blurry or dark intruder must still be searched, not skipped as
        "no face"; the similarity threshold is what guards against false matches.
        """
        try:
            return self._call(
                self.rekognition,
                "SearchUsersByImage",
                CollectionId=collection_id,
                Image={"Bytes": jpeg},
                UserMatchThreshold=threshold,
                MaxUsers=1,
                QualityFilter="NONE",
            )
        except InvalidRequestError as err:
            # Some API versions answer a face-free image with InvalidParameterException.
            if err.code == "InvalidParameterException" and "face" in str(err).lower():
                return {"UserMatches": [], "UnsearchedFaces": []}
            raise

    def search_faces(self, collection_id: str, jpeg: bytes, threshold: float) -> dict[str, Any]:
        """SearchFacesByImage: the faces of a collection most like the image's largest face.

        Used on the strangers' collection, whose faces belong to no user. An image without a
        face is an answer without a searched face, not an error.
        """
        try:
            return self._call(
                self.rekognition,
                "SearchFacesByImage",
                CollectionId=collection_id,
                Image={"Bytes": jpeg},
                FaceMatchThreshold=threshold,
                MaxFaces=1,
                QualityFilter="NONE",
            )
        except InvalidRequestError as err:
            # "There are no faces in the image. Should be at least 1."
            if err.code == "InvalidParameterException" and "face" in str(err).lower():
                return {"FaceMatches": []}
            raise

    def detect_faces(self, jpeg: bytes) -> list[dict[str, Any]]:
        """DetectFaces: where the faces of an image are (used to rank burst frames).

        Ranking is optional, so a policy without ``rekognition:DetectFaces`` still recognises
        (the burst's first frame); that is said once, at warning level, not on every alarm.
        """
        try:
            response = self._call(self.rekognition, "DetectFaces", Image={"Bytes": jpeg})
        except AccessDeniedError as err:
            if err.permission not in self._denied:
                self._denied.add(err.permission)
                _LOGGER.warning(
                    "The IAM policy does not allow %s: burst frames cannot be ranked, so the "
                    "first frame of each burst is recognised (see the README's IAM policy)",
                    err.permission,
                )
            raise
        return list(response.get("FaceDetails", []))

    def index_face(
        self,
        collection_id: str,
        image: dict[str, Any],
        external_id: str,
        quality_filter: str = "AUTO",
    ) -> dict[str, Any]:
        """IndexFaces with MaxFaces=1 and the automatic quality filter (enrolment).

        A stranger's face is indexed with ``quality_filter="NONE"``: any face that was searched
        can be remembered.
        """
        return self._call(
            self.rekognition,
            "IndexFaces",
            CollectionId=collection_id,
            Image=image,
            ExternalImageId=external_id,
            MaxFaces=1,
            QualityFilter=quality_filter,
            DetectionAttributes=["DEFAULT"],
        )

    def create_user(self, collection_id: str, user_id: str) -> bool:
        """CreateUser; False when the user already exists."""
        try:
            self._call(self.rekognition, "CreateUser", CollectionId=collection_id, UserId=user_id)
        except ConflictError:
            return False
        return True

    def associate_face(self, collection_id: str, user_id: str, face_id: str) -> dict[str, Any]:
        """AssociateFaces for one face."""
        return self._call(
            self.rekognition,
            "AssociateFaces",
            CollectionId=collection_id,
            UserId=user_id,
            FaceIds=[face_id],
        )

    def delete_user(self, collection_id: str, user_id: str) -> None:
        """DeleteUser (its faces are disassociated, not deleted)."""
        self._call(self.rekognition, "DeleteUser", CollectionId=collection_id, UserId=user_id)

    def delete_faces(self, collection_id: str, face_ids: list[str]) -> None:
        """DeleteFaces, in batches the API accepts."""
        for start in range(0, len(face_ids), 4096):
            self._call(
                self.rekognition,
                "DeleteFaces",
                CollectionId=collection_id,
                FaceIds=face_ids[start : start + 4096],
            )

    def list_users(self, collection_id: str) -> list[dict[str, Any]]:
        """Every user of a collection (ListUsers, all pages)."""
        users: list[dict[str, Any]] = []
        params: dict[str, Any] = {"CollectionId": collection_id, "MaxResults": 500}
        while True:
            page = self._call(self.rekognition, "ListUsers", **params)
            users.extend(page.get("Users", []))
            if not page.get("NextToken"):
                return users
            params["NextToken"] = page["NextToken"]

    def list_faces(self, collection_id: str, user_id: str | None = None) -> list[dict[str, Any]]:
        """Every face of a collection, or of one user (ListFaces, all pages)."""
        faces: list[dict[str, Any]] = []
        params: dict[str, Any] = {"CollectionId": collection_id, "MaxResults": 4096}
        if user_id is not None:
            params["UserId"] = user_id
        while True:
            page = self._call(self.rekognition, "ListFaces", **params)
            faces.extend(page.get("Faces", []))
            if not page.get("NextToken"):
                return faces
            params["NextToken"] = page["NextToken"]

    def put_object(self, bucket: str, key: str, body: bytes) -> None:
        """Upload an enrolment image."""
        self._call(
            self.s3, "PutObject", Bucket=bucket, Key=key, Body=body, ContentType="image/jpeg"
        )

    def delete_object(self, bucket: str, key: str) -> None:
        """Delete an uploaded enrolment image."""
        self._call(self.s3, "DeleteObject", Bucket=bucket, Key=key)
