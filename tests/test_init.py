"""Setting up and unloading an account entry."""

from __future__ import annotations

from botocore.exceptions import ReadTimeoutError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.intruder_alert.const import Tier
from custom_components.intruder_alert.coordinator import ACCOUNT_RETRY_INTERVAL
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.core import HomeAssistant

from .conftest import BLACKLIST, WHITELIST, AwsStubs


async def test_setup_and_unload(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, aws: AwsStubs
) -> None:
    """Setup checks both collections with bounded clients; unload releases the entry."""
    assert loaded_entry.state is ConfigEntryState.LOADED
    coordinator = loaded_entry.runtime_data
    assert coordinator.data.collections[Tier.WHITELIST].collection_id == WHITELIST
    assert coordinator.data.collections[Tier.BLACKLIST].face_model_version == "7.0"
    assert coordinator.backend.usage.today() == {"DescribeCollection": 2}

    # The clients were built with bounded timeouts and retries.
    config = aws.clients["rekognition"].meta.config
    assert config.connect_timeout == 3.0
    assert config.read_timeout == 5.0
    assert config.retries == {"mode": "standard", "total_max_attempts": 3}

    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    assert loaded_entry.state is ConfigEntryState.NOT_LOADED


async def test_bad_credentials_start_reauth(
    hass: HomeAssistant, config_entry: MockConfigEntry, aws: AwsStubs
) -> None:
    """Credentials AWS rejects start the reauth flow; the account still loads (its zones watch)."""
    aws.error("rekognition", "describe_collection", "UnrecognizedClientException", 400)
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    assert config_entry.state is ConfigEntryState.LOADED
    assert not config_entry.runtime_data.last_update_success
    flows = hass.config_entries.flow.async_progress_by_handler("intruder_alert")
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_transient_failures_are_told_and_retried(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    aws: AwsStubs,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A timeout at start-up: the account loads, says why in the log, and checks again later."""
    aws.fail_next(
        "rekognition", "DescribeCollection", ReadTimeoutError(endpoint_url="https://rekognition")
    )
    await hass.config_entries.async_setup(config_entry.entry_id)
    assert config_entry.state is ConfigEntryState.LOADED
    assert "Could not reach AWS Rekognition" in caplog.text
    assert "zones keep watching" in caplog.text
    assert config_entry.runtime_data.update_interval == ACCOUNT_RETRY_INTERVAL


async def test_missing_permission_is_named(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    aws: AwsStubs,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A missing IAM permission is named; the check repeats so a fixed policy is picked up."""
    aws.error(
        "rekognition",
        "describe_collection",
        "AccessDeniedException",
        400,
        "User: arn:aws:iam::1:user/x is not authorized to perform: rekognition:DescribeCollection",
    )
    await hass.config_entries.async_setup(config_entry.entry_id)
    assert config_entry.state is ConfigEntryState.LOADED
    assert "rekognition:DescribeCollection" in caplog.text
    assert config_entry.runtime_data.update_interval == ACCOUNT_RETRY_INTERVAL


async def test_deleted_collection(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    aws: AwsStubs,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A collection deleted behind our back is named (and a repair issue raised)."""
    aws.collection_exists(WHITELIST)
    aws.error("rekognition", "describe_collection", "ResourceNotFoundException", 400, BLACKLIST)
    await hass.config_entries.async_setup(config_entry.entry_id)
    assert config_entry.state is ConfigEntryState.LOADED
    assert BLACKLIST in caplog.text
