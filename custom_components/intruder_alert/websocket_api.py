"""Websocket commands of the Intruder Alert panel, and the image views its pages load.

Every command is for administrators only (the panel shows faces and changes who is trusted),
validates its message, and answers errors with Home Assistant's translated messages. The
commands reuse the actions' code paths: enrolling from a run's face or an upload goes through
``services.async_enroll`` exactly as ``intruder_alert.enroll_face`` does. Image addresses are
signed for the administrator who asked, so ``<img>`` tags load them. docs/websocket_api.md
describes each command's request and response.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
import functools
from http import HTTPStatus
import time
from typing import Any

from aiohttp import web
import voluptuous as vol

from homeassistant.components.http.auth import async_sign_path
from homeassistant.components.http.const import KEY_HASS_USER
from homeassistant.components.websocket_api import async_register_command
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.const import (
    ERR_HOME_ASSISTANT_ERROR,
    ERR_SERVICE_VALIDATION_ERROR,
)
from homeassistant.components.websocket_api.decorators import (
    async_response,
    require_admin,
    websocket_command,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.http import KEY_HASS, HomeAssistantView
from homeassistant.util import dt as dt_util

from . import evidence
from .const import CONF_ALARM_PANEL, DOMAIN, EventType, Tier
from .coordinator import IntruderAlertConfigEntry, IntruderAlertCoordinator
from .engine.errors import EngineError
from .engine.names import user_id_for
from .engine.recognition import Verdict
from .errors import validation_error
from .history import RunFilter, RunHistory, async_history, decode_cursor, encode_cursor
from .media_source import SNAPSHOT_URL
from .people_photos import PeoplePhotos, photos_of
from .person_rules import (
    RULE_FIELDS,
    async_get_person_rules,
    async_rules_of,
    async_set_person_rules,
)
from .services import async_enroll, async_remove, async_run_face, coordinator_for, engine_error
from .snapshots import ANNOTATED_SUFFIX, index_line
from .strangers import account_of_visitor, async_enroll_visitor, visitors_of

FACE_URL = f"/api/{DOMAIN}/faces/{{entry_id}}/{{run_id}}/{{index}}"
THUMBNAIL_URL = f"/api/{DOMAIN}/thumbnails/{{entry_id}}/{{name}}"
PERSON_PHOTO_URL = f"/api/{DOMAIN}/people/{{entry_id}}/{{tier}}/{{user_id}}"
# How long a signed image address works (a panel page reloads its lists well within it).
URL_LIFETIME = timedelta(minutes=30)
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
# An uploaded photo, decoded; its base64 text is a third larger.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
_MAX_UPLOAD_TEXT = (MAX_UPLOAD_BYTES + 2) // 3 * 4
_JPEG = b"\xff\xd8\xff"
_PNG = b"\x89PNG\r\n\x1a\n"
# Kept faces tried, at most, when moving someone to the other tier.
MOVE_ATTEMPTS = 5

_TIER = vol.In([tier.value for tier in Tier])
_ENTRY = vol.Optional("entry_id")
_FACE_INDEX = vol.All(vol.Coerce(int), vol.Range(min=0))
_LIMIT = vol.All(vol.Coerce(int), vol.Range(min=1, max=MAX_LIMIT))

type Handler = Callable[[HomeAssistant, ActiveConnection, dict[str, Any]], Awaitable[None]]


def _cursor(value: Any) -> str:
    try:
        decode_cursor(str(value))
    except ValueError as err:
        raise vol.Invalid("not a cursor of intruder_alert/runs") from err
    return str(value)


def _translated(handler: Handler) -> Handler:
    """Answer Home Assistant errors with their translation key, domain and placeholders."""

    @functools.wraps(handler)
    async def wrapper(
        hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
    ) -> None:
        try:
            await handler(hass, connection, msg)
        except HomeAssistantError as err:
            connection.send_error(
                msg["id"],
                ERR_SERVICE_VALIDATION_ERROR
                if isinstance(err, ServiceValidationError)
                else ERR_HOME_ASSISTANT_ERROR,
                str(err),
                translation_key=err.translation_key,
                translation_domain=err.translation_domain,
                translation_placeholders=err.translation_placeholders,
            )

    return wrapper


def _loaded(hass: HomeAssistant, entry_id: str | None) -> list[IntruderAlertCoordinator]:
    """The loaded accounts a command covers: the one named, or every one."""
    if entry_id is not None:
        return [coordinator_for(hass, entry_id)]
    entries: list[IntruderAlertConfigEntry] = hass.config_entries.async_entries(DOMAIN)
    return [entry.runtime_data for entry in entries if entry.state is ConfigEntryState.LOADED]


async def _account_of_run(
    hass: HomeAssistant, entry_id: str | None, run_id: str
) -> tuple[IntruderAlertCoordinator, RunHistory]:
    """The account that kept run ``run_id`` (the one named, or whichever has it)."""
    for coordinator in _loaded(hass, entry_id):
        history = async_history(hass, coordinator)
        if await hass.async_add_executor_job(history.get, run_id) is not None:
            return coordinator, history
    if entry_id is not None:
        coordinator = coordinator_for(hass, entry_id)
        return coordinator, async_history(hass, coordinator)
    raise validation_error("run_not_found", run_id=run_id)


class _Signer:
    """Signs image addresses for the administrator of one websocket connection."""

    def __init__(self, hass: HomeAssistant, connection: ActiveConnection) -> None:
        self.hass = hass
        self.refresh_token_id = connection.refresh_token_id

    @callback
    def sign(self, path: str) -> str:
        return async_sign_path(
            self.hass, path, URL_LIFETIME, refresh_token_id=self.refresh_token_id
        )

    @callback
    def run(self, entry_id: str, run: dict[str, Any]) -> dict[str, Any]:
        """A run as the panel shows it: the index line's fields and signed image addresses."""
        stem = run.get("stem")
        payload = {key: value for key, value in run.items() if not key.startswith("_")}
        payload.pop("stem", None)
        annotated = payload.pop("annotated", False)
        payload["entry_id"] = entry_id
        payload["snapshot_url"] = (
            self.sign(SNAPSHOT_URL.format(entry_id=entry_id, name=f"{stem}.jpg")) if stem else None
        )
        payload["annotated_url"] = (
            self.sign(SNAPSHOT_URL.format(entry_id=entry_id, name=f"{stem}{ANNOTATED_SUFFIX}.jpg"))
            if stem and annotated
            else None
        )
        # The list shows who was boxed and named: the annotated copy's thumbnail when there is one.
        shown = f"{stem}{ANNOTATED_SUFFIX}.jpg" if annotated else f"{stem}.jpg"
        payload["thumbnail_url"] = (
            self.sign(THUMBNAIL_URL.format(entry_id=entry_id, name=shown)) if stem else None
        )
        payload["faces"] = [
            face
            | {
                "image_url": self.sign(
                    FACE_URL.format(entry_id=entry_id, run_id=run["run_id"], index=face["index"])
                )
                if stem
                else None
            }
            for face in run.get("faces") or []
        ]
        return payload


def _with_face_states(history: RunHistory, run: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``run`` whose faces say whether they were dismissed or enrolled; blocking."""
    faces = [
        face | history.face_state(str(run["run_id"]), int(face["index"]))
        for face in run.get("faces") or []
    ]
    return run | {"faces": faces}


def _timestamp(value: datetime | None) -> float | None:
    return dt_util.as_utc(value).timestamp() if value is not None else None


@websocket_command(
    {
        vol.Required("type"): f"{DOMAIN}/runs",
        _ENTRY: cv.string,
        vol.Optional("zone"): cv.string,
        vol.Optional("device_id"): cv.string,
        vol.Optional("types"): [vol.In([event_type.value for event_type in EventType])],
        vol.Optional("verdicts"): [vol.In([verdict.value for verdict in Verdict])],
        vol.Optional("person"): cv.string,
        vol.Optional("after"): cv.datetime,
        vol.Optional("before"): cv.datetime,
        vol.Optional("limit", default=DEFAULT_LIMIT): _LIMIT,
        vol.Optional("cursor"): _cursor,
    }
)
@require_admin
@async_response
@_translated
async def ws_runs(hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]) -> None:
    """One page of runs, newest first, of one account or all of them."""
    run_filter = RunFilter(
        zone=msg.get("zone"),
        device_id=msg.get("device_id"),
        types=frozenset(msg.get("types") or ()),
        verdicts=frozenset(msg.get("verdicts") or ()),
        person=msg.get("person"),
        after=_timestamp(msg.get("after")),
        before=_timestamp(msg.get("before")),
    )
    limit: int = msg["limit"]
    cursor = decode_cursor(msg["cursor"]) if "cursor" in msg else None
    found: list[tuple[str, dict[str, Any]]] = []
    for coordinator in _loaded(hass, msg.get("entry_id")):
        history = async_history(hass, coordinator)

        def page(history: RunHistory = history) -> list[dict[str, Any]]:
            released = evidence.released(history.store.folder)
            return [
                _with_face_states(history, run) | {"evidence": evidence.is_kept(run, released)}
                for run in history.page(run_filter, limit + 1, cursor)
            ]

        entry_id = coordinator.config_entry.entry_id
        found.extend((entry_id, run) for run in await hass.async_add_executor_job(page))
    found.sort(key=lambda item: item[1]["_key"], reverse=True)
    signer = _Signer(hass, connection)
    connection.send_result(
        msg["id"],
        {
            "runs": [signer.run(entry_id, run) for entry_id, run in found[:limit]],
            "next_cursor": encode_cursor(found[limit - 1][1]["_key"])
            if len(found) > limit
            else None,
        },
    )


_RECORD_EXTRAS = (
    "bounding_box",
    "conflict",
    "unsearched_reasons",
    # The remembered stranger the face was, as the run's event said (null for others).
    "visitor_id",
    "times_seen",
)
# A review face that is no remembered stranger (or one forgotten since).
_NO_VISITOR: dict[str, Any] = {"visitor_id": None, "times_seen": None}


@websocket_command(
    {vol.Required("type"): f"{DOMAIN}/run", _ENTRY: cv.string, vol.Required("run_id"): cv.string}
)
@require_admin
@async_response
@_translated
async def ws_run(hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]) -> None:
    """One run with every face, as its record on disk has it (also a run still in progress)."""
    run_id: str = msg["run_id"]
    coordinator, history = await _account_of_run(hass, msg.get("entry_id"), run_id)
    found = await hass.async_add_executor_job(coordinator.snapshots.find_run, run_id)
    if found is None:
        raise validation_error("run_not_found", run_id=run_id)
    snapshot, record = found
    run = index_line(snapshot.path.stem, record)
    run = await hass.async_add_executor_job(_with_face_states, history, run)
    recorded = record.get("faces") or []
    for face in run["faces"]:
        position = int(face["index"])
        if position < len(recorded):
            face.update({key: recorded[position].get(key) for key in _RECORD_EXTRAS})
    payload = _Signer(hass, connection).run(coordinator.config_entry.entry_id, run)
    released = await hass.async_add_executor_job(evidence.released, coordinator.snapshots.folder)
    payload.update(
        status=record.get("status"),
        similarity=record.get("similarity"),
        api_calls=record.get("api_calls"),
        evidence=record.get("status") != "in_progress" and evidence.is_kept(record, released),
    )
    connection.send_result(msg["id"], payload)


@websocket_command(
    {
        vol.Required("type"): f"{DOMAIN}/release_evidence",
        _ENTRY: cv.string,
        vol.Required("run_id"): cv.string,
    }
)
@require_admin
@async_response
@_translated
async def ws_release_evidence(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """Stop keeping a run as evidence: pruning deletes it once older than the retention."""
    run_id: str = msg["run_id"]
    coordinator, history = await _account_of_run(hass, msg.get("entry_id"), run_id)
    if await hass.async_add_executor_job(history.get, run_id) is None:
        raise validation_error("run_not_found", run_id=run_id)
    released = await hass.async_add_executor_job(
        evidence.release, coordinator.snapshots.folder, run_id
    )
    connection.send_result(msg["id"], {"run_id": run_id, "evidence": False, "released": released})


@websocket_command(
    {
        vol.Required("type"): f"{DOMAIN}/review",
        _ENTRY: cv.string,
        vol.Optional("limit", default=DEFAULT_LIMIT): _LIMIT,
    }
)
@require_admin
@async_response
@_translated
async def ws_review(hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]) -> None:
    """Unknown faces of kept runs nobody has enrolled or dismissed yet, newest first."""
    limit: int = msg["limit"]
    found: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    # Each account's remembered strangers, by (run, face): the panel groups faces by visitor.
    visitors: dict[str, dict[tuple[str, int], dict[str, Any]]] = {}
    for coordinator in _loaded(hass, msg.get("entry_id")):
        history = async_history(hass, coordinator)
        entry_id = coordinator.config_entry.entry_id
        visitors[entry_id] = visitors_of(coordinator)
        pairs = await hass.async_add_executor_job(history.review, limit)
        found.extend((entry_id, run, face) for run, face in pairs)
    found.sort(key=lambda item: item[1]["_key"], reverse=True)
    signer = _Signer(hass, connection)
    faces = []
    for entry_id, run, face in found[:limit]:
        shown = signer.run(entry_id, run | {"faces": [face]})
        faces.append(
            {
                "entry_id": entry_id,
                "run_id": run["run_id"],
                "face_index": face["index"],
                "time": run.get("time"),
                "zone": run.get("zone"),
                "device_id": run.get("device_id"),
                "closest": face.get("closest"),
                **visitors[entry_id].get((str(run["run_id"]), int(face["index"])), _NO_VISITOR),
                "image_url": shown["faces"][0]["image_url"],
                "snapshot_url": shown["snapshot_url"],
                "thumbnail_url": shown["thumbnail_url"],
            }
        )
    connection.send_result(msg["id"], {"faces": faces})


@websocket_command(
    {
        vol.Required("type"): f"{DOMAIN}/dismiss",
        _ENTRY: cv.string,
        vol.Required("run_id"): cv.string,
        vol.Required("face_index"): _FACE_INDEX,
    }
)
@require_admin
@async_response
@_translated
async def ws_dismiss(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """Never ask about this face again (kept with the account's snapshots)."""
    _, history = await _account_of_run(hass, msg.get("entry_id"), msg["run_id"])
    await hass.async_add_executor_job(history.dismiss, msg["run_id"], msg["face_index"])
    connection.send_result(
        msg["id"], {"run_id": msg["run_id"], "face_index": msg["face_index"], "dismissed": True}
    )


@websocket_command({vol.Required("type"): f"{DOMAIN}/people", _ENTRY: cv.string})
@require_admin
@async_response
@_translated
async def ws_people(hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]) -> None:
    """Everyone enrolled, per tier: face counts, the date, the photo (if enrolled here), rules."""
    coordinator = coordinator_for(hass, msg.get("entry_id"))
    entry_id = coordinator.config_entry.entry_id
    history = async_history(hass, coordinator)
    photos = photos_of(coordinator)

    def list_all() -> tuple[dict[str, Any], dict[str, set[str]]]:
        added = history.added()
        started = time.time()
        listed = {tier.value: coordinator.people.list(tier.value) for tier in Tier}
        # Photos of people removed elsewhere (the AWS console) are not kept.
        photos.forget_others(
            {tier: {person.user_id for person in people} for tier, people in listed.items()},
            started,
        )
        people = {
            tier: [
                {
                    "name": person.name,
                    "user_id": person.user_id,
                    "faces": person.faces,
                    "added": added.get(tier, {}).get(person.user_id),
                }
                for person in people
            ]
            for tier, people in listed.items()
        }
        return people, photos.kept()

    rules = await async_rules_of(hass, entry_id)
    try:
        people, kept = await hass.async_add_executor_job(list_all)
    except EngineError as err:
        raise engine_error(err) from err
    signer = _Signer(hass, connection)
    for tier, persons in people.items():
        for person in persons:
            person["rules"] = rules.shown(tier, person["user_id"])
            person["thumbnail_url"] = (
                signer.sign(
                    PERSON_PHOTO_URL.format(entry_id=entry_id, tier=tier, user_id=person["user_id"])
                )
                if person["user_id"] in kept[tier]
                else None
            )
    connection.send_result(msg["id"], {"entry_id": entry_id} | people)


@websocket_command(
    {
        vol.Required("type"): f"{DOMAIN}/person_rules",
        _ENTRY: cv.string,
        vol.Required("tier"): _TIER,
        vol.Required("name"): cv.string,
    }
)
@require_admin
@async_response
@_translated
async def ws_person_rules(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """One person's rules (``rules`` null: none, always allowed)."""
    coordinator = coordinator_for(hass, msg.get("entry_id"))
    result = await async_get_person_rules(hass, coordinator, msg["tier"], msg["name"])
    connection.send_result(msg["id"], result)


@websocket_command(
    {
        vol.Required("type"): f"{DOMAIN}/set_person_rules",
        _ENTRY: cv.string,
        vol.Required("tier"): _TIER,
        vol.Required("name"): cv.string,
        **RULE_FIELDS,
    }
)
@require_admin
@async_response
@_translated
async def ws_set_person_rules(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """Set (all empty: clear) one person's rules (the set_person_rules action's code path)."""
    coordinator = coordinator_for(hass, msg.get("entry_id"))
    try:
        result = await async_set_person_rules(hass, coordinator, msg["tier"], msg["name"], msg)
    except EngineError as err:
        raise engine_error(err) from err
    connection.send_result(msg["id"], result)


@websocket_command(
    {
        vol.Required("type"): f"{DOMAIN}/enroll_run_face",
        _ENTRY: cv.string,
        vol.Required("run_id"): cv.string,
        vol.Required("face_index"): _FACE_INDEX,
        vol.Required("tier"): _TIER,
        vol.Required("name"): cv.string,
    }
)
@require_admin
@async_response
@_translated
async def ws_enroll_run_face(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """Enrol exactly the face a run showed (the enroll_face action's run_id + face_index)."""
    run_id, index = msg["run_id"], msg["face_index"]
    coordinator, _ = await _account_of_run(hass, msg.get("entry_id"), run_id)
    data = await async_run_face(hass, coordinator, run_id, index)
    result = await async_enroll(
        hass, coordinator, msg["tier"], msg["name"], data, run_face=(run_id, index)
    )
    connection.send_result(msg["id"], result)


@websocket_command(
    {
        vol.Required("type"): f"{DOMAIN}/enroll_visitor",
        _ENTRY: cv.string,
        vol.Required("visitor_id"): cv.string,
        vol.Required("tier"): _TIER,
        vol.Required("name"): cv.string,
    }
)
@require_admin
@async_response
@_translated
async def ws_enroll_visitor(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """Enrol a remembered stranger from their best faces (enroll_face with visitor_id)."""
    visitor_id: str = msg["visitor_id"]
    coordinator = account_of_visitor(hass, msg.get("entry_id"), visitor_id)
    if coordinator is None:
        coordinator = coordinator_for(hass, msg.get("entry_id"))
    result = await async_enroll_visitor(hass, coordinator, visitor_id, msg["tier"], msg["name"])
    connection.send_result(msg["id"], result)


def _decode_upload(text: str) -> bytes:
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as err:
        raise validation_error("upload_not_base64") from err
    if len(data) > MAX_UPLOAD_BYTES:
        raise validation_error("upload_too_large", limit="10 MB")
    if not data.startswith((_JPEG, _PNG)):
        raise validation_error("upload_not_image")
    return data


@websocket_command(
    {
        vol.Required("type"): f"{DOMAIN}/enroll_upload",
        _ENTRY: cv.string,
        vol.Required("tier"): _TIER,
        vol.Required("name"): cv.string,
        # Base64 of a JPEG or PNG; refused above 10 MB before it is decoded.
        vol.Required("image"): vol.All(str, vol.Length(min=1, max=_MAX_UPLOAD_TEXT)),
    }
)
@require_admin
@async_response
@_translated
async def ws_enroll_upload(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """Enrol from a photo the administrator uploaded (never a path on the server)."""
    coordinator = coordinator_for(hass, msg.get("entry_id"))
    data = _decode_upload(msg["image"])
    result = await async_enroll(hass, coordinator, msg["tier"], msg["name"], data)
    connection.send_result(msg["id"], result)


@websocket_command(
    {
        vol.Required("type"): f"{DOMAIN}/move",
        _ENTRY: cv.string,
        vol.Required("name"): cv.string,
        vol.Required("from_tier"): _TIER,
        vol.Required("to_tier"): _TIER,
    }
)
@require_admin
@async_response
@_translated
async def ws_move(hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]) -> None:
    """Enrol someone in the other tier from a face of theirs still kept, then remove them.

    Collections keep no photos: only faces in kept snapshots (the one they were enrolled from
    here, or ones they were recognised by) can enrol them again. With none, nothing changes and
    the error says to enrol them from a photo.
    """
    name, source, target = msg["name"], msg["from_tier"], msg["to_tier"]
    if source == target:
        raise validation_error("move_same_tier", tier=source)
    coordinator = coordinator_for(hass, msg.get("entry_id"))
    history = async_history(hass, coordinator)
    try:
        wanted = user_id_for(name)
        people = await hass.async_add_executor_job(coordinator.people.list, source)
    except EngineError as err:
        raise engine_error(err) from err
    if not any(person.user_id == wanted for person in people):
        raise validation_error("person_not_found", name=name, tier=source)
    candidates = await hass.async_add_executor_job(history.kept_faces, source, name)
    enrolled: dict[str, Any] | None = None
    used: tuple[str, int] | None = None
    for run_id, index in candidates[:MOVE_ATTEMPTS]:
        try:
            data = await async_run_face(hass, coordinator, run_id, index)
            enrolled = await async_enroll(
                hass, coordinator, target, name, data, run_face=(run_id, index)
            )
        except ServiceValidationError:
            continue  # pruned meanwhile, or a face Rekognition would not index: the next one
        used = (run_id, index)
        break
    if enrolled is None or used is None:
        raise validation_error("move_no_kept_face", name=name, from_tier=source, to_tier=target)
    removed = await async_remove(hass, coordinator, source, name)
    connection.send_result(
        msg["id"],
        {
            "name": name,
            "from_tier": source,
            "to_tier": target,
            "enrolled": enrolled,
            "faces_deleted": removed["faces_deleted"],
            "from_run": {"run_id": used[0], "face_index": used[1]},
        },
    )


@websocket_command(
    {
        vol.Required("type"): f"{DOMAIN}/remove",
        _ENTRY: cv.string,
        vol.Required("tier"): _TIER,
        vol.Required("name"): cv.string,
    }
)
@require_admin
@async_response
@_translated
async def ws_remove(hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]) -> None:
    """Forget a person (the remove_person action's code path)."""
    coordinator = coordinator_for(hass, msg.get("entry_id"))
    result = await async_remove(hass, coordinator, msg["tier"], msg["name"])
    connection.send_result(msg["id"], result)


def _last_run(zone: Any, history_line: dict[str, Any] | None) -> dict[str, Any] | None:
    keys = ("run_id", "time", "type", "verdict", "names")
    if zone.last_outcome is not None:
        data = zone.last_outcome.as_dict(zone.coordinator.config_entry.entry_id)
        return {key: data[key] for key in keys}
    if history_line is not None:
        return {key: history_line.get(key) for key in keys}
    return None


@websocket_command({vol.Required("type"): f"{DOMAIN}/zones", _ENTRY: cv.string})
@require_admin
@async_response
@_translated
async def ws_zones(hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]) -> None:
    """Every zone: its sources, whether it is armed, and its last run."""
    zones = []
    for coordinator in _loaded(hass, msg.get("entry_id")):
        history = async_history(hass, coordinator)
        for zone in coordinator.zones.values():
            newest = await hass.async_add_executor_job(history.page, RunFilter(zone=zone.name), 1)
            panel = zone.config.get(CONF_ALARM_PANEL)
            zones.append(
                {
                    "entry_id": coordinator.config_entry.entry_id,
                    "zone_id": zone.subentry_id,
                    "name": zone.name,
                    "device_id": zone.device_id,
                    "motion_available": zone.motion_available,
                    "camera_available": zone.camera_available,
                    "alarm_panel": panel or None,
                    "armed": zone.armed,
                    "recognize_on_motion": zone.recognize_on_motion,
                    "last_run": _last_run(zone, newest[0] if newest else None),
                }
            )
    connection.send_result(msg["id"], {"zones": zones})


@websocket_command(
    {
        vol.Required("type"): f"{DOMAIN}/recognise_now",
        _ENTRY: cv.string,
        vol.Required("zone_id"): cv.string,
    }
)
@require_admin
@async_response
@_translated
async def ws_recognise_now(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """Take a still from the zone's camera and recognise it, as the recognize action does."""
    for coordinator in _loaded(hass, msg.get("entry_id")):
        if (zone := coordinator.zones.get(msg["zone_id"])) is not None:
            break
    else:
        raise validation_error("zone_not_found", zone=msg["zone_id"])
    outcome = await zone.async_run_once(fire_event=True)
    entry_id = coordinator.config_entry.entry_id
    data = outcome.as_dict(entry_id)
    stem = outcome.snapshot.path.stem if outcome.snapshot is not None else None
    run = index_line(stem or "", data | {"armed": outcome.armed}) | {
        "annotated": outcome.annotated is not None
    }
    # Kept as evidence when recorded (a run without a snapshot has no record).
    run["evidence"] = stem is not None and evidence.evidence_reason(run) is not None
    if stem is None:
        run.pop("stem")
    connection.send_result(msg["id"], _Signer(hass, connection).run(entry_id, run))


class _AdminImageView(HomeAssistantView):
    """An image for signed-in administrators only (signed addresses count as signed in)."""

    requires_auth = True

    @staticmethod
    def _coordinator(request: web.Request, entry_id: str) -> IntruderAlertCoordinator | None:
        hass = request.app[KEY_HASS]
        entry: IntruderAlertConfigEntry | None = hass.config_entries.async_get_entry(entry_id)
        if entry is None or entry.domain != DOMAIN or entry.state is not ConfigEntryState.LOADED:
            return None
        return entry.runtime_data


_PRIVATE = {"Cache-Control": "private, no-store"}


class ThumbnailView(_AdminImageView):
    """A snapshot's thumbnail (made on first request, then kept beside the snapshot)."""

    url = THUMBNAIL_URL
    name = f"api:{DOMAIN}:thumbnail"

    async def get(self, request: web.Request, entry_id: str, name: str) -> web.StreamResponse:
        """Send the small JPEG; anyone but an administrator is refused."""
        if not request[KEY_HASS_USER].is_admin:
            return web.Response(status=HTTPStatus.FORBIDDEN)
        coordinator = self._coordinator(request, entry_id)
        hass = request.app[KEY_HASS]
        path = (
            await hass.async_add_executor_job(coordinator.snapshots.thumbnail, name)
            if coordinator
            else None
        )
        if path is None:
            return web.Response(status=HTTPStatus.NOT_FOUND)
        return web.FileResponse(path, headers=_PRIVATE)


class FaceView(_AdminImageView):
    """One face of a run, cut from its snapshot as enrolment cuts it."""

    url = FACE_URL
    name = f"api:{DOMAIN}:face"

    async def get(
        self, request: web.Request, entry_id: str, run_id: str, index: str
    ) -> web.StreamResponse:
        """Send the face as a JPEG; anyone but an administrator is refused."""
        if not request[KEY_HASS_USER].is_admin:
            return web.Response(status=HTTPStatus.FORBIDDEN)
        coordinator = self._coordinator(request, entry_id)
        if coordinator is None or not index.isdigit():
            return web.Response(status=HTTPStatus.NOT_FOUND)
        hass = request.app[KEY_HASS]
        try:
            data = await hass.async_add_executor_job(
                coordinator.snapshots.face_crop, run_id, int(index)
            )
        except ServiceValidationError:
            return web.Response(status=HTTPStatus.NOT_FOUND)
        return web.Response(body=data, content_type="image/jpeg", headers=_PRIVATE)


class PersonPhotoView(_AdminImageView):
    """The face a person was enrolled from (see people_photos.py)."""

    url = PERSON_PHOTO_URL
    name = f"api:{DOMAIN}:person_photo"

    async def get(
        self, request: web.Request, entry_id: str, tier: str, user_id: str
    ) -> web.StreamResponse:
        """Send the small JPEG; anyone but an administrator is refused."""
        if not request[KEY_HASS_USER].is_admin:
            return web.Response(status=HTTPStatus.FORBIDDEN)
        if self._coordinator(request, entry_id) is None:
            return web.Response(status=HTTPStatus.NOT_FOUND)
        hass = request.app[KEY_HASS]
        photos = PeoplePhotos.of(hass, entry_id)
        path = await hass.async_add_executor_job(photos.get, tier, user_id)
        if path is None:
            return web.Response(status=HTTPStatus.NOT_FOUND)
        return web.FileResponse(path, headers=_PRIVATE)


@callback
def async_setup_websocket_api(hass: HomeAssistant) -> None:
    """Register the panel's commands and image views (once, for every account)."""
    for command in (
        ws_runs,
        ws_run,
        ws_review,
        ws_dismiss,
        ws_release_evidence,
        ws_people,
        ws_person_rules,
        ws_set_person_rules,
        ws_enroll_run_face,
        ws_enroll_upload,
        ws_enroll_visitor,
        ws_move,
        ws_remove,
        ws_zones,
        ws_recognise_now,
    ):
        async_register_command(hass, command)
    hass.http.register_view(ThumbnailView())
    hass.http.register_view(FaceView())
    hass.http.register_view(PersonPhotoView())
