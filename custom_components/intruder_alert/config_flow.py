"""Config flow: the AWS account, its reauthentication, reconfiguration and options."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import re
from typing import Any

import voluptuous as vol

from homeassistant.config_entries import ConfigFlow, ConfigFlowResult, OptionsFlowWithReload
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from .const import (
    CONF_ACCESS_KEY_ID,
    CONF_ACCOUNT_ID,
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
    DEFAULT_BLACKLIST_COLLECTION,
    DEFAULT_BLACKLIST_THRESHOLD,
    DEFAULT_FAIL_MODE,
    DEFAULT_PRICE_PER_CALL,
    DEFAULT_REGION,
    DEFAULT_SNAPSHOT_RETENTION_DAYS,
    DEFAULT_WHITELIST_COLLECTION,
    DEFAULT_WHITELIST_THRESHOLD,
    DOMAIN,
    LOGGER,
    MAX_THRESHOLD,
    MIN_THRESHOLD,
    FailMode,
)
from .coordinator import IntruderAlertConfigEntry, aws_settings
from .engine.aws import REGION_PATTERN, rekognition_regions
from .engine.errors import (
    AccessDeniedError,
    AuthError,
    EngineError,
    NotFoundError,
    RegionNotSupportedError,
    UnavailableError,
)
from .engine.rekognition import CollectionInfo, Rekognition

# Rekognition's CollectionId pattern; S3's bucket naming rules.
COLLECTION_ID_PATTERN = re.compile(r"^[a-zA-Z0-9_.\-]{1,255}$")
BUCKET_PATTERN = re.compile(r"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$")

PASSWORD = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
TEXT = TextSelector()

CREDENTIALS_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_ACCESS_KEY_ID): TEXT,
        vol.Required(CONF_SECRET_ACCESS_KEY): PASSWORD,
    }
)


def _location_schema(regions: tuple[str, ...]) -> vol.Schema:
    """Region, collections and bucket: what the reconfigure step may change."""
    return vol.Schema(
        {
            vol.Required(CONF_REGION, default=DEFAULT_REGION): SelectSelector(
                SelectSelectorConfig(
                    options=list(regions),
                    # A region launched after this botocore release can still be typed.
                    custom_value=True,
                    mode=SelectSelectorMode.DROPDOWN,
                    sort=True,
                )
            ),
            vol.Required(CONF_WHITELIST_COLLECTION, default=DEFAULT_WHITELIST_COLLECTION): TEXT,
            vol.Required(CONF_BLACKLIST_COLLECTION, default=DEFAULT_BLACKLIST_COLLECTION): TEXT,
            vol.Optional(CONF_S3_BUCKET): TEXT,
        }
    )


@dataclass(frozen=True)
class AccountCheck:
    """What validating an account found."""

    account_id: str
    whitelist: CollectionInfo
    blacklist: CollectionInfo


def _check_account(data: Mapping[str, Any]) -> AccountCheck:
    """Prove the credentials, create or reuse both collections, probe the bucket. Blocking."""
    rekognition = Rekognition(aws_settings(data))
    account_id = rekognition.account_id()
    whitelist = rekognition.ensure_collection(data[CONF_WHITELIST_COLLECTION])
    blacklist = rekognition.ensure_collection(data[CONF_BLACKLIST_COLLECTION])
    if bucket := data.get(CONF_S3_BUCKET):
        rekognition.check_bucket(bucket)
    return AccountCheck(account_id, whitelist, blacklist)


def _input_errors(data: Mapping[str, Any]) -> dict[str, str]:
    """Errors the form can show without calling AWS."""
    errors: dict[str, str] = {}
    if not REGION_PATTERN.match(data[CONF_REGION]):
        errors[CONF_REGION] = "invalid_region"
    for key in (CONF_WHITELIST_COLLECTION, CONF_BLACKLIST_COLLECTION):
        if not COLLECTION_ID_PATTERN.match(data[key]):
            errors[key] = "invalid_collection_id"
    if data[CONF_WHITELIST_COLLECTION] == data[CONF_BLACKLIST_COLLECTION]:
        errors[CONF_BLACKLIST_COLLECTION] = "same_collections"
    if (bucket := data.get(CONF_S3_BUCKET)) and not BUCKET_PATTERN.match(bucket):
        errors[CONF_S3_BUCKET] = "invalid_bucket"
    return errors


async def _async_check_account(
    hass: HomeAssistant, data: Mapping[str, Any], placeholders: dict[str, str]
) -> tuple[AccountCheck | None, dict[str, str]]:
    """Validate ``data``; on failure return translated form errors and fill ``placeholders``."""
    if errors := _input_errors(data):
        return None, errors
    try:
        return await hass.async_add_executor_job(_check_account, data), {}
    except AuthError:
        return None, {"base": "invalid_auth"}
    except AccessDeniedError as err:
        placeholders["permission"] = err.permission
        return None, {"base": "access_denied"}
    except RegionNotSupportedError:
        return None, {CONF_REGION: "region_not_supported"}
    except NotFoundError:
        # Collections are created when missing, so only the bucket can be missing here.
        return None, {CONF_S3_BUCKET: "bucket_not_found"}
    except UnavailableError:
        return None, {"base": "cannot_connect"}
    except EngineError as err:
        placeholders["error"] = str(err)
        return None, {"base": "unknown"}
    except Exception:  # noqa: BLE001 - the form must answer, whatever went wrong
        LOGGER.exception("Unexpected error while checking the AWS account")
        return None, {"base": "unknown"}


def _unique_id(account_id: str, data: Mapping[str, Any]) -> str:
    """One entry per AWS account, region and collection pair."""
    return "_".join(
        (
            account_id,
            data[CONF_REGION],
            data[CONF_WHITELIST_COLLECTION],
            data[CONF_BLACKLIST_COLLECTION],
        )
    )


def _collections_placeholders(check: AccountCheck) -> dict[str, str]:
    def describe(info: CollectionInfo) -> str:
        state = "created" if info.created else f"reused, {info.face_count} faces"
        return f"{info.collection_id} ({state}, face model {info.face_model_version})"

    return {"whitelist": describe(check.whitelist), "blacklist": describe(check.blacklist)}


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    """Strip whitespace a paste may add and drop an empty optional bucket."""
    cleaned = {
        key: value.strip() if isinstance(value, str) else value for key, value in data.items()
    }
    if not cleaned.get(CONF_S3_BUCKET):
        cleaned.pop(CONF_S3_BUCKET, None)
    return cleaned


class IntruderAlertConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up an AWS account with a whitelist and a blacklist collection."""

    VERSION = 1

    async def _async_location_schema(self) -> vol.Schema:
        regions = await self.hass.async_add_executor_job(rekognition_regions)
        return _location_schema(regions)

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for credentials, region and collections; validate before creating the entry."""
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            user_input = _clean(user_input)
            check, errors = await _async_check_account(self.hass, user_input, placeholders)
            if check is not None:
                await self.async_set_unique_id(_unique_id(check.account_id, user_input))
                self._abort_if_unique_id_configured()
                return self.async_create_entry(
                    title=f"Intruder Alert ({user_input[CONF_REGION]})",
                    data={**user_input, CONF_ACCOUNT_ID: check.account_id},
                    description="collections_ready",
                    description_placeholders=_collections_placeholders(check),
                )
        schema = CREDENTIALS_SCHEMA.extend((await self._async_location_schema()).schema)
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(schema, user_input),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """Start reauthentication when the stored credentials stop working."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for new credentials of the same AWS account."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {"account_id": entry.data[CONF_ACCOUNT_ID]}
        if user_input is not None:
            data = {**entry.data, **_clean(user_input)}
            check, errors = await _async_check_account(self.hass, data, placeholders)
            if check is not None:
                await self.async_set_unique_id(_unique_id(check.account_id, data))
                self._abort_if_unique_id_mismatch(reason="wrong_account")
                return self.async_update_reload_and_abort(entry, data_updates=_clean(user_input))
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=self.add_suggested_values_to_schema(
                CREDENTIALS_SCHEMA, {CONF_ACCESS_KEY_ID: entry.data[CONF_ACCESS_KEY_ID]}
            ),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change region, collections or bucket, keeping the credentials."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            location = _clean(user_input)
            data = {
                **{k: v for k, v in entry.data.items() if k != CONF_S3_BUCKET},
                **location,
            }
            check, errors = await _async_check_account(self.hass, data, placeholders)
            if check is not None:
                unique_id = _unique_id(check.account_id, data)
                other = self.hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, unique_id)
                if other is not None and other.entry_id != entry.entry_id:
                    return self.async_abort(reason="already_configured")
                return self.async_update_reload_and_abort(
                    entry,
                    unique_id=unique_id,
                    title=f"Intruder Alert ({data[CONF_REGION]})",
                    data=data,
                )
        suggested = user_input if user_input is not None else dict(entry.data)
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                await self._async_location_schema(), suggested
            ),
            errors=errors,
            description_placeholders=placeholders,
        )

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: IntruderAlertConfigEntry) -> IntruderAlertOptionsFlow:
        """Options: thresholds, failure handling, retention, price."""
        return IntruderAlertOptionsFlow()


def _threshold_selector() -> NumberSelector:
    return NumberSelector(
        NumberSelectorConfig(
            min=MIN_THRESHOLD,
            max=MAX_THRESHOLD,
            step=0.5,
            unit_of_measurement="%",
            mode=NumberSelectorMode.SLIDER,
        )
    )


OPTIONS_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_WHITELIST_THRESHOLD, default=DEFAULT_WHITELIST_THRESHOLD): vol.All(
            _threshold_selector(), vol.Range(min=MIN_THRESHOLD, max=MAX_THRESHOLD)
        ),
        vol.Required(CONF_BLACKLIST_THRESHOLD, default=DEFAULT_BLACKLIST_THRESHOLD): vol.All(
            _threshold_selector(), vol.Range(min=MIN_THRESHOLD, max=MAX_THRESHOLD)
        ),
        vol.Required(CONF_FAIL_MODE, default=DEFAULT_FAIL_MODE): SelectSelector(
            SelectSelectorConfig(
                options=[mode.value for mode in FailMode], translation_key=CONF_FAIL_MODE
            )
        ),
        vol.Required(
            CONF_SNAPSHOT_RETENTION_DAYS, default=DEFAULT_SNAPSHOT_RETENTION_DAYS
        ): vol.All(
            NumberSelector(
                NumberSelectorConfig(
                    min=1, max=3650, step=1, unit_of_measurement="days", mode=NumberSelectorMode.BOX
                )
            ),
            vol.Coerce(int),
        ),
        vol.Required(CONF_PRICE_PER_CALL, default=DEFAULT_PRICE_PER_CALL): NumberSelector(
            NumberSelectorConfig(
                min=0, max=1, step="any", unit_of_measurement="USD", mode=NumberSelectorMode.BOX
            )
        ),
    }
)


class IntruderAlertOptionsFlow(OptionsFlowWithReload):
    """Tune how strict matching is and what happens on failures."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show and store the options."""
        if user_input is not None:
            return self.async_create_entry(data=user_input)
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                OPTIONS_SCHEMA, self.config_entry.options
            ),
        )
