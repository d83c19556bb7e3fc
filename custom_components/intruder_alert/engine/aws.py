"""Building bounded boto3 clients and turning AWS failures into engine errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
import re
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    PartialCredentialsError,
)

from .errors import (
    AccessDeniedError,
    AuthError,
    BadImageError,
    ConflictError,
    EngineError,
    InvalidRequestError,
    NotFoundError,
    RegionNotSupportedError,
    UnavailableError,
)

# Partitions an ordinary AWS account can use; the isolated ones need special networks.
_PUBLIC_PARTITIONS = ("aws", "aws-us-gov")
REGION_PATTERN = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")

_AUTH_CODES = frozenset(
    {
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "ExpiredTokenException",
        "ExpiredToken",
        "InvalidClientTokenId",
        "SignatureDoesNotMatch",
        "InvalidAccessKeyId",
        "IncompleteSignature",
        "MissingAuthenticationToken",
        "MissingAuthenticationTokenException",
        "AuthFailure",
    }
)
_ACCESS_DENIED_CODES = frozenset({"AccessDeniedException", "AccessDenied"})
_NOT_FOUND_CODES = frozenset({"ResourceNotFoundException", "NoSuchBucket", "NoSuchKey"})
_UNAVAILABLE_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "ProvisionedThroughputExceededException",
        "InternalServerError",
        "ServiceUnavailableException",
        "ServiceUnavailable",
        "SlowDown",
        "RequestTimeout",
        "RequestTimeoutException",
    }
)
_BAD_IMAGE_CODES = frozenset({"InvalidImageFormatException", "ImageTooLargeException"})
_PERMISSION_IN_MESSAGE = re.compile(r"perform:\s*([A-Za-z0-9-]+:[A-Za-z0-9]+)")

# What stands in for an ARN or an account id in messages that leave the engine.
REDACTED = "<redacted>"
# An ARN, up to the whitespace, quote or closing punctuation that ends it: AWS's access-denied
# messages name the caller (arn:aws:iam::<account>:user/<name>, arn:aws:sts::<account>:
# assumed-role/<role>/<session>), the resource and the denying policy this way.
_ARN = re.compile(r"\barn:aws[a-z-]*:[^\s\"'`<>]*[^\s\"'`<>.,;:!?)\]}]")
# A 12-digit AWS account id on its own ("account 123456789012", "1234-5678-9012").
_ACCOUNT_ID = re.compile(r"(?<![\d-])\d{4}-?\d{4}-?\d{4}(?![\d-])")


@dataclass(frozen=True, kw_only=True)
class AwsSettings:
    """Where and how to reach AWS. Timeouts bound every call; botocore retries inside them."""

    access_key_id: str
    secret_access_key: str = field(repr=False)
    region: str
    # Only set to reach a Rekognition-compatible server (tests, the offline demo).
    endpoint_url: str | None = None
    connect_timeout: float = 3.0
    read_timeout: float = 5.0
    # botocore's own retries (with exponential backoff) for throttling, 5xx and timeouts.
    max_attempts: int = 3

    def worst_case_seconds(self) -> float:
        """Longest one call can take: every attempt timing out, plus botocore's backoff."""
        backoff = sum(min(1 << attempt, 20) for attempt in range(self.max_attempts - 1))
        return self.max_attempts * (self.connect_timeout + self.read_timeout) + backoff


@cache
def rekognition_regions() -> tuple[str, ...]:
    """Regions where botocore knows an endpoint for Rekognition (reads botocore's data files)."""
    session = boto3.session.Session()
    regions: set[str] = set()
    for partition in _PUBLIC_PARTITIONS:
        regions.update(session.get_available_regions("rekognition", partition))
    return tuple(sorted(regions))


def create_client(settings: AwsSettings, service: str) -> Any:
    """Create a boto3 client with bounded timeouts and retries. Blocking: run in an executor."""
    session = boto3.session.Session(
        aws_access_key_id=settings.access_key_id,
        aws_secret_access_key=settings.secret_access_key,
        region_name=settings.region,
    )
    config = Config(
        connect_timeout=settings.connect_timeout,
        read_timeout=settings.read_timeout,
        retries={"mode": "standard", "total_max_attempts": settings.max_attempts},
        user_agent_extra="intruder-alert",
    )
    endpoint_url = settings.endpoint_url if service == "rekognition" else None
    return session.client(service, config=config, endpoint_url=endpoint_url)


def redact(text: str) -> str:
    """``text`` without ARNs and AWS account ids (they name the account and the IAM user).

    Error codes and permission names (``rekognition:SearchUsersByImage``) stay.
    """
    return _ACCOUNT_ID.sub(REDACTED, _ARN.sub(REDACTED, text))


def redacted_cause(err: Exception) -> Exception:
    """What an engine error is chained to: AWS's error with its message redacted.

    A traceback of an engine error shows its cause; the original ClientError's text carries
    the account id.
    """
    if not isinstance(err, ClientError):
        return err
    error = err.response.get("Error", {})
    response: Any = {
        "Error": {"Code": error.get("Code", ""), "Message": redact(str(error.get("Message", "")))},
        "ResponseMetadata": err.response.get("ResponseMetadata", {}),
    }
    cause: Exception = ClientError(response, err.operation_name)
    return cause


def translate_error(
    err: Exception, *, service: str, operation: str, settings: AwsSettings
) -> EngineError:
    """Map a botocore failure to the engine error the glue acts on.

    Messages are redacted (``redact``): they reach events, sensors, emails and logs.
    """
    if isinstance(err, (NoCredentialsError, PartialCredentialsError)):
        return AuthError(redact(str(err)))
    if isinstance(err, ClientError):
        error = err.response.get("Error", {})
        code = str(error.get("Code", ""))
        raw = str(error.get("Message", "")) or code
        message = redact(raw)
        status = int(err.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
        if code in _AUTH_CODES:
            return AuthError(message)
        if code in _ACCESS_DENIED_CODES:
            found = _PERMISSION_IN_MESSAGE.search(raw)
            permission = found.group(1) if found else f"{service}:{operation}"
            if permission not in message:
                message = f"{message} (missing permission {permission})"
            return AccessDeniedError(permission, f"{code}: {message}")
        if code in _NOT_FOUND_CODES:
            return NotFoundError(operation, message)
        if code in _BAD_IMAGE_CODES:
            return BadImageError(message)
        if code in _UNAVAILABLE_CODES or status >= 500:
            return UnavailableError(f"{code or status}: {message}")
        if code == "ConflictException":
            return ConflictError(f"{code}: {message}", code)
        return InvalidRequestError(f"{code}: {message}", code)
    if isinstance(err, EndpointConnectionError) and (
        service == "rekognition"
        and settings.endpoint_url is None
        and settings.region not in rekognition_regions()
    ):
        return RegionNotSupportedError(settings.region)
    if isinstance(err, BotoCoreError):
        # Connection refused, DNS failure, connect/read timeouts after botocore's retries.
        return UnavailableError(redact(f"{type(err).__name__}: {err}"))
    raise err
