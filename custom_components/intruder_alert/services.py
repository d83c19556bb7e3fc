"""Actions: recognize, enroll_face, remove_person, list_people, set_person_rules."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import voluptuous as vol

from homeassistant.components import camera
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_CONFIG_ENTRY_ID, ATTR_DEVICE_ID
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import HomeAssistantError, Unauthorized, UnknownUser
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.service import async_register_admin_service
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN, LOGGER, Tier
from .coordinator import IntruderAlertConfigEntry, IntruderAlertCoordinator
from .engine.errors import (
    AccessDeniedError,
    AuthError,
    BadImageError,
    EngineError,
    EnrolmentError,
    InvalidNameError,
    NotFoundError,
)
from .engine.images import PreparedImage
from .errors import validation_error
from .history import async_history
from .people_photos import async_forget_photo, async_keep_photo
from .person_rules import RULE_FIELDS, async_forget_rules, async_rules_of, async_set_person_rules
from .pipeline import async_prepare, async_run
from .strangers import ATTR_VISITOR_ID, async_enroll_visitor_action
from .zone import Zone

SERVICE_RECOGNIZE = "recognize"
SERVICE_ENROLL_FACE = "enroll_face"
SERVICE_REMOVE_PERSON = "remove_person"
SERVICE_LIST_PEOPLE = "list_people"
SERVICE_SET_PERSON_RULES = "set_person_rules"

ATTR_CAMERA = "camera_entity_id"
ATTR_IMAGE_PATH = "image_path"
# Deprecated: a zone by its name breaks when the zone is renamed; device_id does not.
ATTR_ZONE = "zone"
ATTR_FIRE_EVENT = "fire_event"
ATTR_TIER = "tier"
ATTR_NAME = "name"
ATTR_RUN_ID = "run_id"
ATTR_FACE_INDEX = "face_index"

# Larger files are refused before they are read: a 50-megapixel JPEG is about 25 MB.
MAX_IMAGE_FILE_BYTES = 64 * 1024 * 1024

_ENTRY = {vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string}
_SOURCES = {
    vol.Optional(ATTR_CAMERA): cv.entity_domain("camera"),
    vol.Optional(ATTR_IMAGE_PATH): cv.string,
    # A zone is addressed by its device: renaming the zone keeps the device and its id.
    vol.Optional(ATTR_DEVICE_ID): cv.string,
    vol.Optional(ATTR_ZONE): cv.string,
}
# The deprecated zone names already warned about (once each, not at every call).
_WARNED_ZONE_NAMES: HassKey[set[str]] = HassKey(f"{DOMAIN}_zone_names_warned")
_TIER = vol.In([tier.value for tier in Tier])

RECOGNIZE_SCHEMA = vol.Schema(
    {**_ENTRY, **_SOURCES, vol.Optional(ATTR_FIRE_EVENT, default=True): cv.boolean}
)
ENROLL_SCHEMA = vol.Schema(
    {
        **_ENTRY,
        **_SOURCES,
        # A past run's face: exactly the face its event showed (the face index is its position).
        vol.Optional(ATTR_RUN_ID): cv.string,
        vol.Optional(ATTR_FACE_INDEX): vol.All(vol.Coerce(int), vol.Range(min=0)),
        # A remembered stranger: enrolled from their best kept faces (strangers.py).
        vol.Optional(ATTR_VISITOR_ID): cv.string,
        vol.Required(ATTR_TIER): _TIER,
        vol.Required(ATTR_NAME): cv.string,
    }
)
REMOVE_SCHEMA = vol.Schema(
    {**_ENTRY, vol.Required(ATTR_TIER): _TIER, vol.Required(ATTR_NAME): cv.string}
)
LIST_SCHEMA = vol.Schema({**_ENTRY, vol.Optional(ATTR_TIER): _TIER})
SET_RULES_SCHEMA = vol.Schema(
    {
        **_ENTRY,
        vol.Optional(ATTR_TIER, default=Tier.WHITELIST.value): _TIER,
        vol.Required(ATTR_NAME): cv.string,
        **RULE_FIELDS,
    }
)


def _coordinator(call: ServiceCall) -> IntruderAlertCoordinator:
    """The account of the call's zone device, else the one it names, else the only one."""
    if ATTR_DEVICE_ID in call.data:
        coordinator = zone_for_device(call.hass, call.data[ATTR_DEVICE_ID]).coordinator
        entry_id = call.data.get(ATTR_CONFIG_ENTRY_ID)
        if entry_id is not None and entry_id != coordinator.config_entry.entry_id:
            raise validation_error("device_in_other_account", title=coordinator.config_entry.title)
        return coordinator
    return coordinator_for(call.hass, call.data.get(ATTR_CONFIG_ENTRY_ID))


def zone_for_device(hass: HomeAssistant, device_id: str) -> Zone:
    """The running zone whose device is ``device_id`` (its id survives renaming the zone)."""
    device = dr.async_get(hass).async_get(device_id)
    if device is None:
        raise validation_error("device_not_found", device_id=device_id)
    for entry_id in device.config_entries:
        entry: IntruderAlertConfigEntry | None = hass.config_entries.async_get_entry(entry_id)
        if entry is None or entry.domain != DOMAIN:
            continue
        if entry.state is not ConfigEntryState.LOADED:
            raise validation_error("entry_not_loaded", title=entry.title)
        for domain, identifier in device.identifiers:
            if domain == DOMAIN and (zone := entry.runtime_data.zones.get(identifier)):
                return zone
    raise validation_error("not_a_zone", device=device.name_by_user or device.name or device_id)


def _warn_zone_name(hass: HomeAssistant, name: str) -> None:
    """Say once per zone name that naming a zone is deprecated."""
    warned = hass.data.setdefault(_WARNED_ZONE_NAMES, set())
    if name.casefold() not in warned:
        warned.add(name.casefold())
        LOGGER.warning(
            "An action named the Intruder Alert zone %s by its name ('zone: %s'), which stops "
            "working when the zone is renamed and will be removed; use its device instead "
            "('device_id:', the Intruder Alert zone field in the action editor)",
            name,
            name,
        )


def _zone_by_name(coordinator: IntruderAlertCoordinator, name: str) -> Zone:
    """The deprecated way: a zone by its name (case-insensitive)."""
    _warn_zone_name(coordinator.hass, name)
    zone = next(
        (zone for zone in coordinator.zones.values() if zone.name.casefold() == name.casefold()),
        None,
    )
    if zone is None:
        raise validation_error("zone_not_found", zone=name)
    return zone


def _names_zone(call: ServiceCall) -> bool:
    return ATTR_DEVICE_ID in call.data or ATTR_ZONE in call.data


def _zone_name(call: ServiceCall) -> str:
    """The name runs of the zone a call that ``_names_zone`` names are kept under."""
    if ATTR_DEVICE_ID in call.data:
        return zone_for_device(call.hass, call.data[ATTR_DEVICE_ID]).name
    _warn_zone_name(call.hass, call.data[ATTR_ZONE])
    return str(call.data[ATTR_ZONE])


def _call_zone(call: ServiceCall, coordinator: IntruderAlertCoordinator) -> Zone:
    """The zone a call that ``_names_zone`` names: by device, or (deprecated) by name."""
    if ATTR_DEVICE_ID in call.data:
        return zone_for_device(call.hass, call.data[ATTR_DEVICE_ID])
    return _zone_by_name(coordinator, call.data[ATTR_ZONE])


def coordinator_for(hass: HomeAssistant, entry_id: str | None) -> IntruderAlertCoordinator:
    """The loaded account ``entry_id``, or the only one there is (None)."""
    if entry_id is not None:
        entry: IntruderAlertConfigEntry | None = hass.config_entries.async_get_entry(entry_id)
        if entry is None or entry.domain != DOMAIN:
            raise validation_error("entry_not_found", entry_id=entry_id)
    else:
        # As Home Assistant's own service helper: disabled and ignored accounts do not count.
        entries = hass.config_entries.async_entries(
            DOMAIN, include_ignore=False, include_disabled=False
        )
        if len(entries) != 1:
            raise validation_error("entry_required", count=str(len(entries)))
        entry = entries[0]
    if entry.state is not ConfigEntryState.LOADED:
        raise validation_error("entry_not_loaded", title=entry.title)
    return entry.runtime_data


def engine_error(err: EngineError) -> HomeAssistantError:
    """A runtime failure of AWS, translated."""
    if isinstance(err, AuthError):
        return HomeAssistantError(translation_domain=DOMAIN, translation_key="invalid_auth")
    if isinstance(err, AccessDeniedError):
        return HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="access_denied",
            translation_placeholders={"permission": err.permission},
        )
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key="cannot_connect",
        translation_placeholders={"error": str(err)},
    )


def _read_image_file(hass: HomeAssistant, path: str) -> bytes:
    """Read an image file from an allowed folder; blocking.

    The path is resolved once, that resolved path is the one checked against the allowed
    folders and the one opened (without following a symlink put there since): nothing swapped
    in between can redirect the read. At most the size limit is read, even if the file grew.
    """
    file = Path(path).resolve()
    if not hass.config.is_allowed_path(str(file)):
        raise validation_error("path_not_allowed", path=path)
    if not file.is_file():
        raise validation_error("file_not_found", path=path)
    if file.stat().st_size > MAX_IMAGE_FILE_BYTES:
        raise validation_error("file_too_large", path=path, limit="64 MB")
    try:
        descriptor = os.open(file, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as err:
        raise validation_error("file_not_found", path=path) from err
    with os.fdopen(descriptor, "rb") as stream:
        data = stream.read(MAX_IMAGE_FILE_BYTES + 1)
    if len(data) > MAX_IMAGE_FILE_BYTES:
        raise validation_error("file_too_large", path=path, limit="64 MB")
    return data


async def _async_image(call: ServiceCall, coordinator: IntruderAlertCoordinator) -> bytes:
    """The image an action names: a camera entity, an allowed file, or a zone's last stranger."""
    hass = call.hass
    sources = [
        key
        for key in (ATTR_CAMERA, ATTR_IMAGE_PATH, ATTR_DEVICE_ID, ATTR_ZONE, ATTR_RUN_ID)
        if key in call.data
    ]
    if len(sources) != 1:
        raise validation_error("one_source")
    if ATTR_RUN_ID in call.data:
        if (index := call.data.get(ATTR_FACE_INDEX)) is None:
            raise validation_error("face_index_required")
        return await async_run_face(hass, coordinator, call.data[ATTR_RUN_ID], index)
    if ATTR_CAMERA in call.data:
        entity_id = call.data[ATTR_CAMERA]
        if hass.states.get(entity_id) is None:
            raise validation_error("camera_not_found", entity_id=entity_id)
        try:
            image = await camera.async_get_image(hass, entity_id)
        except HomeAssistantError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="camera_failed",
                translation_placeholders={"entity_id": entity_id, "error": str(err)},
            ) from err
        return image.content
    if ATTR_IMAGE_PATH in call.data:
        return await hass.async_add_executor_job(_read_image_file, hass, call.data[ATTR_IMAGE_PATH])
    name = _zone_name(call)
    if name not in coordinator.last_unknown_faces:
        raise validation_error("no_unknown_face", zone=name)
    if (face := coordinator.last_unknown_faces[name]) is None:
        raise validation_error("several_unknown_faces", zone=name)
    return face


async def async_run_face(
    hass: HomeAssistant, coordinator: IntruderAlertCoordinator, run_id: str, index: int
) -> bytes:
    """The face ``index`` of run ``run_id``, cut from that run's snapshot."""
    return await hass.async_add_executor_job(coordinator.snapshots.face_crop, run_id, index)


async def _async_prepared(
    call: ServiceCall, coordinator: IntruderAlertCoordinator
) -> PreparedImage:
    data = await _async_image(call, coordinator)
    try:
        return await async_prepare(call.hass, data)
    except BadImageError as err:
        raise validation_error("bad_image", error=str(err)) from err


async def _async_require_admin(call: ServiceCall) -> None:
    """Refuse a signed-in user who is not an administrator (automations have no user)."""
    if call.context.user_id is None:
        return
    user = await call.hass.auth.async_get_user(call.context.user_id)
    if user is None:
        raise UnknownUser(context=call.context)
    if not user.is_admin:
        raise Unauthorized(context=call.context)


async def _async_recognize(call: ServiceCall) -> ServiceResponse:
    if ATTR_IMAGE_PATH in call.data:
        await _async_require_admin(call)
    coordinator = _coordinator(call)
    if _names_zone(call):
        # A zone: take a still from its camera, exactly as motion would.
        sources = (ATTR_CAMERA, ATTR_IMAGE_PATH, ATTR_DEVICE_ID, ATTR_ZONE)
        if sum(key in call.data for key in sources) != 1:
            raise validation_error("one_source")
        zone = _call_zone(call, coordinator)
        outcome = await zone.async_run_once(fire_event=call.data[ATTR_FIRE_EVENT])
    else:
        frame = await _async_prepared(call, coordinator)
        outcome = await async_run(
            call.hass, coordinator, frame, fire_event=call.data[ATTR_FIRE_EVENT]
        )
    return outcome.as_dict(coordinator.config_entry.entry_id)


async def _async_enroll(call: ServiceCall) -> ServiceResponse:
    if ATTR_VISITOR_ID in call.data:
        return await async_enroll_visitor_action(call)
    coordinator = _coordinator(call)
    data = await _async_image(call, coordinator)
    response = await async_enroll(
        call.hass,
        coordinator,
        call.data[ATTR_TIER],
        call.data[ATTR_NAME],
        data,
        run_face=(call.data[ATTR_RUN_ID], call.data[ATTR_FACE_INDEX])
        if ATTR_RUN_ID in call.data
        else None,
    )
    if _names_zone(call):
        coordinator.last_unknown_faces.pop(_zone_name(call), None)
    return response


async def async_enroll(
    hass: HomeAssistant,
    coordinator: IntruderAlertCoordinator,
    tier: str,
    name: str,
    data: bytes,
    *,
    run_face: tuple[str, int] | None = None,
) -> dict[str, Any]:
    """Enrol ``name`` in ``tier`` from an image: the account's backend, then the fallback.

    The one code path of every enrolment (the action, the panel's run faces and uploads).
    ``run_face`` names the run and face the image was cut from: the panel stops asking about it.
    """
    try:
        enrolment = await hass.async_add_executor_job(coordinator.people.enroll, tier, name, data)
    except BadImageError as err:
        raise validation_error("bad_image", error=str(err)) from err
    except EnrolmentError as err:
        raise validation_error(f"enrol_{err.reason}", error=str(err)) from err
    except InvalidNameError as err:
        raise validation_error("invalid_name", error=str(err)) from err
    except EngineError as err:
        raise engine_error(err) from err
    if coordinator.fallback_people is not None:
        # The offline fallback learns the same people, so it knows them when the cloud fails.
        try:
            await hass.async_add_executor_job(coordinator.fallback_people.enroll, tier, name, data)
        except EngineError as err:
            LOGGER.warning("%s was not added to the offline fallback: %s", name, err)
    history = async_history(hass, coordinator)
    try:
        await hass.async_add_executor_job(history.note_enrolled, tier, enrolment.name, run_face)
    except OSError as err:
        LOGGER.warning("The panel could not note that %s was enrolled: %s", name, err)
    # The face the person was enrolled from, for the panel's People view (the latest one).
    await async_keep_photo(hass, coordinator, tier, enrolment, data)
    if enrolment.new_person:
        # Rules left behind by someone of that name removed elsewhere (the AWS console).
        await async_forget_rules(hass, coordinator, tier, enrolment.name)
    await coordinator.async_refresh()
    return {
        "tier": tier,
        "name": enrolment.name,
        "user_id": enrolment.user_id,
        "face_id": enrolment.face_id,
        "new_person": enrolment.new_person,
        "faces": enrolment.faces,
    }


async def _async_remove(call: ServiceCall) -> ServiceResponse:
    return await async_remove(
        call.hass, _coordinator(call), call.data[ATTR_TIER], call.data[ATTR_NAME]
    )


async def async_remove(
    hass: HomeAssistant, coordinator: IntruderAlertCoordinator, tier: str, name: str
) -> dict[str, Any]:
    """Forget a person everywhere, or say what is left.

    The offline fallback goes first: it answers when the cloud is down, so it must never know
    someone the owner removed. Then the account's backend.
    """
    forgotten_offline = False
    if coordinator.fallback_people is not None:
        try:
            await hass.async_add_executor_job(coordinator.fallback_people.remove, tier, name)
        except InvalidNameError as err:
            raise validation_error("invalid_name", error=str(err)) from err
        except NotFoundError:
            pass  # never enrolled there (added before the fallback was turned on)
        else:
            forgotten_offline = True
    try:
        deleted = await hass.async_add_executor_job(coordinator.people.remove, tier, name)
    except InvalidNameError as err:
        raise validation_error("invalid_name", error=str(err)) from err
    except NotFoundError as err:
        if not err.resource.startswith("person:"):
            raise engine_error(err) from err
        if forgotten_offline:
            deleted = 0  # only the offline fallback still knew them
        else:
            raise validation_error("person_not_found", name=name, tier=tier) from err
    except EngineError as err:
        if forgotten_offline:
            # Say exactly what is left: the cloud still knows them until it is asked again.
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="removed_only_offline",
                translation_placeholders={"name": name, "error": str(err)},
            ) from err
        raise engine_error(err) from err
    history = async_history(hass, coordinator)
    try:
        await hass.async_add_executor_job(history.note_removed, tier, name)
    except OSError as err:
        LOGGER.warning("The panel could not note that %s was removed: %s", name, err)
    await async_forget_photo(hass, coordinator, tier, name)
    await async_forget_rules(hass, coordinator, tier, name)
    await coordinator.async_refresh()
    return {"tier": tier, "name": name, "faces_deleted": deleted}


async def _async_list(call: ServiceCall) -> ServiceResponse:
    coordinator = _coordinator(call)
    tiers = [call.data[ATTR_TIER]] if ATTR_TIER in call.data else [tier.value for tier in Tier]
    rules = await async_rules_of(call.hass, coordinator.config_entry.entry_id)

    def list_all() -> dict[str, Any]:
        return {
            tier: [
                {
                    "name": person.name,
                    "user_id": person.user_id,
                    "faces": person.faces,
                    "rules": rules.shown(tier, person.user_id),
                }
                for person in coordinator.people.list(tier)
            ]
            for tier in tiers
        }

    try:
        return await call.hass.async_add_executor_job(list_all)
    except EngineError as err:
        raise engine_error(err) from err


async def _async_set_rules(call: ServiceCall) -> ServiceResponse:
    try:
        return await async_set_person_rules(
            call.hass, _coordinator(call), call.data[ATTR_TIER], call.data[ATTR_NAME], call.data
        )
    except EngineError as err:
        raise engine_error(err) from err


def async_setup_services(hass: HomeAssistant) -> None:
    """Register the actions (once, for every account).

    Who is trusted is the owner's decision: enrolling and removing people are admin-only, and
    so is recognising a file (it reads from the server's disk and sends the picture out).
    Automations (no user) may call them all.
    """
    hass.services.async_register(
        DOMAIN, SERVICE_RECOGNIZE, _async_recognize, RECOGNIZE_SCHEMA, SupportsResponse.OPTIONAL
    )
    async_register_admin_service(
        hass,
        DOMAIN,
        SERVICE_ENROLL_FACE,
        _async_enroll,
        ENROLL_SCHEMA,
        SupportsResponse.OPTIONAL,
    )
    async_register_admin_service(
        hass,
        DOMAIN,
        SERVICE_REMOVE_PERSON,
        _async_remove,
        REMOVE_SCHEMA,
        SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN, SERVICE_LIST_PEOPLE, _async_list, LIST_SCHEMA, SupportsResponse.ONLY
    )
    # Rules decide when a trusted person stops being trusted: for administrators too.
    async_register_admin_service(
        hass,
        DOMAIN,
        SERVICE_SET_PERSON_RULES,
        _async_set_rules,
        SET_RULES_SCHEMA,
        SupportsResponse.OPTIONAL,
    )
