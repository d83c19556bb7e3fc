"""The Rekognition side of the engine: one object per account, blocking calls only.

Every public method performs network I/O; the Home Assistant glue runs them in its executor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore import xform_name

from .aws import AwsSettings, create_client, translate_error
from .errors import NotFoundError
from .usage import ApiUsage

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

    def _call(self, client: Any, operation: str, **params: Any) -> dict[str, Any]:
        """Call one operation, count it, and map failures to engine errors."""
        service = client.meta.service_model.service_name
        self.usage.record(operation)
        try:
            response: dict[str, Any] = getattr(client, xform_name(operation))(**params)
        except Exception as err:
            raise translate_error(
                err, service=service, operation=operation, settings=self.settings
            ) from err
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
        self._call(self.s3, "DeleteObject", Bucket=bucket, Key=key)

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
