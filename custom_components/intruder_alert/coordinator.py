"""The account coordinator: one config entry's engine, options and shared state.

Nothing is polled while the account works. The coordinator's data (the collections) is refreshed
at setup and after enrolment or removal; listeners are also told after every recognition so the
call counter and cost sensors follow. The account check is a background concern: when it fails
(no internet at boot, a revoked key, a deleted collection), zones keep watching, the account's
sensors are unavailable, a repair issue or reauthentication says what to fix, and the check is
repeated every few minutes until it passes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady, HomeAssistantError
from homeassistant.helpers.storage import Store
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.requirements import async_process_requirements
from homeassistant.util import dt as dt_util

from .const import (
    CONF_ACCESS_KEY_ID,
    CONF_ALARM_BUDGET,
    CONF_BACKEND,
    CONF_BLACKLIST_COLLECTION,
    CONF_BLACKLIST_THRESHOLD,
    CONF_ENDPOINT_URL,
    CONF_FAIL_MODE,
    CONF_LOCAL_FALLBACK,
    CONF_PRICE_PER_CALL,
    CONF_REGION,
    CONF_S3_BUCKET,
    CONF_SECRET_ACCESS_KEY,
    CONF_SNAPSHOT_RETENTION_DAYS,
    CONF_WHITELIST_COLLECTION,
    CONF_WHITELIST_THRESHOLD,
    DEFAULT_ALARM_BUDGET,
    DEFAULT_BLACKLIST_THRESHOLD,
    DEFAULT_FAIL_MODE,
    DEFAULT_PRICE_PER_CALL,
    DEFAULT_SNAPSHOT_RETENTION_DAYS,
    DEFAULT_WHITELIST_THRESHOLD,
    DOMAIN,
    LOCAL_REQUIREMENTS,
    LOGGER,
    Backend,
    FailMode,
    Tier,
)
from .engine.aws import AwsSettings
from .engine.backend import FaceBackend
from .engine.errors import AccessDeniedError, AuthError, EngineError, NotFoundError
from .engine.local import DEFAULT_LOCK_TIMEOUT, LocalFaces
from .engine.people import People
from .engine.recognition import DEFAULT_TIME_BUDGET, Recognizer, Thresholds
from .engine.rekognition import CollectionInfo, Rekognition
from .engine.usage import ApiUsage
from .issues import (
    CHECK,
    async_create_collection_issue,
    async_delete_collection_issue,
    async_report_access_denied,
    async_report_access_granted,
)
from .snapshots import SnapshotStore
from .strangers import (
    FACES_STORE as STRANGER_FACES_STORE,
    MEMORY_STORE as STRANGER_MEMORY_STORE,
    Strangers,
    async_setup_strangers,
)

if TYPE_CHECKING:
    from .zone import Zone

# Seconds to gather enrolment changes into one write of the face store.
FACES_SAVE_DELAY = 2
# How often a failed account check is repeated (zones keep working meanwhile).
ACCOUNT_RETRY_INTERVAL = timedelta(minutes=5)

type IntruderAlertConfigEntry = ConfigEntry[IntruderAlertCoordinator]

# Face stores of an account (embeddings, biometric data): the offline backend's own, the
# offline fallback's of a cloud account, and the remembered strangers' (their embeddings on an
# offline account, and their sightings).
FACE_STORES = ("faces", "fallback_faces", STRANGER_FACES_STORE, STRANGER_MEMORY_STORE)


def face_store_key(entry_id: str, store_name: str) -> str:
    """The Home Assistant storage key of one of an account's face stores."""
    return f"{DOMAIN}.{entry_id}.{store_name}"


def aws_settings(data: Mapping[str, Any]) -> AwsSettings:
    """AWS settings from config entry (or config flow) data."""
    return AwsSettings(
        access_key_id=data[CONF_ACCESS_KEY_ID],
        secret_access_key=data[CONF_SECRET_ACCESS_KEY],
        region=data[CONF_REGION],
        endpoint_url=data.get(CONF_ENDPOINT_URL),
    )


def collection_ids(data: Mapping[str, Any]) -> dict[str, str]:
    """The collection id of each tier."""
    return {
        Tier.WHITELIST: data[CONF_WHITELIST_COLLECTION],
        Tier.BLACKLIST: data[CONF_BLACKLIST_COLLECTION],
    }


@dataclass(frozen=True)
class AccountState:
    """What the account's sensors show about its collections."""

    collections: dict[str, CollectionInfo]


class IntruderAlertCoordinator(DataUpdateCoordinator[AccountState]):
    """Holds the engine of one account and tells entities when something changed."""

    config_entry: IntruderAlertConfigEntry
    backend: FaceBackend
    recognizer: Recognizer
    people: People

    def __init__(self, hass: HomeAssistant, entry: IntruderAlertConfigEntry) -> None:
        """Prepare; the clients are built in ``async_setup_backend``, off the event loop."""
        super().__init__(hass, LOGGER, config_entry=entry, name=DOMAIN, update_interval=None)
        self.snapshots = SnapshotStore(hass, entry.entry_id)
        self._local_stores: list[tuple[Store[dict[str, Any]], LocalFaces]] = []
        # The offline backend standing in when the cloud fails (an option of cloud accounts).
        self.fallback_recognizer: Recognizer | None = None
        self.fallback_people: People | None = None
        # The last run's only unknown face per zone name (key None: runs started by an action
        # without a zone); the value is None when that run had several unknown faces.
        self.last_unknown_faces: dict[str | None, bytes | None] = {}
        # Zones by subentry id, running while the entry is loaded.
        self.zones: dict[str, Zone] = {}
        # Remembered strangers (None when the account's strangers_days option is 0).
        self.strangers: Strangers | None = None

    @property
    def thresholds(self) -> Thresholds:
        """Similarity thresholds from the options."""
        options = self.config_entry.options
        return Thresholds(
            whitelist=float(options.get(CONF_WHITELIST_THRESHOLD, DEFAULT_WHITELIST_THRESHOLD)),
            blacklist=float(options.get(CONF_BLACKLIST_THRESHOLD, DEFAULT_BLACKLIST_THRESHOLD)),
        )

    @property
    def fail_mode(self) -> FailMode:
        """What a failed recognition turns into."""
        return FailMode(self.config_entry.options.get(CONF_FAIL_MODE, DEFAULT_FAIL_MODE))

    @property
    def alarm_budget(self) -> float:
        """Seconds from motion to the event, at most, whatever fails."""
        return float(self.config_entry.options.get(CONF_ALARM_BUDGET, DEFAULT_ALARM_BUDGET))

    @property
    def retention_days(self) -> int:
        """How long snapshots are kept."""
        return int(
            self.config_entry.options.get(
                CONF_SNAPSHOT_RETENTION_DAYS, DEFAULT_SNAPSHOT_RETENTION_DAYS
            )
        )

    @property
    def price_per_call(self) -> float:
        """USD per billed call, for the cost sensor (nothing is billed on this device)."""
        if self.is_local:
            return 0.0
        return float(self.config_entry.options.get(CONF_PRICE_PER_CALL, DEFAULT_PRICE_PER_CALL))

    async def async_setup_backend(self) -> None:
        """Build the backend: boto3 clients in the executor, or dlib on this device.

        Reaches no server: the zones must start even when the cloud cannot be reached.
        """
        data = self.config_entry.data
        collections = collection_ids(data)
        if self.is_local:
            self.backend = await self._async_local_backend(collections)
        else:
            # Count "today" in Home Assistant's time zone, not the host's.
            usage = ApiUsage(today=lambda: dt_util.now().date())
            self.backend = await self.hass.async_add_executor_job(
                Rekognition, aws_settings(data), usage
            )
        self.recognizer = Recognizer(self.backend, collections)
        self.people = People(self.backend, collections, data.get(CONF_S3_BUCKET))
        self.strangers = await async_setup_strangers(self)
        if not self.is_local and self.config_entry.options.get(CONF_LOCAL_FALLBACK):
            fallback = await self._async_local_backend(collections, "fallback_faces")
            self.fallback_recognizer = Recognizer(fallback, collections)
            self.fallback_people = People(fallback, collections)

    @property
    def is_local(self) -> bool:
        """Whether faces are recognised on this device."""
        return self.config_entry.data.get(CONF_BACKEND) == Backend.LOCAL

    async def _async_local_backend(
        self, collections: dict[str, str], store_name: str = "faces"
    ) -> LocalFaces:
        """Dlib on this device, with enrolled embeddings kept in Home Assistant's storage."""
        try:
            await async_process_requirements(self.hass, DOMAIN, LOCAL_REQUIREMENTS)
        except HomeAssistantError as err:
            raise ConfigEntryNotReady(
                translation_domain=DOMAIN,
                translation_key="requirements_failed",
                translation_placeholders={"error": str(err)},
            ) from err
        # Biometric data: written as a private file like other secrets.
        store: Store[dict[str, Any]] = Store(
            self.hass, 1, face_store_key(self.config_entry.entry_id, store_name), private=True
        )
        # Work a run has given up on stops within the alarm budget, so it cannot keep dlib
        # busy for the next zone's run.
        backend = LocalFaces(
            await store.async_load() or {},
            time_budget=min(DEFAULT_TIME_BUDGET, self.alarm_budget),
            lock_timeout=min(DEFAULT_LOCK_TIMEOUT, self.alarm_budget / 2),
        )

        def save_soon() -> None:
            # Called on executor threads after each change: hop to the loop, batch the writes.
            self.hass.loop.call_soon_threadsafe(
                store.async_delay_save, lambda: backend.store, FACES_SAVE_DELAY
            )

        backend.on_change = save_soon
        for collection_id in collections.values():
            await self.hass.async_add_executor_job(backend.ensure_collection, collection_id)
        self._local_stores.append((store, backend))
        return backend

    async def async_flush(self) -> None:
        """Write enrolled faces now (on unload), not after the save delay."""
        for store, backend in self._local_stores:
            await store.async_save(backend.store)

    async def _async_update_data(self) -> AccountState:
        """Describe both collections: proves the account works and counts people."""

        def describe() -> AccountState:
            return AccountState(
                {
                    tier: self.backend.describe_collection(collection_id)
                    for tier, collection_id in collection_ids(self.config_entry.data).items()
                }
            )

        # Until the check passes it is repeated; the zones do not wait for it.
        self.update_interval = ACCOUNT_RETRY_INTERVAL
        try:
            state = await self.hass.async_add_executor_job(describe)
        except AuthError as err:
            # The reauth flow reloads the entry; no point asking AWS again before that.
            self.update_interval = None
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="invalid_auth"
            ) from err
        except AccessDeniedError as err:
            # Retried with backoff: fixing the IAM policy is picked up without a manual reload,
            # and the repair issue naming the action goes when the check passes.
            entry = self.config_entry
            async_report_access_denied(
                self.hass, entry.entry_id, entry.title, CHECK, err.permission
            )
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="access_denied",
                translation_placeholders={"permission": err.permission},
            ) from err
        except NotFoundError as err:
            entry = self.config_entry
            async_create_collection_issue(self.hass, entry.entry_id, entry.title, str(err))
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="collection_missing",
                translation_placeholders={"error": str(err)},
            ) from err
        except EngineError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="cannot_connect",
                translation_placeholders={"error": str(err)},
            ) from err
        self.update_interval = None
        entry = self.config_entry
        async_delete_collection_issue(self.hass, entry.entry_id)
        async_report_access_granted(self.hass, entry.entry_id, entry.title, CHECK)
        return state
