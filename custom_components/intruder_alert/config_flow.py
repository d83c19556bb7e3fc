"""Config flow: the AWS account, its reauthentication, reconfiguration and options."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
import re
from typing import Any

import voluptuous as vol

from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentry,
    ConfigSubentryFlow,
    OptionsFlowWithReload,
    SubentryFlowResult,
)
from homeassistant.const import ATTR_DEVICE_CLASS, CONF_NAME
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.selector import (
    BooleanSelector,
    EntitySelector,
    EntitySelectorConfig,
    EntityWithDeviceFilterSelectorConfig,
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
from homeassistant.requirements import async_process_requirements
from homeassistant.util.package import is_installed

from .const import (
    CONF_ACCESS_KEY_ID,
    CONF_ACCOUNT_ID,
    CONF_ALARM_BUDGET,
    CONF_ALARM_PANEL,
    CONF_BACKEND,
    CONF_BLACKLIST_COLLECTION,
    CONF_BLACKLIST_THRESHOLD,
    CONF_BURST_INTERVAL,
    CONF_BUZZER_PIN,
    CONF_CAMERA_ENTITY,
    CONF_CAMERA_INDEX,
    CONF_CAMERA_RESOLUTION,
    CONF_CAMERA_SOURCE,
    CONF_COOLDOWN,
    CONF_FAIL_MODE,
    CONF_FRAMES,
    CONF_GPIO_BACKEND,
    CONF_LOCAL_FALLBACK,
    CONF_LOITERING_COUNT,
    CONF_LOITERING_HOURS,
    CONF_MOTION_ENTITY,
    CONF_MOTION_PIN,
    CONF_MOTION_SOURCE,
    CONF_PRICE_PER_CALL,
    CONF_RECOGNIZE_ON_MOTION,
    CONF_REGION,
    CONF_S3_BUCKET,
    CONF_SECRET_ACCESS_KEY,
    CONF_SNAPSHOT_RETENTION_DAYS,
    CONF_STRANGERS_DAYS,
    CONF_WHITELIST_COLLECTION,
    CONF_WHITELIST_THRESHOLD,
    DEFAULT_ALARM_BUDGET,
    DEFAULT_BLACKLIST_COLLECTION,
    DEFAULT_BLACKLIST_THRESHOLD,
    DEFAULT_BURST_INTERVAL,
    DEFAULT_CAMERA_RESOLUTION,
    DEFAULT_COOLDOWN,
    DEFAULT_FAIL_MODE,
    DEFAULT_FRAMES,
    DEFAULT_LOITERING_COUNT,
    DEFAULT_LOITERING_HOURS,
    DEFAULT_PRICE_PER_CALL,
    DEFAULT_REGION,
    DEFAULT_SNAPSHOT_RETENTION_DAYS,
    DEFAULT_STRANGERS_DAYS,
    DEFAULT_WHITELIST_COLLECTION,
    DEFAULT_WHITELIST_THRESHOLD,
    DOMAIN,
    GPIO_REQUIREMENTS,
    LOCAL_REQUIREMENTS,
    LOGGER,
    MAX_ALARM_BUDGET,
    MAX_STRANGERS_DAYS,
    MAX_THRESHOLD,
    MIN_ALARM_BUDGET,
    MIN_THRESHOLD,
    SUBENTRY_ZONE,
    Backend,
    CameraSource,
    FailMode,
    GpioBackend,
    MotionSource,
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
from .hardware.picamera import available as picamera_available

# Rekognition's CollectionId pattern; S3's bucket naming rules.
COLLECTION_ID_PATTERN = re.compile(r"^[a-zA-Z0-9_.\-]{1,255}$")
RESOLUTION_PATTERN = re.compile(r"^\d{3,5}x\d{3,5}$")
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

    def __init__(self) -> None:
        """No install of the offline backend's libraries under way yet."""
        self._install_task: asyncio.Task[None] | None = None
        self._install_error = ""

    async def _async_location_schema(self) -> vol.Schema:
        regions = await self.hass.async_add_executor_job(rekognition_regions)
        return _location_schema(regions)

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Choose where faces are recognised: AWS Rekognition or this device."""
        return self.async_show_menu(step_id="user", menu_options=["aws", "local"])

    async def async_step_local(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Recognise on this device: install dlib and its models, then create the account."""
        await self.async_set_unique_id(Backend.LOCAL)
        self._abort_if_unique_id_configured()
        if user_input is None:
            return self.async_show_form(step_id="local", data_schema=vol.Schema({}))
        # Already installed (a second account, a reinstall): no progress screen at all. A
        # progress screen whose work ends before the frontend listens for its end would spin.
        if await self.hass.async_add_executor_job(_offline_libraries_installed):
            return await self.async_step_create_local()
        return await self.async_step_install_offline()

    async def async_step_install_offline(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Install dlib and its models (about 140 MB), showing progress while pip runs.

        Home Assistant calls this step again when the install task is done. Already installed
        libraries finish at once, without a progress screen.
        """
        if self._install_task is None:
            self._install_task = self.hass.async_create_task(
                async_process_requirements(self.hass, DOMAIN, LOCAL_REQUIREMENTS),
                f"{DOMAIN} install offline backend",
            )
        if not self._install_task.done():
            return self.async_show_progress(
                step_id="install_offline",
                progress_action="install_offline",
                progress_task=self._install_task,
            )
        task, self._install_task = self._install_task, None
        try:
            task.result()
        except Exception as err:  # noqa: BLE001 - pip's failure is told to the user, whatever it was
            if not isinstance(err, HomeAssistantError):
                LOGGER.exception("Unexpected error while installing %s", LOCAL_REQUIREMENTS)
            self._install_error = str(err)
            return self.async_show_progress_done(next_step_id="install_failed")
        return self.async_show_progress_done(next_step_id="create_local")

    async def async_step_install_failed(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The libraries could not be installed: say why; nothing is created."""
        return self.async_abort(
            reason="requirements_failed", description_placeholders={"error": self._install_error}
        )

    async def async_step_create_local(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The libraries are installed: create the offline account."""
        self._abort_if_unique_id_configured()
        return self.async_create_entry(
            title="Intruder Alert (on this device)",
            data={
                CONF_BACKEND: Backend.LOCAL,
                CONF_WHITELIST_COLLECTION: DEFAULT_WHITELIST_COLLECTION,
                CONF_BLACKLIST_COLLECTION: DEFAULT_BLACKLIST_COLLECTION,
            },
        )

    async def async_step_aws(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
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
            step_id="aws",
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
        if entry.data.get(CONF_BACKEND) == Backend.LOCAL:
            return self.async_abort(reason="nothing_to_reconfigure")
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

    @classmethod
    @callback
    def async_get_supported_subentry_types(
        cls, config_entry: ConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """Zones are subentries of the account."""
        return {SUBENTRY_ZONE: ZoneSubentryFlow}

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
        vol.Required(CONF_ALARM_BUDGET, default=DEFAULT_ALARM_BUDGET): vol.All(
            NumberSelector(
                NumberSelectorConfig(
                    min=MIN_ALARM_BUDGET,
                    max=MAX_ALARM_BUDGET,
                    step=1,
                    unit_of_measurement="s",
                    mode=NumberSelectorMode.BOX,
                )
            ),
            vol.Coerce(int),
            vol.Range(min=MIN_ALARM_BUDGET, max=MAX_ALARM_BUDGET),
        ),
        vol.Required(CONF_STRANGERS_DAYS, default=DEFAULT_STRANGERS_DAYS): vol.All(
            NumberSelector(
                NumberSelectorConfig(
                    min=0,
                    max=MAX_STRANGERS_DAYS,
                    step=1,
                    unit_of_measurement="days",
                    mode=NumberSelectorMode.BOX,
                )
            ),
            vol.Coerce(int),
            vol.Range(min=0, max=MAX_STRANGERS_DAYS),
        ),
        vol.Required(CONF_LOITERING_COUNT, default=DEFAULT_LOITERING_COUNT): vol.All(
            NumberSelector(
                NumberSelectorConfig(min=2, max=50, step=1, mode=NumberSelectorMode.BOX)
            ),
            vol.Coerce(int),
            vol.Range(min=2, max=50),
        ),
        vol.Required(CONF_LOITERING_HOURS, default=DEFAULT_LOITERING_HOURS): vol.All(
            NumberSelector(
                NumberSelectorConfig(
                    min=1, max=720, step=1, unit_of_measurement="h", mode=NumberSelectorMode.BOX
                )
            ),
            vol.Coerce(int),
            vol.Range(min=1, max=720),
        ),
    }
)


class IntruderAlertOptionsFlow(OptionsFlowWithReload):
    """Tune how strict matching is and what happens on failures."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show and store the options."""
        if user_input is not None:
            return self.async_create_entry(data=user_input)
        schema = OPTIONS_SCHEMA
        if self.config_entry.data.get(CONF_BACKEND) == Backend.LOCAL:
            # Nothing is billed and there is no cloud to fall back from on this device.
            schema = vol.Schema(
                {key: value for key, value in schema.schema.items() if key != CONF_PRICE_PER_CALL}
            )
        else:
            schema = schema.extend(
                {vol.Required(CONF_LOCAL_FALLBACK, default=False): BooleanSelector()}
            )
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(schema, self.config_entry.options),
        )


def _offline_libraries_installed() -> bool:
    """Whether the offline backend's exact pins are installed; blocking (reads metadata)."""
    return all(is_installed(requirement) for requirement in LOCAL_REQUIREMENTS)


async def _async_gpio_problem(hass: HomeAssistant, backend: str) -> tuple[str, str] | None:
    """Why GPIO pins cannot be used here: a form error and its ``error`` placeholder, or None.

    Installs gpiozero and gpiod first (only zones with GPIO pins need them), then opens the chip.
    """
    try:
        await async_process_requirements(hass, DOMAIN, GPIO_REQUIREMENTS)
    except HomeAssistantError as err:
        return "gpio_requirements_failed", str(err)
    if (problem := await hass.async_add_executor_job(_gpio_problem, backend)) is not None:
        return "gpio_unavailable", problem
    return None


def _gpio_problem(backend: str) -> str | None:
    """Why ``backend`` cannot drive GPIO on this host, or None. Blocking (opens the chip)."""
    from .hardware.gpiod_factory import make_factory

    try:
        make_factory(backend).close()
    except Exception as err:  # noqa: BLE001 - any failure means no GPIO here; the form says why
        return str(err)
    return None


PIN_SELECTOR = NumberSelector(
    NumberSelectorConfig(min=0, max=27, step=1, mode=NumberSelectorMode.BOX)
)

# What starts a recognition: someone is there (motion, occupancy, presence, moving), or someone
# opens a way in (door, garage door, opening, window) or forces one (vibration: shock and
# glass-break sensors). Leaks, smoke, batteries and the like are not offered.
MOTION_DEVICE_CLASSES = [
    BinarySensorDeviceClass.MOTION,
    BinarySensorDeviceClass.OCCUPANCY,
    BinarySensorDeviceClass.PRESENCE,
    BinarySensorDeviceClass.MOVING,
    BinarySensorDeviceClass.DOOR,
    BinarySensorDeviceClass.GARAGE_DOOR,
    BinarySensorDeviceClass.OPENING,
    BinarySensorDeviceClass.WINDOW,
    BinarySensorDeviceClass.VIBRATION,
]


def _motion_picker(hass: HomeAssistant, current: str | None) -> EntitySelectorConfig:
    """Binary sensors with a motion-like device class.

    A zone reconfigured whose sensor is not one of them (chosen before the filter, or shown as
    something else since) gets every binary sensor, so its own stays visible and valid.
    """
    if current is not None:
        state = hass.states.get(current)
        if state is None or state.attributes.get(ATTR_DEVICE_CLASS) not in MOTION_DEVICE_CLASSES:
            return EntitySelectorConfig(domain="binary_sensor")
    return EntitySelectorConfig(
        domain="binary_sensor",
        filter=[
            EntityWithDeviceFilterSelectorConfig(
                domain="binary_sensor", device_class=[str(c) for c in MOTION_DEVICE_CLASSES]
            )
        ],
    )


def _camera_picker(hass: HomeAssistant, current: str | None) -> EntitySelectorConfig:
    """Camera entities, without Intruder Alert's own (a Pi camera zone's live view).

    A zone reconfigured that already uses one keeps it.
    """
    ours = sorted(
        entry.entity_id
        for entry in er.async_get(hass).entities.values()
        if entry.platform == DOMAIN and entry.domain == "camera" and entry.entity_id != current
    )
    if not ours:
        return EntitySelectorConfig(domain="camera")
    return EntitySelectorConfig(domain="camera", exclude_entities=ours)


class ZoneSubentryFlow(ConfigSubentryFlow):
    """Add or reconfigure a zone: motion source, camera source, behaviour."""

    def __init__(self) -> None:
        """Start with nothing chosen."""
        self._data: dict[str, Any] = {}
        self._title = ""

    @property
    def _suggested(self) -> Mapping[str, Any]:
        if self.source == SOURCE_RECONFIGURE:
            return dict(self._get_reconfigure_subentry().data)
        return {}

    def _other_zones(self) -> list[ConfigSubentry]:
        current = (
            self._get_reconfigure_subentry().subentry_id
            if self.source == SOURCE_RECONFIGURE
            else None
        )
        return [
            subentry
            for subentry in self._get_entry().subentries.values()
            if subentry.subentry_type == SUBENTRY_ZONE and subentry.subentry_id != current
        ]

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change a zone: the same steps, filled in with its settings."""
        subentry = self._get_reconfigure_subentry()
        self._title = subentry.title
        return await self.async_step_user(user_input)

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Name the zone and pick its kinds of sources."""
        errors: dict[str, str] = {}
        if user_input is not None:
            name = " ".join(str(user_input[CONF_NAME]).split())
            if not name:
                errors[CONF_NAME] = "name_required"
            elif any(zone.title.casefold() == name.casefold() for zone in self._other_zones()):
                errors[CONF_NAME] = "name_exists"
            else:
                self._title = name
                self._data.update(
                    {k: user_input[k] for k in (CONF_MOTION_SOURCE, CONF_CAMERA_SOURCE)}
                )
                return await self.async_step_motion()
        schema = vol.Schema(
            {
                vol.Required(CONF_NAME): TEXT,
                vol.Required(CONF_MOTION_SOURCE, default=MotionSource.ENTITY): SelectSelector(
                    SelectSelectorConfig(
                        options=[source.value for source in MotionSource],
                        translation_key=CONF_MOTION_SOURCE,
                    )
                ),
                vol.Required(CONF_CAMERA_SOURCE, default=CameraSource.ENTITY): SelectSelector(
                    SelectSelectorConfig(
                        options=[source.value for source in CameraSource],
                        translation_key=CONF_CAMERA_SOURCE,
                    )
                ),
            }
        )
        suggested = (
            {CONF_NAME: self._title, **self._suggested} if user_input is None else user_input
        )
        return self.async_show_form(
            # Reconfiguring says so in its title ("Add a zone" would be wrong there).
            step_id="reconfigure" if self.source == SOURCE_RECONFIGURE else "user",
            data_schema=self.add_suggested_values_to_schema(schema, suggested),
            errors=errors,
            last_step=False,
        )

    async def async_step_motion(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """A PIR on a GPIO pin, or an existing motion sensor."""
        gpio = self._data[CONF_MOTION_SOURCE] == MotionSource.GPIO
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            if gpio:
                pin = int(user_input[CONF_MOTION_PIN])
                used = {
                    int(zone.data[key])
                    for zone in self._other_zones()
                    for key in (CONF_MOTION_PIN, CONF_BUZZER_PIN)
                    if zone.data.get(key) is not None
                }
                if pin in used:
                    errors[CONF_MOTION_PIN] = "pin_in_use"
                elif problem := await _async_gpio_problem(self.hass, user_input[CONF_GPIO_BACKEND]):
                    errors[CONF_GPIO_BACKEND], placeholders["error"] = problem
                user_input = {**user_input, CONF_MOTION_PIN: pin}
            if not errors:
                self._data.update(user_input)
                return await self.async_step_camera()
        if gpio:
            schema = vol.Schema(
                {
                    # GPIO17 (physical pin 11) is where most PIR guides wire the sensor.
                    vol.Required(CONF_MOTION_PIN, default=17): PIN_SELECTOR,
                    vol.Required(CONF_GPIO_BACKEND, default=GpioBackend.AUTO): SelectSelector(
                        SelectSelectorConfig(
                            options=[backend.value for backend in GpioBackend],
                            translation_key=CONF_GPIO_BACKEND,
                        )
                    ),
                }
            )
        else:
            schema = vol.Schema(
                {
                    vol.Required(CONF_MOTION_ENTITY): EntitySelector(
                        _motion_picker(self.hass, self._suggested.get(CONF_MOTION_ENTITY))
                    )
                }
            )
        return self.async_show_form(
            step_id="motion_gpio" if gpio else "motion_entity",
            data_schema=self.add_suggested_values_to_schema(schema, user_input or self._suggested),
            errors=errors,
            description_placeholders=placeholders,
            last_step=False,
        )

    async_step_motion_gpio = async_step_motion
    async_step_motion_entity = async_step_motion

    async def async_step_camera(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """The Raspberry Pi camera, or an existing camera entity."""
        picamera = self._data[CONF_CAMERA_SOURCE] == CameraSource.PICAMERA
        errors: dict[str, str] = {}
        if user_input is not None:
            if picamera:
                if not await self.hass.async_add_executor_job(picamera_available):
                    errors["base"] = "picamera_unavailable"
                elif not RESOLUTION_PATTERN.match(user_input[CONF_CAMERA_RESOLUTION]):
                    errors[CONF_CAMERA_RESOLUTION] = "invalid_resolution"
                user_input = {**user_input, CONF_CAMERA_INDEX: int(user_input[CONF_CAMERA_INDEX])}
            if not errors:
                self._data.update(user_input)
                return await self.async_step_behaviour()
        if picamera:
            schema = vol.Schema(
                {
                    vol.Required(CONF_CAMERA_INDEX, default=0): NumberSelector(
                        NumberSelectorConfig(min=0, max=7, step=1, mode=NumberSelectorMode.BOX)
                    ),
                    vol.Required(
                        CONF_CAMERA_RESOLUTION, default=DEFAULT_CAMERA_RESOLUTION
                    ): SelectSelector(
                        SelectSelectorConfig(
                            options=["1280x720", "1920x1080", "2304x1296", "4608x2592"],
                            custom_value=True,
                        )
                    ),
                }
            )
        else:
            schema = vol.Schema(
                {
                    vol.Required(CONF_CAMERA_ENTITY): EntitySelector(
                        _camera_picker(self.hass, self._suggested.get(CONF_CAMERA_ENTITY))
                    )
                }
            )
        return self.async_show_form(
            step_id="camera_picamera" if picamera else "camera_entity",
            data_schema=self.add_suggested_values_to_schema(schema, user_input or self._suggested),
            errors=errors,
            last_step=False,
        )

    async_step_camera_picamera = async_step_camera
    async_step_camera_entity = async_step_camera

    async def async_step_behaviour(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Buzzer, when to recognise, cooldown, bursts, alarm panel."""
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            data = {**user_input}
            buzzer = data.get(CONF_BUZZER_PIN)
            if buzzer is not None:
                data[CONF_BUZZER_PIN] = int(buzzer)
                if data[CONF_BUZZER_PIN] == self._data.get(CONF_MOTION_PIN):
                    errors[CONF_BUZZER_PIN] = "pin_in_use"
                elif self._data[CONF_MOTION_SOURCE] != MotionSource.GPIO and (
                    problem := await _async_gpio_problem(self.hass, GpioBackend.AUTO)
                ):
                    errors[CONF_BUZZER_PIN], placeholders["error"] = problem
            for key in (CONF_COOLDOWN, CONF_FRAMES):
                data[key] = int(data[key])
            if not errors:
                self._data.update(data)
                if self.source == SOURCE_RECONFIGURE:
                    return self.async_update_reload_and_abort(
                        self._get_entry(),
                        self._get_reconfigure_subentry(),
                        title=self._title,
                        data=self._data,
                    )
                return self.async_create_entry(title=self._title, data=self._data)
        schema = vol.Schema(
            {
                vol.Optional(CONF_BUZZER_PIN): PIN_SELECTOR,
                vol.Required(CONF_RECOGNIZE_ON_MOTION, default=True): BooleanSelector(),
                vol.Required(CONF_COOLDOWN, default=DEFAULT_COOLDOWN): NumberSelector(
                    NumberSelectorConfig(
                        min=0,
                        max=3600,
                        step=1,
                        unit_of_measurement="s",
                        mode=NumberSelectorMode.BOX,
                    )
                ),
                vol.Required(CONF_FRAMES, default=DEFAULT_FRAMES): NumberSelector(
                    NumberSelectorConfig(min=1, max=5, step=1, mode=NumberSelectorMode.BOX)
                ),
                vol.Required(CONF_BURST_INTERVAL, default=DEFAULT_BURST_INTERVAL): NumberSelector(
                    NumberSelectorConfig(
                        min=0.1,
                        max=5,
                        step=0.1,
                        unit_of_measurement="s",
                        mode=NumberSelectorMode.BOX,
                    )
                ),
                vol.Optional(CONF_ALARM_PANEL): EntitySelector(
                    EntitySelectorConfig(domain="alarm_control_panel")
                ),
            }
        )
        return self.async_show_form(
            step_id="behaviour",
            data_schema=self.add_suggested_values_to_schema(schema, user_input or self._suggested),
            errors=errors,
            description_placeholders=placeholders,
        )
