"""The account config flow: user, reauth, reconfigure and options steps, every error path."""

from __future__ import annotations

import asyncio
from typing import Any
from unittest.mock import AsyncMock, patch

from botocore.exceptions import ConnectTimeoutError, EndpointConnectionError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.intruder_alert.const import (
    CONF_ACCESS_KEY_ID,
    CONF_BACKEND,
    CONF_BLACKLIST_COLLECTION,
    CONF_BLACKLIST_THRESHOLD,
    CONF_FAIL_MODE,
    CONF_PRICE_PER_CALL,
    CONF_REGION,
    CONF_S3_BUCKET,
    CONF_SECRET_ACCESS_KEY,
    CONF_SNAPSHOT_RETENTION_DAYS,
    CONF_WHITELIST_COLLECTION,
    CONF_WHITELIST_THRESHOLD,
    DOMAIN,
    LOCAL_REQUIREMENTS,
    Backend,
)
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.helpers.translation import async_get_translations
from homeassistant.requirements import RequirementsNotFound

from .conftest import (
    ACCESS_KEY_ID,
    ACCOUNT_ID,
    BLACKLIST,
    ENTRY_DATA,
    REGION,
    SECRET_ACCESS_KEY,
    UNIQUE_ID,
    WHITELIST,
    AwsStubs,
)

FLOW = "custom_components.intruder_alert.config_flow"
USER_INPUT = {
    CONF_ACCESS_KEY_ID: ACCESS_KEY_ID,
    CONF_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
    CONF_REGION: REGION,
    CONF_WHITELIST_COLLECTION: WHITELIST,
    CONF_BLACKLIST_COLLECTION: BLACKLIST,
}


async def _start(hass: HomeAssistant) -> dict[str, Any]:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["aws", "local"]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "aws"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "aws"
    assert result["errors"] == {}
    return result


async def test_user_reuses_existing_collections(hass: HomeAssistant, aws: AwsStubs) -> None:
    """Valid credentials and existing collections create the entry and name the face model."""
    result = await _start(hass)
    aws.caller_identity()
    aws.collection_exists(WHITELIST, faces=4)
    aws.collection_exists(BLACKLIST, faces=2)
    aws.setup_ok()

    result = await hass.config_entries.flow.async_configure(result["flow_id"], USER_INPUT)
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == f"Intruder Alert ({REGION})"
    assert result["data"] == ENTRY_DATA
    assert result["result"].unique_id == UNIQUE_ID
    assert result["description"] == "collections_ready"
    assert result["description_placeholders"] == {
        "whitelist": f"{WHITELIST} (reused, 4 faces, face model 7.0)",
        "blacklist": f"{BLACKLIST} (reused, 2 faces, face model 7.0)",
    }
    assert result["result"].state is ConfigEntryState.LOADED


async def test_user_creates_missing_collections(hass: HomeAssistant, aws: AwsStubs) -> None:
    """Missing collections are created with CreateCollection; the bucket is probed."""
    result = await _start(hass)
    aws.caller_identity()
    aws.collection_missing_then_created(WHITELIST)
    aws.collection_missing_then_created(BLACKLIST)
    bucket = "my-enrolment-bucket"
    for method in ("put_object", "delete_object"):
        aws.add_response(
            "s3",
            method,
            {},
            {
                "Bucket": bucket,
                "Key": "intruder-alert/probe",
                **({"Body": b""} if method == "put_object" else {}),
            },
        )
    aws.setup_ok()

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**USER_INPUT, CONF_S3_BUCKET: f" {bucket} "}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_S3_BUCKET] == bucket
    assert (
        result["description_placeholders"]["whitelist"] == f"{WHITELIST} (created, face model 7.0)"
    )


def _sts_error(code: str, status: int) -> Any:
    return lambda aws: aws.error("sts", "get_caller_identity", code, status)


def _rekognition_error(code: str, status: int, message: str = "") -> Any:
    def queue(aws: AwsStubs) -> None:
        aws.caller_identity()
        aws.error("rekognition", "describe_collection", code, status, message)

    return queue


def _connection_error(aws: AwsStubs) -> None:
    aws.fail_next("sts", "GetCallerIdentity", EndpointConnectionError(endpoint_url="https://sts"))


def _timeout(aws: AwsStubs) -> None:
    aws.caller_identity()
    aws.fail_next(
        "rekognition", "DescribeCollection", ConnectTimeoutError(endpoint_url="https://rek")
    )


def _bucket_missing(aws: AwsStubs) -> None:
    aws.account_ok()
    aws.error("s3", "put_object", "NoSuchBucket", 404)


def _unexpected(aws: AwsStubs) -> None:
    aws.fail_next("sts", "GetCallerIdentity", RuntimeError("boom"))


@pytest.mark.parametrize(
    ("queue", "user_input", "errors", "placeholders"),
    [
        (_sts_error("InvalidClientTokenId", 403), {}, {"base": "invalid_auth"}, {}),
        (_sts_error("SignatureDoesNotMatch", 403), {}, {"base": "invalid_auth"}, {}),
        (
            _rekognition_error(
                "AccessDeniedException",
                400,
                "User: arn:aws:iam::123456789012:user/x is not authorized to perform: "
                "rekognition:DescribeCollection on resource: collection",
            ),
            {},
            {"base": "access_denied"},
            {"permission": "rekognition:DescribeCollection"},
        ),
        (_rekognition_error("ThrottlingException", 400), {}, {"base": "cannot_connect"}, {}),
        (_rekognition_error("InternalServerError", 500), {}, {"base": "cannot_connect"}, {}),
        (_connection_error, {}, {"base": "cannot_connect"}, {}),
        (_timeout, {}, {"base": "cannot_connect"}, {}),
        (
            _bucket_missing,
            {CONF_S3_BUCKET: "missing-bucket"},
            {CONF_S3_BUCKET: "bucket_not_found"},
            {},
        ),
        (
            _rekognition_error("InvalidParameterException", 400, "bad"),
            {},
            {"base": "unknown"},
            {"error": "InvalidParameterException: bad"},
        ),
        (_unexpected, {}, {"base": "unknown"}, {}),
    ],
)
async def test_user_errors_then_recovers(
    hass: HomeAssistant,
    aws: AwsStubs,
    queue: Any,
    user_input: dict[str, Any],
    errors: dict[str, str],
    placeholders: dict[str, str],
) -> None:
    """Each AWS failure is a translated form error; fixing it creates the entry."""
    result = await _start(hass)
    queue(aws)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**USER_INPUT, **user_input}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    assert result["description_placeholders"] == placeholders

    aws.account_ok()
    aws.setup_ok()
    result = await hass.config_entries.flow.async_configure(result["flow_id"], USER_INPUT)
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_region_not_supported(hass: HomeAssistant, aws: AwsStubs) -> None:
    """A typed region without Rekognition, which AWS cannot be reached in, is named as such."""
    result = await _start(hass)
    aws.caller_identity()
    aws.fail_next(
        "rekognition",
        "DescribeCollection",
        EndpointConnectionError(endpoint_url="https://rekognition.mx-central-1.amazonaws.com"),
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**USER_INPUT, CONF_REGION: "mx-central-1"}
    )
    assert result["errors"] == {CONF_REGION: "region_not_supported"}


@pytest.mark.parametrize(
    ("user_input", "errors"),
    [
        ({CONF_REGION: "Ireland"}, {CONF_REGION: "invalid_region"}),
        (
            {CONF_WHITELIST_COLLECTION: "family photos"},
            {CONF_WHITELIST_COLLECTION: "invalid_collection_id"},
        ),
        ({CONF_BLACKLIST_COLLECTION: WHITELIST}, {CONF_BLACKLIST_COLLECTION: "same_collections"}),
        ({CONF_S3_BUCKET: "Not_A_Bucket"}, {CONF_S3_BUCKET: "invalid_bucket"}),
    ],
)
async def test_user_input_errors_call_nothing(
    hass: HomeAssistant, aws: AwsStubs, user_input: dict[str, Any], errors: dict[str, str]
) -> None:
    """Input that cannot be right is refused before AWS is asked (no stubbed answer is queued)."""
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**USER_INPUT, **user_input}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors


async def test_user_form_lists_rekognition_regions(hass: HomeAssistant) -> None:
    """The region selector offers the regions where Rekognition runs, not every AWS region."""
    result = await _start(hass)
    selector = result["data_schema"].schema[CONF_REGION]
    options = selector.config["options"]
    assert "eu-west-1" in options
    assert "us-gov-west-1" in options
    assert "eu-north-1" not in options  # an AWS region without Rekognition


async def test_already_configured(
    hass: HomeAssistant, aws: AwsStubs, config_entry: MockConfigEntry
) -> None:
    """The same account, region and collections cannot be added twice."""
    result = await _start(hass)
    aws.account_ok()
    result = await hass.config_entries.flow.async_configure(result["flow_id"], USER_INPUT)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_reauth(hass: HomeAssistant, aws: AwsStubs, config_entry: MockConfigEntry) -> None:
    """New credentials of the same account replace the old ones and reload the entry."""
    result = await config_entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"
    assert result["description_placeholders"]["account_id"] == ACCOUNT_ID

    aws.error("sts", "get_caller_identity", "InvalidClientTokenId", 403)
    new = {CONF_ACCESS_KEY_ID: "AKIANEWKEYEXAMPLE000", CONF_SECRET_ACCESS_KEY: "new-secret"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], new)
    assert result["errors"] == {"base": "invalid_auth"}

    aws.account_ok()
    aws.setup_ok()
    result = await hass.config_entries.flow.async_configure(result["flow_id"], new)
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert config_entry.data[CONF_ACCESS_KEY_ID] == "AKIANEWKEYEXAMPLE000"
    assert config_entry.data[CONF_SECRET_ACCESS_KEY] == "new-secret"
    assert config_entry.state is ConfigEntryState.LOADED


async def test_reauth_other_account(
    hass: HomeAssistant, aws: AwsStubs, config_entry: MockConfigEntry
) -> None:
    """Credentials of another AWS account are refused and the entry keeps its own."""
    result = await config_entry.start_reauth_flow(hass)
    aws.account_ok(account_id="999999999999")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ACCESS_KEY_ID: "AKIAOTHER", CONF_SECRET_ACCESS_KEY: "other"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert config_entry.data[CONF_ACCESS_KEY_ID] == ACCESS_KEY_ID


async def test_reconfigure(
    hass: HomeAssistant, aws: AwsStubs, config_entry: MockConfigEntry
) -> None:
    """Region and collections change, the unique id follows, the entry reloads."""
    result = await config_entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_REGION: "us-east-1",
            CONF_WHITELIST_COLLECTION: "same",
            CONF_BLACKLIST_COLLECTION: "same",
        },
    )
    assert result["errors"] == {CONF_BLACKLIST_COLLECTION: "same_collections"}

    aws.caller_identity()
    aws.collection_missing_then_created("home_ok")
    aws.collection_exists("home_bad")
    aws.collection_exists("home_ok")
    aws.collection_exists("home_bad")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_REGION: "us-east-1",
            CONF_WHITELIST_COLLECTION: "home_ok",
            CONF_BLACKLIST_COLLECTION: "home_bad",
        },
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert config_entry.unique_id == f"{ACCOUNT_ID}_us-east-1_home_ok_home_bad"
    assert config_entry.data[CONF_REGION] == "us-east-1"
    assert config_entry.data[CONF_SECRET_ACCESS_KEY] == SECRET_ACCESS_KEY
    assert config_entry.title == "Intruder Alert (us-east-1)"
    assert config_entry.state is ConfigEntryState.LOADED


async def test_reconfigure_onto_another_entry(
    hass: HomeAssistant, aws: AwsStubs, config_entry: MockConfigEntry
) -> None:
    """Reconfiguring into a pair another entry already uses aborts."""
    other = MockConfigEntry(
        domain=DOMAIN,
        data={**ENTRY_DATA, CONF_REGION: "us-east-1"},
        unique_id=f"{ACCOUNT_ID}_us-east-1_{WHITELIST}_{BLACKLIST}",
    )
    other.add_to_hass(hass)
    result = await config_entry.start_reconfigure_flow(hass)
    aws.account_ok()
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_REGION: "us-east-1",
            CONF_WHITELIST_COLLECTION: WHITELIST,
            CONF_BLACKLIST_COLLECTION: BLACKLIST,
        },
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert config_entry.data[CONF_REGION] == REGION


async def test_options(hass: HomeAssistant, loaded_entry: MockConfigEntry, aws: AwsStubs) -> None:
    """Options show defaults, accept new values and reload the entry."""
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    schema = result["data_schema"]({})
    assert schema == {
        CONF_WHITELIST_THRESHOLD: 90.0,
        CONF_BLACKLIST_THRESHOLD: 95.0,
        CONF_FAIL_MODE: "alert",
        CONF_SNAPSHOT_RETENTION_DAYS: 30,
        CONF_PRICE_PER_CALL: 0.001,
        "alarm_budget": 30,
        "local_fallback": False,
        "strangers_days": 14,
        "loitering_count": 3,
        "loitering_hours": 24,
    }
    with pytest.raises(InvalidData) as refused:
        await hass.config_entries.options.async_configure(
            result["flow_id"], {**schema, "alarm_budget": 5}
        )
    assert refused.value.schema_errors == {"alarm_budget": "Value 5.0 is too small"}
    with pytest.raises(InvalidData) as refused:
        await hass.config_entries.options.async_configure(
            result["flow_id"], {**schema, CONF_WHITELIST_THRESHOLD: 40}
        )
    assert refused.value.schema_errors == {CONF_WHITELIST_THRESHOLD: "Value 40.0 is too small"}

    aws.setup_ok()
    new = {
        **schema,
        CONF_WHITELIST_THRESHOLD: 92.5,
        CONF_FAIL_MODE: "unknown",
        CONF_SNAPSHOT_RETENTION_DAYS: 7,
    }
    result = await hass.config_entries.options.async_configure(result["flow_id"], new)
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert loaded_entry.options == new
    assert loaded_entry.state is ConfigEntryState.LOADED


async def _start_offline(hass: HomeAssistant) -> dict[str, Any]:
    """The menu's "On this device", then the confirmation form."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "local"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "local"
    return result


class SlowInstall:
    """Stands in for Home Assistant's pip install: waits until released, then succeeds or fails."""

    def __init__(self, error: Exception | None = None) -> None:
        """Hold every install until ``release``."""
        self.release = asyncio.Event()
        self.error = error
        self.calls: list[tuple[str, list[str]]] = []

    async def __call__(self, hass: HomeAssistant, name: str, requirements: list[str]) -> None:
        """Record the call, wait, then raise ``error`` if any."""
        self.calls.append((name, requirements))
        await self.release.wait()
        if self.error is not None:
            raise self.error


async def test_offline_install_shows_progress(hass: HomeAssistant) -> None:
    """While dlib and its models install, the flow shows progress; then the entry is created."""
    result = await _start_offline(hass)
    install = SlowInstall()
    with (
        patch(f"{FLOW}._offline_libraries_installed", return_value=False),
        patch(f"{FLOW}.async_process_requirements", install),
        patch("custom_components.intruder_alert.async_setup_entry", return_value=True),
    ):
        result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
        assert result["type"] is FlowResultType.SHOW_PROGRESS
        assert result["step_id"] == "install_offline"
        assert result["progress_action"] == "install_offline"
        assert install.calls == [(DOMAIN, LOCAL_REQUIREMENTS)]
        # Asking again while pip still runs shows the same progress and starts nothing new.
        result = await hass.config_entries.flow.async_configure(result["flow_id"])
        assert result["type"] is FlowResultType.SHOW_PROGRESS
        assert len(install.calls) == 1

        install.release.set()
        await hass.async_block_till_done()
        result = await hass.config_entries.flow.async_configure(result["flow_id"])
        await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Intruder Alert (on this device)"
    assert result["data"][CONF_BACKEND] == Backend.LOCAL
    assert result["result"].unique_id == Backend.LOCAL

    translations = await async_get_translations(hass, "en", "config", [DOMAIN])
    progress = translations[f"component.{DOMAIN}.config.progress.install_offline"]
    assert progress.startswith("Installing the offline face recogniser (about 140 MB)")


async def test_offline_libraries_already_installed(hass: HomeAssistant) -> None:
    """Installed libraries (this test environment has them) need no progress screen at all.

    A progress screen whose work ends before the frontend listens for its end keeps spinning
    (seen in the browser): no install task is even started.
    """
    result = await _start_offline(hass)
    with (
        patch(f"{FLOW}.async_process_requirements", AsyncMock()) as install,
        patch("custom_components.intruder_alert.async_setup_entry", return_value=True),
    ):
        result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
        await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    install.assert_not_awaited()

    # A pin that is not the one installed counts as missing.
    with patch(f"{FLOW}.LOCAL_REQUIREMENTS", ["dlib-bin==0.0.1"]):
        from custom_components.intruder_alert.config_flow import _offline_libraries_installed

        assert not _offline_libraries_installed()


@pytest.mark.parametrize(
    ("error", "shown"),
    [
        (RequirementsNotFound(DOMAIN, ["dlib-bin==20.0.1.post1"]), "dlib-bin==20.0.1.post1"),
        (OSError("No space left on device"), "No space left on device"),
    ],
)
async def test_offline_install_failure_aborts(
    hass: HomeAssistant, error: Exception, shown: str
) -> None:
    """A failed install ends the progress in an abort that names the error; nothing is created."""
    result = await _start_offline(hass)
    install = SlowInstall(error)
    with (
        patch(f"{FLOW}._offline_libraries_installed", return_value=False),
        patch(f"{FLOW}.async_process_requirements", install),
    ):
        result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
        assert result["type"] is FlowResultType.SHOW_PROGRESS
        install.release.set()
        await hass.async_block_till_done()
        result = await hass.config_entries.flow.async_configure(result["flow_id"])
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "requirements_failed"
    assert shown in result["description_placeholders"]["error"]
    assert hass.config_entries.async_entries(DOMAIN) == []

    translations = await async_get_translations(hass, "en", "config", [DOMAIN])
    message = translations[f"component.{DOMAIN}.config.abort.requirements_failed"].format(
        **result["description_placeholders"]
    )
    assert message.startswith("The offline recognition libraries could not be installed: ")
    assert shown in message


async def test_offline_options_have_no_fallback(hass: HomeAssistant) -> None:
    """An account on this device has no cloud to fall back from."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        data={
            CONF_BACKEND: Backend.LOCAL,
            CONF_WHITELIST_COLLECTION: WHITELIST,
            CONF_BLACKLIST_COLLECTION: BLACKLIST,
        },
        unique_id=Backend.LOCAL,
    )
    entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    shown = result["data_schema"]({})
    assert "local_fallback" not in shown
    # Nothing is billed on this device.
    assert "price_per_call" not in shown
    assert "alarm_budget" in shown
