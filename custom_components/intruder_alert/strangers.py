"""Remembered strangers in Home Assistant: visitor ids, sightings, loitering, expiry, enrolment.

Every unknown face is searched, beside the two tiers, in the account's strangers' collection
(``<whitelist collection>_strangers``: Rekognition's on a cloud account, created on the first
stranger; embeddings in Home Assistant's private storage on an offline account). Before the event
fires, each unknown face gets its visitor id and how often that visitor was seen; the run is
``loitering`` instead of ``unknown_person`` when one of its strangers was seen at least the
loitering count of times within the loitering hours. After the event, a new stranger's face is
indexed (one IndexFaces call) and each sighting's face size and sharpness are kept, so the best
faces can enrol the visitor later.

Sightings live in ``.storage/intruder_alert.<entry id>.strangers``; a sighting older than the
``strangers_days`` option is dropped, and a visitor with none left is forgotten, their faces
deleted from the collection (checked every hour). Turning the option to 0 forgets everyone.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import (
    CONF_BACKEND,
    CONF_LOITERING_COUNT,
    CONF_LOITERING_HOURS,
    CONF_STRANGERS_DAYS,
    CONF_WHITELIST_COLLECTION,
    DEFAULT_LOITERING_COUNT,
    DEFAULT_LOITERING_HOURS,
    DEFAULT_STRANGERS_DAYS,
    DOMAIN,
    LOGGER,
    Backend,
)
from .engine.backend import FaceBackend
from .engine.errors import EngineError, InvalidNameError, NotFoundError
from .engine.images import BoundingBox, PreparedImage, crop, crop_box
from .engine.local import DEFAULT_LOCK_TIMEOUT, LocalFaces
from .engine.names import normalize_name
from .engine.quality import face_quality
from .engine.recognition import DEFAULT_TIME_BUDGET, MIN_CROP_OVERLAP, StrangerSearch
from .engine.strangers import ENROL_FACES, StrangerMemory, Visit, strangers_collection
from .errors import validation_error

if TYPE_CHECKING:
    from .coordinator import IntruderAlertCoordinator
    from .pipeline import Outcome

# Storage of an account: the sightings, and (offline accounts) the strangers' embeddings.
MEMORY_STORE = "strangers"
FACES_STORE = "stranger_faces"
STORE_VERSION = 1
# Seconds to gather changes into one write of the sightings.
SAVE_DELAY = 5
EXPIRY_INTERVAL = timedelta(hours=1)
ATTR_VISITOR_ID = "visitor_id"
# The image sources of enroll_face other than a visitor.
_OTHER_SOURCES = ("camera_entity_id", "image_path", "device_id", "zone", "run_id")


def _store(hass: HomeAssistant, entry_id: str, name: str) -> Store[dict[str, Any]]:
    # The key of the coordinator's face stores (face_store_key, which imports this module), so
    # removing the account deletes both (FACE_STORES lists them).
    return Store(hass, STORE_VERSION, f"{DOMAIN}.{entry_id}.{name}", private=True)


class Strangers:
    """One account's remembered strangers: the sightings and the strangers' collection."""

    def __init__(
        self,
        hass: HomeAssistant,
        coordinator: IntruderAlertCoordinator,
        backend: FaceBackend,
        memory: StrangerMemory,
    ) -> None:
        """Remember strangers of ``coordinator``'s account, their faces in ``backend``."""
        self.hass = hass
        self.coordinator = coordinator
        self.backend = backend
        self.memory = memory
        entry = coordinator.config_entry
        self.collection_id = strangers_collection(entry.data[CONF_WHITELIST_COLLECTION])
        options = entry.options
        self.days = int(options.get(CONF_STRANGERS_DAYS, DEFAULT_STRANGERS_DAYS))
        self.loitering_count = int(options.get(CONF_LOITERING_COUNT, DEFAULT_LOITERING_COUNT))
        self.loitering_hours = float(options.get(CONF_LOITERING_HOURS, DEFAULT_LOITERING_HOURS))
        self._store = _store(hass, entry.entry_id, MEMORY_STORE)

    @property
    def search(self) -> StrangerSearch:
        """Where the recogniser searches remembered strangers."""
        return StrangerSearch(self.backend, self.collection_id)

    @callback
    def save_soon(self) -> None:
        """Write the sightings within a few seconds (changes are gathered)."""
        self._store.async_delay_save(lambda: self.memory.data, SAVE_DELAY)

    async def async_flush(self) -> None:
        """Write the sightings now (on unload)."""
        await self._store.async_save(self.memory.data)

    @callback
    def note(self, outcome: Outcome, frame: PreparedImage, *, record: bool) -> None:
        """Give each unknown face of a run its visitor; mark the run loitering if one is.

        ``record`` False (a test call): faces of remembered strangers say who they are, and
        nothing is noted.
        """
        width, height = frame.size
        loitering = False
        for index, face in enumerate(outcome.faces):
            if not face.stranger_checked:
                continue
            visit: Visit | None
            if record:
                visit = self.memory.sight(
                    face.stranger,
                    outcome.run_id,
                    index,
                    outcome.time.timestamp(),
                    face.box.width * width * face.box.height * height,
                    loitering_count=self.loitering_count,
                    loitering_seconds=self.loitering_hours * 3600,
                )
            elif face.stranger is not None:
                visit = self.memory.visit(
                    face.stranger.visitor_id,
                    outcome.time.timestamp(),
                    loitering_count=self.loitering_count,
                    loitering_seconds=self.loitering_hours * 3600,
                )
            else:
                visit = None
            if visit is not None:
                outcome.faces[index] = replace(face, visit=visit)
                loitering = loitering or (record and visit.loitering)
        outcome.loitering = loitering
        if record:
            self.save_soon()

    async def async_after_event(self, frame: PreparedImage, outcome: Outcome) -> None:
        """Index each new stranger's face, and note how sharp every sighting's face was.

        Runs after the event fired; a failure is logged (the visitor stays, unsearchable until
        seen again as a new one).
        """
        # The faces this run noted (a test call notes none).
        seen = [
            (face, face.visit)
            for face in outcome.faces
            if face.visit is not None and self._noted(face.visit, outcome.run_id)
        ]
        if not seen:
            return

        def work() -> tuple[dict[str, float], dict[str, str]]:
            sharp = {}
            indexed = {}
            for face, visit in seen:
                sharp[visit.visitor_id] = face_quality(frame.image, face.box).sharpness
                if visit.new and (face_id := self._index(frame, face.box, visit.visitor_id)):
                    indexed[visit.visitor_id] = face_id
            return sharp, indexed

        sharp, indexed = await self.hass.async_add_executor_job(work)
        for visitor_id, value in sharp.items():
            self.memory.note_sharpness(visitor_id, outcome.run_id, value)
        for visitor_id, face_id in indexed.items():
            if not self.memory.add_face(visitor_id, face_id):
                # Forgotten meanwhile (enrolled): their new face goes too.
                self.memory.add_orphans([face_id])
        self.save_soon()
        self.coordinator.async_update_listeners()

    def _noted(self, visit: Visit, run_id: str) -> bool:
        """Whether the visitor's sighting in run ``run_id`` was noted."""
        return any(
            sighting["run_id"] == run_id for sighting in self.memory.sightings_of(visit.visitor_id)
        )

    def _index(self, frame: PreparedImage, box: BoundingBox, visitor_id: str) -> str | None:
        """Index one stranger's face, cut from the frame; its face id (None: not indexed).

        Blocking. The collection is created when it does not exist yet. A face indexed from the
        crop that is not this one (a neighbour in the margin) is deleted again.
        """
        region = crop_box(frame.image, box)
        image = {"Bytes": crop(frame.image, region)}
        try:
            try:
                answer = self.backend.index_face(
                    self.collection_id, image, visitor_id, quality_filter="NONE"
                )
            except NotFoundError:
                self.backend.ensure_collection(self.collection_id)
                answer = self.backend.index_face(
                    self.collection_id, image, visitor_id, quality_filter="NONE"
                )
            records = answer.get("FaceRecords", [])
            if not records:
                LOGGER.debug("A stranger's face could not be indexed: no face in the crop")
                return None
            face_id = str(records[0]["Face"]["FaceId"])
            found = BoundingBox.from_aws(records[0]["Face"].get("BoundingBox", {}))
            if found.in_frame(region).overlap(box) < MIN_CROP_OVERLAP:
                self.backend.delete_faces(self.collection_id, [face_id])
                return None
        except EngineError as err:
            LOGGER.warning("A new stranger's face could not be remembered: %s", err)
            return None
        return face_id

    async def async_delete(self, face_ids: list[str]) -> None:
        """Delete faces from the strangers' collection; faces that fail are retried later."""
        if not face_ids:
            return
        try:
            await self.hass.async_add_executor_job(
                self.backend.delete_faces, self.collection_id, face_ids
            )
        except NotFoundError:
            pass  # no collection, no faces
        except EngineError as err:
            LOGGER.warning(
                "%s faces of forgotten strangers could not be deleted yet (%s); tried again "
                "within the hour",
                len(face_ids),
                err,
            )
            self.memory.add_orphans(face_ids)

    async def async_expire(self, _now: datetime | None = None) -> None:
        """Forget sightings older than the days to remember, and visitors with none left."""
        before = len(self.memory.visitors)
        faces = self.memory.expire(dt_util.utcnow().timestamp(), self.days)
        faces += self.memory.take_orphans()
        await self.async_delete(faces)
        if faces or len(self.memory.visitors) != before:
            LOGGER.debug(
                "Forgot %s strangers not seen for %s days",
                before - len(self.memory.visitors),
                self.days,
            )
        self.save_soon()

    async def async_forget(self, visitor_id: str) -> None:
        """Forget one visitor: their sightings and their faces."""
        await self.async_delete(self.memory.forget(visitor_id))
        self.save_soon()

    def lookup(self) -> dict[tuple[str, int], dict[str, Any]]:
        """``{visitor_id, times_seen}`` of each remembered sighting, by (run id, face index)."""
        return {
            key: {"visitor_id": visitor_id, "times_seen": self.memory.times_seen(visitor_id)}
            for key, visitor_id in self.memory.by_face().items()
        }


async def async_setup_strangers(coordinator: IntruderAlertCoordinator) -> Strangers | None:
    """Remember strangers for an account whose option says so; None when it is off.

    Off (0 days), whatever an earlier setting remembered is forgotten: sightings, embeddings and
    the faces in the strangers' collection.
    """
    hass = coordinator.hass
    entry = coordinator.config_entry
    memory_store = _store(hass, entry.entry_id, MEMORY_STORE)
    memory = StrangerMemory(await memory_store.async_load())
    backend: FaceBackend = coordinator.backend
    faces_store: Store[dict[str, Any]] | None = None
    if coordinator.is_local:
        faces_store = _store(hass, entry.entry_id, FACES_STORE)
        local = LocalFaces(
            await faces_store.async_load() or {},
            time_budget=min(DEFAULT_TIME_BUDGET, coordinator.alarm_budget),
            lock_timeout=min(DEFAULT_LOCK_TIMEOUT, coordinator.alarm_budget / 2),
            # The tiers' backend has just looked at the frame: no second look.
            share_faces_with=coordinator.backend
            if isinstance(coordinator.backend, LocalFaces)
            else None,
        )
        local.on_change = _save_soon(hass, faces_store, local)
        backend = local
    strangers = Strangers(hass, coordinator, backend, memory)
    if faces_store is not None:
        await hass.async_add_executor_job(backend.ensure_collection, strangers.collection_id)

        async def flush_faces(store: Store[dict[str, Any]] = faces_store) -> None:
            await store.async_save(local.store)

        entry.async_on_unload(flush_faces)
    if strangers.days <= 0:
        if memory.visitors or memory.data["orphans"]:
            entry.async_create_background_task(
                hass, _async_forget_everyone(strangers), "intruder_alert forget strangers"
            )
        return None
    coordinator.recognizer.strangers = strangers.search
    entry.async_on_unload(strangers.async_flush)
    entry.async_on_unload(async_track_time_interval(hass, strangers.async_expire, EXPIRY_INTERVAL))
    entry.async_create_background_task(
        hass, strangers.async_expire(), "intruder_alert expire strangers"
    )
    return strangers


def _save_soon(hass: HomeAssistant, store: Store[dict[str, Any]], backend: LocalFaces) -> Any:
    def save_soon() -> None:
        # Called on executor threads after each change: hop to the loop, batch the writes.
        hass.loop.call_soon_threadsafe(store.async_delay_save, lambda: backend.store, SAVE_DELAY)

    return save_soon


async def async_remove_strangers_faces(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Removing a Rekognition account deletes its strangers' faces from AWS.

    Unlike the tiers (people the user enrolled, theirs to keep), the strangers' collection is
    the integration's own: once the account is gone no expiry would ever delete these faces of
    people who never agreed to be kept. Every face in it is deleted (ListFaces and DeleteFaces,
    both in the IAM policy); the empty collection stays. Without a connection the faces stay
    and the log names the collection to delete. An offline account's strangers are in a face
    store, removed with the others.
    """
    # The coordinator imports this module: imported here, when an account is removed.
    from .coordinator import aws_settings
    from .engine.rekognition import Rekognition

    if entry.data.get(CONF_BACKEND) == Backend.LOCAL:
        return
    collection_id = strangers_collection(entry.data[CONF_WHITELIST_COLLECTION])

    def delete_every_face() -> int:
        rekognition = Rekognition(aws_settings(entry.data))
        face_ids = [face["FaceId"] for face in rekognition.list_faces(collection_id)]
        rekognition.delete_faces(collection_id, face_ids)
        return len(face_ids)

    try:
        deleted = await hass.async_add_executor_job(delete_every_face)
    except NotFoundError:
        return  # no stranger was ever remembered
    except EngineError as err:
        LOGGER.warning(
            "The faces of remembered strangers could not be deleted from the Rekognition "
            "collection %s (%s); delete that collection in the AWS console",
            collection_id,
            err,
        )
        return
    LOGGER.info("Deleted %s faces of remembered strangers from %s", deleted, collection_id)


async def _async_forget_everyone(strangers: Strangers) -> None:
    """The option was turned off: forget every stranger (their faces too)."""
    faces = strangers.memory.forget_all() + strangers.memory.take_orphans()
    await strangers.async_delete(faces)
    await strangers.async_flush()
    LOGGER.info("Remembering strangers is off: every remembered stranger was forgotten")


@callback
def note_sightings(
    coordinator: IntruderAlertCoordinator,
    frame: PreparedImage | None,
    outcome: Outcome,
    *,
    record: bool,
) -> None:
    """The pipeline's hook before the event: each unknown face's visitor (if remembered)."""
    if coordinator.strangers is not None and frame is not None and outcome.faces:
        coordinator.strangers.note(outcome, frame, record=record)


async def async_after_event(
    hass: HomeAssistant,
    coordinator: IntruderAlertCoordinator,
    frame: PreparedImage | None,
    outcome: Outcome,
) -> None:
    """The pipeline's hook after the event: remember new strangers' faces (never raises)."""
    if coordinator.strangers is None or frame is None:
        return
    try:
        await coordinator.strangers.async_after_event(frame, outcome)
    except Exception:  # noqa: BLE001 - the event went out; nothing here may break the run
        LOGGER.exception("The run's strangers could not be remembered")


def visitors_of(coordinator: IntruderAlertCoordinator) -> dict[tuple[str, int], dict[str, Any]]:
    """Each remembered sighting's ``{visitor_id, times_seen}``, by (run id, face index)."""
    return coordinator.strangers.lookup() if coordinator.strangers is not None else {}


async def async_enroll_visitor(
    hass: HomeAssistant,
    coordinator: IntruderAlertCoordinator,
    visitor_id: str,
    tier: str,
    name: str,
) -> dict[str, Any]:
    """Enrol a remembered stranger from their best faces, then forget the stranger.

    Their sightings are ranked (largest, sharpest face first) and up to ENROL_FACES of them
    whose snapshots are still kept are enrolled through the enroll_face code path; every
    sighting of theirs is then answered in the panel's Review. Raises a translated error when
    the visitor is not remembered or none of their faces could be enrolled (nothing changes).
    """
    from .history import async_history
    from .services import async_enroll, async_run_face

    strangers = coordinator.strangers
    if strangers is None or visitor_id not in strangers.memory:
        raise validation_error("visitor_not_found", visitor_id=visitor_id)
    try:
        normalize_name(name)
    except InvalidNameError as err:
        raise validation_error("invalid_name", error=str(err)) from err
    used: list[tuple[str, int]] = []
    first: dict[str, Any] | None = None
    last: dict[str, Any] | None = None
    for run_id, index in strangers.memory.best_sightings(visitor_id):
        if len(used) >= ENROL_FACES:
            break
        try:
            data = await async_run_face(hass, coordinator, run_id, index)
            last = await async_enroll(hass, coordinator, tier, name, data, run_face=(run_id, index))
        except ServiceValidationError as err:
            # Pruned with its snapshot, or a face the service would not index: the next one.
            LOGGER.debug("Face %s of run %s not enrolled: %s", index, run_id, err)
            continue
        first = first or last
        used.append((run_id, index))
    if first is None or last is None:
        raise validation_error("visitor_no_kept_face", visitor_id=visitor_id)
    # Every other sighting is this person too: the Review stops asking about them.
    history = async_history(hass, coordinator)
    others = [
        (str(sighting["run_id"]), int(sighting["face_index"]))
        for sighting in strangers.memory.sightings_of(visitor_id)
        if (sighting["run_id"], sighting["face_index"]) not in used
    ]

    def note_others() -> None:
        for run_face in others:
            history.note_enrolled(tier, last["name"], run_face)

    try:
        await hass.async_add_executor_job(note_others)
    except OSError as err:
        LOGGER.warning("The panel could not note %s's other faces as enrolled: %s", name, err)
    await strangers.async_forget(visitor_id)
    return {
        "visitor_id": visitor_id,
        "tier": tier,
        "name": last["name"],
        "user_id": last["user_id"],
        "new_person": first["new_person"],
        "faces": last["faces"],
        "enrolled_from": [{"run_id": run_id, "face_index": index} for run_id, index in used],
    }


async def async_enroll_visitor_action(call: ServiceCall) -> dict[str, Any]:
    """``enroll_face`` with ``visitor_id``: the visitor's account, then their best faces.

    The account is the one named (``config_entry_id``), else the loaded one that remembers the
    visitor. ``visitor_id`` is the image source: no other source may be given with it.
    """
    from .services import coordinator_for

    if any(key in call.data for key in _OTHER_SOURCES):
        raise validation_error("one_source")
    visitor_id = call.data[ATTR_VISITOR_ID]
    coordinator = account_of_visitor(call.hass, call.data.get("config_entry_id"), visitor_id)
    if coordinator is None:
        coordinator = coordinator_for(call.hass, call.data.get("config_entry_id"))
    return await async_enroll_visitor(
        call.hass, coordinator, visitor_id, call.data["tier"], call.data["name"]
    )


def account_of_visitor(
    hass: HomeAssistant, entry_id: str | None, visitor_id: str
) -> IntruderAlertCoordinator | None:
    """The loaded account that remembers ``visitor_id`` (only ``entry_id`` if given)."""
    from homeassistant.config_entries import ConfigEntryState

    for entry in hass.config_entries.async_entries(DOMAIN):
        if entry.state is not ConfigEntryState.LOADED or entry_id not in (None, entry.entry_id):
            continue
        coordinator: IntruderAlertCoordinator = entry.runtime_data
        if coordinator.strangers is not None and visitor_id in coordinator.strangers.memory:
            return coordinator
    return None
