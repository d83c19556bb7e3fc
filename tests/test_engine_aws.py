"""The engine's AWS layer: client configuration and error mapping (no Home Assistant)."""

from __future__ import annotations

from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
)
import pytest

from custom_components.intruder_alert.engine.aws import (
    AwsSettings,
    create_client,
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
