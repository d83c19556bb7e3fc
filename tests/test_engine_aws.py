"""The engine's AWS layer: client configuration and error mapping (no Home Assistant)."""

from __future__ import annotations

import re

from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
)
import pytest

from custom_components.intruder_alert.engine.aws import (
    REDACTED,
    AwsSettings,
    create_client,
    redact,
    redacted_cause,
    rekognition_regions,
    translate_error,
)
from custom_components.intruder_alert.engine.errors import (
    AccessDeniedError,
    AuthError,
    BadImageError,
    InvalidRequestError,
    NotFoundError,
    RegionNotSupportedError,
    UnavailableError,
)

SETTINGS = AwsSettings(access_key_id="AKIA", secret_access_key="secret", region="eu-west-1")


def _client_error(code: str, status: int = 400, message: str = "") -> ClientError:
    return ClientError(
        {
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": {"HTTPStatusCode": status},
        },
        "Op",
    )


def test_settings_hide_the_secret() -> None:
    """The secret key is not in the settings' repr (what a traceback or log would show)."""
    assert "secret" not in repr(SETTINGS)


def test_worst_case_is_bounded() -> None:
    """One call cannot take longer than every attempt timing out plus backoff."""
    assert SETTINGS.worst_case_seconds() == 3 * (3.0 + 5.0) + 1 + 2


def test_client_is_bounded() -> None:
    """Clients carry our timeouts and botocore's standard retries with a total cap."""
    client = create_client(SETTINGS, "rekognition")
    assert client.meta.region_name == "eu-west-1"
    assert client.meta.config.connect_timeout == 3.0
    assert client.meta.config.read_timeout == 5.0
    assert client.meta.config.retries == {"mode": "standard", "total_max_attempts": 3}


def test_custom_endpoint_only_for_rekognition() -> None:
    """A Rekognition-compatible server replaces Rekognition only."""
    settings = AwsSettings(
        access_key_id="a",
        secret_access_key="b",
        region="eu-west-1",
        endpoint_url="http://127.0.0.1:1",
    )
    assert create_client(settings, "rekognition").meta.endpoint_url == "http://127.0.0.1:1"
    assert "amazonaws.com" in create_client(settings, "sts").meta.endpoint_url


def test_regions() -> None:
    """Regions come from botocore's endpoint data for Rekognition, public partitions only."""
    regions = rekognition_regions()
    assert {"us-east-1", "eu-west-1", "us-gov-west-1"} <= set(regions)
    assert "eu-north-1" not in regions
    assert not any(region.startswith("us-isof") for region in regions)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (_client_error("UnrecognizedClientException"), AuthError),
        (_client_error("ExpiredTokenException"), AuthError),
        (NoCredentialsError(), AuthError),
        (_client_error("ResourceNotFoundException"), NotFoundError),
        (_client_error("ThrottlingException"), UnavailableError),
        (_client_error("ProvisionedThroughputExceededException"), UnavailableError),
        (_client_error("SomethingNew", 503), UnavailableError),
        (_client_error("InvalidImageFormatException"), BadImageError),
        (_client_error("ImageTooLargeException"), BadImageError),
        (_client_error("InvalidParameterException"), InvalidRequestError),
        (ReadTimeoutError(endpoint_url="x"), UnavailableError),
        (ConnectTimeoutError(endpoint_url="x"), UnavailableError),
        (EndpointConnectionError(endpoint_url="x"), UnavailableError),
    ],
)
def test_error_mapping(error: Exception, expected: type[Exception]) -> None:
    """Every AWS failure becomes one of the few errors the glue acts on."""
    mapped = translate_error(error, service="rekognition", operation="Op", settings=SETTINGS)
    assert type(mapped) is expected


def test_access_denied_names_the_permission() -> None:
    """The missing permission comes from AWS's message, or else from the operation."""
    named = translate_error(
        _client_error(
            "AccessDeniedException",
            message="is not authorized to perform: rekognition:IndexFaces on",
        ),
        service="rekognition",
        operation="Op",
        settings=SETTINGS,
    )
    assert isinstance(named, AccessDeniedError)
    assert named.permission == "rekognition:IndexFaces"
    fallback = translate_error(
        _client_error("AccessDenied"), service="s3", operation="PutObject", settings=SETTINGS
    )
    assert isinstance(fallback, AccessDeniedError)
    assert fallback.permission == "s3:PutObject"


def test_region_without_rekognition() -> None:
    """No Rekognition endpoint in an unknown region is 'not supported', not a network outage."""
    settings = AwsSettings(access_key_id="a", secret_access_key="b", region="eu-north-1")
    err = EndpointConnectionError(endpoint_url="https://rekognition.eu-north-1.amazonaws.com")
    assert isinstance(
        translate_error(err, service="rekognition", operation="Op", settings=settings),
        RegionNotSupportedError,
    )
    assert isinstance(
        translate_error(err, service="sts", operation="Op", settings=settings), UnavailableError
    )


def test_unknown_exceptions_propagate() -> None:
    """Programming errors are not disguised as AWS failures."""
    with pytest.raises(ZeroDivisionError):
        translate_error(
            ZeroDivisionError(), service="rekognition", operation="Op", settings=SETTINGS
        )


ACCOUNT = re.compile(r"\d{12}|\d{4}-\d{4}-\d{4}")


@pytest.mark.parametrize(
    ("message", "permission"),
    [
        # An IAM user without the permission (identity-based policy).
        (
            "User: arn:aws:iam::123456789012:user/intruder-alert is not authorized to perform: "
            "rekognition:SearchUsersByImage on resource: "
            "arn:aws:rekognition:eu-west-1:123456789012:collection/intruder_alert_whitelist "
            "because no identity-based policy allows the rekognition:SearchUsersByImage action",
            "rekognition:SearchUsersByImage",
        ),
        # Credentials of an assumed role (a role session), denied explicitly by a named policy.
        (
            "User: arn:aws:sts::123456789012:assumed-role/HomeAssistant/ha-session is not "
            "authorized to perform: rekognition:IndexFaces on resource: "
            "arn:aws:rekognition:us-east-1:123456789012:collection/intruder_alert_blacklist "
            "with an explicit deny in an identity-based policy: "
            "arn:aws:iam::123456789012:policy/DenyFaces",
            "rekognition:IndexFaces",
        ),
        # An organisation's service control policy; no resource for DetectFaces.
        (
            "User: arn:aws-us-gov:iam::123456789012:user/pi is not authorized to perform: "
            "rekognition:DetectFaces with an explicit deny in a service control policy",
            "rekognition:DetectFaces",
        ),
        # S3 quotes the resource.
        (
            "User: arn:aws:iam::123456789012:user/pi is not authorized to perform: s3:PutObject "
            'on resource: "arn:aws:s3:::my-bucket/intruder-alert/probe" because no '
            "identity-based policy allows the s3:PutObject action",
            "s3:PutObject",
        ),
        # The account id on its own, in either spelling.
        ("Access denied for account 123456789012 (1234-5678-9012).", "rekognition:Op"),
    ],
)
def test_access_denied_messages_are_redacted(message: str, permission: str) -> None:
    """The error keeps the code's meaning and the missing permission, never the account id.

    Its message reaches the event's reason, the sensors, the owner's email and the log.
    """
    error = translate_error(
        _client_error("AccessDeniedException", message=message),
        service="rekognition",
        operation="Op",
        settings=SETTINGS,
    )
    assert isinstance(error, AccessDeniedError)
    assert error.permission == permission
    assert str(error).startswith("AccessDeniedException: ")
    assert permission in str(error)
    assert REDACTED in str(error)
    assert not ACCOUNT.search(str(error))
    assert "intruder-alert" not in str(error).replace("s3:::", "")  # the IAM user name is gone


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            _client_error(
                "ResourceNotFoundException",
                message="Collection arn:aws:rekognition:eu-west-1:123456789012:collection/wl "
                "not found",
            ),
            NotFoundError,
        ),
        (
            _client_error(
                "InvalidS3ObjectException",
                message="Unable to get object metadata from S3 for account 123456789012.",
            ),
            InvalidRequestError,
        ),
        (_client_error("ThrottlingException", message="Rate exceeded for 123456789012"), Exception),
        (
            _client_error(
                "ExpiredTokenException",
                message="The token for arn:aws:sts::123456789012:assumed-role/r/s has expired.",
            ),
            AuthError,
        ),
    ],
)
def test_every_aws_message_is_redacted(error: ClientError, expected: type[Exception]) -> None:
    """Not only access denied: every message taken from AWS loses ARNs and account ids."""
    mapped = translate_error(error, service="rekognition", operation="Op", settings=SETTINGS)
    assert isinstance(mapped, expected)
    assert not ACCOUNT.search(str(mapped))
    assert REDACTED in str(mapped)


def test_redact_keeps_what_helps() -> None:
    """Codes, permissions, names and ordinary numbers stay; only ARNs and account ids go."""
    text = "ThrottlingException: rekognition:DetectFaces failed 3 times in 20 s (request 42)."
    assert redact(text) == text
    assert redact("see arn:aws:iam::123456789012:user/pi.") == "see <redacted>."
    assert redact("(arn:aws:sts::123456789012:assumed-role/r/s)") == "(<redacted>)"
    assert redact("id 1234567890123 is not an account") == "id 1234567890123 is not an account"


def test_redacted_cause() -> None:
    """The AWS error an engine error is chained to carries the redacted message too."""
    original = _client_error(
        "AccessDeniedException",
        message="User: arn:aws:iam::123456789012:user/pi is not authorized to perform: "
        "rekognition:ListFaces",
    )
    cause = redacted_cause(original)
    assert isinstance(cause, ClientError)
    assert cause.response["Error"]["Code"] == "AccessDeniedException"
    assert "rekognition:ListFaces" in str(cause)
    assert not ACCOUNT.search(str(cause))
    timeout = ReadTimeoutError(endpoint_url="x")
    assert redacted_cause(timeout) is timeout
