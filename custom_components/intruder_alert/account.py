"""The account: one config entry's engine, settings and shared state (its runtime data)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady

from .const import (
    CONF_ACCESS_KEY_ID,
    CONF_BLACKLIST_COLLECTION,
    CONF_ENDPOINT_URL,
    CONF_REGION,
    CONF_SECRET_ACCESS_KEY,
    CONF_WHITELIST_COLLECTION,
    DOMAIN,
    Tier,
)
from .engine.aws import AwsSettings
from .engine.errors import AccessDeniedError, AuthError, EngineError, NotFoundError
from .engine.rekognition import CollectionInfo, Rekognition

type IntruderAlertConfigEntry = ConfigEntry[IntruderAlertAccount]


def aws_settings(data: Mapping[str, Any]) -> AwsSettings:
    """AWS settings from config entry (or config flow) data."""
    return AwsSettings(
        access_key_id=data[CONF_ACCESS_KEY_ID],
        secret_access_key=data[CONF_SECRET_ACCESS_KEY],
        region=data[CONF_REGION],
        endpoint_url=data.get(CONF_ENDPOINT_URL),
    )


def collection_ids(data: Mapping[str, Any]) -> dict[Tier, str]:
    """The collection of each tier."""
    return {
        Tier.WHITELIST: data[CONF_WHITELIST_COLLECTION],
        Tier.BLACKLIST: data[CONF_BLACKLIST_COLLECTION],
    }


@dataclass
class IntruderAlertAccount:
    """Runtime data of one account entry."""

    rekognition: Rekognition
    collections: dict[Tier, CollectionInfo] = field(default_factory=dict)


async def async_connect_account(
    hass: HomeAssistant, entry: IntruderAlertConfigEntry
) -> IntruderAlertAccount:
    """Build the clients in the executor and prove the account and both collections work."""

    def connect() -> IntruderAlertAccount:
        rekognition = Rekognition(aws_settings(entry.data))
        collections = {
            tier: rekognition.describe_collection(collection_id)
            for tier, collection_id in collection_ids(entry.data).items()
        }
        return IntruderAlertAccount(rekognition=rekognition, collections=collections)

    try:
        return await hass.async_add_executor_job(connect)
    except AuthError as err:
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key="invalid_auth"
        ) from err
    except AccessDeniedError as err:
        # Retried with backoff: fixing the IAM policy is picked up without a manual reload.
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="access_denied",
            translation_placeholders={"permission": err.permission},
        ) from err
    except NotFoundError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="collection_missing",
            translation_placeholders={"error": str(err)},
        ) from err
    except EngineError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="cannot_connect",
            translation_placeholders={"error": str(err)},
        ) from err
