"""Remembered strangers in Home Assistant, on real faces and both backends.

The offline account (dlib on this device) and a Rekognition account on the protocol server whose
identities dlib decides (real photos over the wire): the same stranger in two runs has one
visitor id, seen once then twice; another stranger has another id; the third sighting within the
window fires ``loitering``; enrolling the visitor makes the next frame known; expiry (the clock
moved on) forgets them, their faces too. Then what each part of Home Assistant shows of it.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.intruder_alert.const import CONF_ENDPOINT_URL, DOMAIN, EVENT_INTRUDER_ALERT
from custom_components.intruder_alert.coordinator import IntruderAlertCoordinator
from custom_components.intruder_alert.engine.local import LocalFaces
from custom_components.intruder_alert.strangers import Strangers, account_of_visitor
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util

from .conftest import BLACKLIST, ENTRY_DATA, UNIQUE_ID, WHITELIST, SceneCamera, zone_data
from .faces import crop, grace_hopper, group_of_six, jpeg, mirrored, rescaled
from .rekognition_server import Fault, RekognitionServer
from .scenes import portrait

STRANGERS = f"{WHITELIST}_strangers"


@pytest.fixture(params=["cloud", "local"])
def backend(request: pytest.FixtureRequest) -> str:
    """Both backends."""
    return str(request.param)


async def _account(
    hass: HomeAssistant,
    request: pytest.FixtureRequest,
    backend: str,
    options: dict[str, Any] | None = None,
) -> MockConfigEntry:
    """An account of ``backend`` with the zone "Front door" on ``camera.front_door``."""
    hass.states.async_set("binary_sensor.hall_motion", "off")
    if backend == "local":
        data: dict[str, Any] = {
            "backend": "local",
            "whitelist_collection": WHITELIST,
            "blacklist_collection": BLACKLIST,
        }
        unique_id = "local"
    else:
        server: RekognitionServer = request.getfixturevalue("real_faces_server")
        data = {**ENTRY_DATA, CONF_ENDPOINT_URL: server.url}
        unique_id = UNIQUE_ID
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Intruder Alert",
        data=data,
        options=options or {},
        unique_id=unique_id,
        subentries_data=[
            ConfigSubentryData(
                data=zone_data(), subentry_type="zone", title="Front door", unique_id=None
            )
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


def _coordinator(entry: MockConfigEntry) -> IntruderAlertCoordinator:
    coordinator: IntruderAlertCoordinator = entry.runtime_data
    return coordinator


def _zone_device(entry: MockConfigEntry) -> str:
    return next(iter(_coordinator(entry).zones.values())).device_id or ""


async def _see(
    hass: HomeAssistant, entry: MockConfigEntry, camera: SceneCamera, frame: bytes, **data: Any
) -> dict[str, Any]:
    """The zone's camera shows ``frame``; Recognise now (as motion would, with an event)."""
    camera.frame = frame
    response = await hass.services.async_call(
        DOMAIN,
        "recognize",
        {"device_id": _zone_device(entry), **data},
        blocking=True,
        return_response=True,
    )
    await hass.async_block_till_done()
    assert response is not None
    return dict(response)


def _faces_remembered(
    hass: HomeAssistant, request: pytest.FixtureRequest, entry: MockConfigEntry, backend: str
) -> list[dict[str, Any]]:
    """The faces in the strangers' collection (the cloud's, or this device's embeddings)."""
    if backend == "local":
        strangers = _coordinator(entry).strangers
        assert strangers is not None
        assert isinstance(strangers.backend, LocalFaces)
        return strangers.backend.list_faces(STRANGERS)
    server: RekognitionServer = request.getfixturevalue("real_faces_server")
    local = server.service.local  # type: ignore[attr-defined]
    if STRANGERS not in local.store["collections"]:
        return []
    return [
        {"FaceId": face_id, "ExternalImageId": face["external_id"]}
        for face_id, face in local.store["collections"][STRANGERS]["faces"].items()
    ]


def _other_stranger() -> bytes:
    """One guest of the group photo, on their own."""
    from custom_components.intruder_alert.engine.local import LocalFaces as Detector

    photo = group_of_six()
    box = Detector().detect_faces(jpeg(photo))[2]["BoundingBox"]
    return jpeg(crop(photo, box))


@pytest.mark.freeze_time("2026-03-03 10:00:00", tick=True)
async def test_strangers_are_remembered_then_loiter_then_expire(
    hass: HomeAssistant,
    request: pytest.FixtureRequest,
    media_dir: Path,
    scene_camera: SceneCamera,
    freezer: FrozenDateTimeFactory,
    backend: str,
) -> None:
    """One visitor id per stranger across runs and restarts; loitering on the third; expiry."""
    entry = await _account(hass, request, backend)
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    first = await _see(hass, entry, scene_camera, jpeg(grace_hopper()))
    assert first["type"] == "unknown_person"
    [face] = first["faces"]
    visitor = face["visitor_id"]
    assert visitor.startswith("visitor-")
    assert face["times_seen"] == 1
    assert face["first_seen"] == face["last_seen"] == first["time"]
    # Her face is remembered after the event: one face, named by the visitor id.
    assert [f["ExternalImageId"] for f in _faces_remembered(hass, request, entry, backend)] == [
        visitor
    ]

    freezer.move_to(dt_util.utcnow() + timedelta(hours=2))
    # Kept across a restart of the account.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    second = await _see(hass, entry, scene_camera, jpeg(mirrored(grace_hopper())))
    [face] = second["faces"]
    assert (second["type"], face["visitor_id"], face["times_seen"]) == (
        "unknown_person",
        visitor,
        2,
    )
    assert face["first_seen"] == first["time"]
    assert face["last_seen"] == second["time"]
    assert second["summary"] == "1 unknown, seen 2 times"

    other = await _see(hass, entry, scene_camera, _other_stranger())
    [stranger] = other["faces"]
    assert stranger["verdict"] == "unknown"
    assert stranger["visitor_id"] not in (None, visitor)
    assert stranger["times_seen"] == 1

    freezer.move_to(dt_util.utcnow() + timedelta(hours=3))
    third = await _see(hass, entry, scene_camera, jpeg(rescaled(grace_hopper(), 0.6)))
    assert third["type"] == "loitering"
    assert third["verdict"] == "unknown"
    assert (third["faces"][0]["visitor_id"], third["faces"][0]["times_seen"]) == (visitor, 3)
    assert third["summary"] == "1 unknown, seen 3 times"
    assert [event.data["type"] for event in events] == [
        "unknown_person",
        "unknown_person",
        "unknown_person",
        "loitering",
    ]
    # The zone's event entity and its last-verdict sensor say it too.
    assert hass.states.get("event.front_door_recognition").attributes["event_type"] == "loitering"
    assert hass.states.get("sensor.front_door_last_verdict").state == "loitering"

    # 15 days on: nobody was seen in the last 14, so both are forgotten, faces and all.
    freezer.move_to(dt_util.utcnow() + timedelta(days=15))
    async_fire_time_changed(hass)
    # The check runs as a background task.
    await hass.async_block_till_done(wait_background_tasks=True)
    strangers = _coordinator(entry).strangers
    assert strangers is not None
    assert strangers.memory.visitors == {}
    assert _faces_remembered(hass, request, entry, backend) == []
    again = await _see(hass, entry, scene_camera, jpeg(grace_hopper()))
    assert again["faces"][0]["visitor_id"] != visitor
    assert again["faces"][0]["times_seen"] == 1


async def test_enrolling_a_visitor_makes_the_next_frame_known(
    hass: HomeAssistant,
    request: pytest.FixtureRequest,
    media_dir: Path,
    scene_camera: SceneCamera,
    backend: str,
) -> None:
    """Named once, from their best kept faces: known from then on, no longer a stranger."""
    entry = await _account(hass, request, backend)
    runs = [
        await _see(hass, entry, scene_camera, jpeg(frame))
        for frame in (rescaled(grace_hopper(), 0.6), grace_hopper())
    ]
    visitor = runs[0]["faces"][0]["visitor_id"]
    assert runs[1]["faces"][0]["visitor_id"] == visitor
    enrolled = await hass.services.async_call(
        DOMAIN,
        "enroll_face",
        {"visitor_id": visitor, "tier": "whitelist", "name": "Grace Hopper"},
        blocking=True,
        return_response=True,
    )
    assert enrolled is not None
    assert enrolled["visitor_id"] == visitor
    assert (enrolled["name"], enrolled["tier"], enrolled["new_person"]) == (
        "Grace Hopper",
        "whitelist",
        True,
    )
    assert enrolled["faces"] == 2
    # The larger face first.
    assert enrolled["enrolled_from"] == [
        {"run_id": runs[1]["run_id"], "face_index": 0},
        {"run_id": runs[0]["run_id"], "face_index": 0},
    ]
    known = await _see(hass, entry, scene_camera, jpeg(mirrored(grace_hopper())))
    assert (known["type"], known["names"]) == ("known_person", ["Grace Hopper"])
    assert known["faces"][0]["visitor_id"] is None
    strangers = _coordinator(entry).strangers
    assert strangers is not None
    assert visitor not in strangers.memory
    assert _faces_remembered(hass, request, entry, backend) == []
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "enroll_face",
            {"visitor_id": visitor, "tier": "whitelist", "name": "Grace"},
            blocking=True,
        )
    assert err.value.translation_key == "visitor_not_found"


# What Home Assistant shows of it, on the protocol server's coloured squares (fast).
async def _recognize(hass: HomeAssistant, media_dir: Path, frame: bytes, **data: Any) -> Any:
    path = media_dir / "frame.jpg"
    path.write_bytes(frame)
    return await hass.services.async_call(
        DOMAIN, "recognize", {"image_path": str(path), **data}, blocking=True, return_response=True
    )


def _stranger_faces(server: RekognitionServer) -> list[str]:
    """The visitor ids of the faces in the strangers' collection."""
    collection = server.service.collections.get(STRANGERS)
    return (
        sorted(face["ExternalImageId"] for face in collection.faces.values()) if collection else []
    )


class Panel:
    """An administrator's websocket connection."""

    def __init__(self, client: Any) -> None:
        self.client = client

    async def call(self, command: str, **data: Any) -> dict[str, Any]:
        await self.client.send_json_auto_id({"type": f"intruder_alert/{command}", **data})
        return dict(await self.client.receive_json())


async def test_the_panel_reviews_and_names_a_visitor(
    hass: HomeAssistant,
    server_entry: MockConfigEntry,
    rekognition_server: RekognitionServer,
    media_dir: Path,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """Review and run say who each stranger is; enroll_visitor names them from the panel."""
    runs = [await _recognize(hass, media_dir, portrait("mallory")) for _ in range(4)]
    other = await _recognize(hass, media_dir, portrait("trent"))
    visitor = runs[0]["faces"][0]["visitor_id"]
    panel = Panel(await hass_ws_client(hass))

    review = await panel.call("review")
    assert review["success"], review
    faces = {face["run_id"]: face for face in review["result"]["faces"]}
    # The visitor as remembered now: each of mallory's faces says seen four times.
    assert [
        (faces[run["run_id"]]["visitor_id"], faces[run["run_id"]]["times_seen"]) for run in runs
    ] == [(visitor, 4)] * 4
    assert faces[other["run_id"]]["visitor_id"] == other["faces"][0]["visitor_id"]
    run = await panel.call("run", run_id=runs[1]["run_id"])
    assert run["success"], run
    # The run as its event said it.
    assert (run["result"]["faces"][0]["visitor_id"], run["result"]["faces"][0]["times_seen"]) == (
        visitor,
        2,
    )

    refused = await panel.call(
        "enroll_visitor", visitor_id="visitor-nobody", tier="whitelist", name="X"
    )
    assert refused["error"]["translation_key"] == "visitor_not_found"
    enrolled = await panel.call(
        "enroll_visitor",
        entry_id=server_entry.entry_id,
        visitor_id=visitor,
        tier="blacklist",
        name="Mallory",
    )
    assert enrolled["success"], enrolled
    # From three of the four faces (all as large and sharp: the newest first).
    assert enrolled["result"]["faces"] == 3
    assert enrolled["result"]["enrolled_from"] == [
        {"run_id": run["run_id"], "face_index": 0} for run in reversed(runs[1:])
    ]
    assert enrolled["result"]["tier"] == "blacklist"
    assert _stranger_faces(rekognition_server) == [other["faces"][0]["visitor_id"]]
    # Every face of theirs is answered: the review asks only about the other stranger.
    review = await panel.call("review")
    assert [face["run_id"] for face in review["result"]["faces"]] == [other["run_id"]]
    again = await _recognize(hass, media_dir, portrait("mallory"))
    assert (again["type"], again["names"]) == ("blacklisted_person", ["Mallory"])


async def test_test_calls_only_look(
    hass: HomeAssistant, server_entry: MockConfigEntry, media_dir: Path
) -> None:
    """A test call names a remembered stranger, and notes nothing."""
    quiet = await _recognize(hass, media_dir, portrait("mallory"), fire_event=False)
    assert quiet["faces"][0]["visitor_id"] is None
    seen = await _recognize(hass, media_dir, portrait("mallory"))
    visitor = seen["faces"][0]["visitor_id"]
    for _ in range(3):
        quiet = await _recognize(hass, media_dir, portrait("mallory"), fire_event=False)
        assert (quiet["type"], quiet["faces"][0]["visitor_id"]) == ("unknown_person", visitor)
        assert quiet["faces"][0]["times_seen"] == 1
    strangers = _coordinator(server_entry).strangers
    assert strangers is not None
    assert strangers.memory.times_seen(visitor) == 1


async def test_turned_off_it_forgets_everyone(
    hass: HomeAssistant,
    server_entry: MockConfigEntry,
    rekognition_server: RekognitionServer,
    media_dir: Path,
) -> None:
    """Remember strangers for 0 days: no third call, no visitor ids, everyone forgotten."""
    seen = await _recognize(hass, media_dir, portrait("mallory"))
    assert seen["api_calls"] == 3
    assert _stranger_faces(rekognition_server) == [seen["faces"][0]["visitor_id"]]
    hass.config_entries.async_update_entry(server_entry, options={"strangers_days": 0})
    assert await hass.config_entries.async_reload(server_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert _coordinator(server_entry).strangers is None
    assert _stranger_faces(rekognition_server) == []
    off = await _recognize(hass, media_dir, portrait("mallory"))
    assert (off["api_calls"], off["faces"][0]["visitor_id"]) == (2, None)
    # Back on: nobody is remembered.
    hass.config_entries.async_update_entry(server_entry, options={"strangers_days": 3})
    assert await hass.config_entries.async_reload(server_entry.entry_id)
    await hass.async_block_till_done()
    strangers = _coordinator(server_entry).strangers
    assert strangers is not None
    assert (strangers.days, strangers.memory.visitors) == (3, {})


async def test_enroll_visitor_refusals(
    hass: HomeAssistant, server_entry: MockConfigEntry, media_dir: Path
) -> None:
    """Another source beside the visitor, a bad name, no kept face: refused, nothing changes."""
    seen = await _recognize(hass, media_dir, portrait("mallory"))
    visitor = seen["faces"][0]["visitor_id"]

    async def enrol(**data: Any) -> str | None:
        with pytest.raises(ServiceValidationError) as err:
            await hass.services.async_call(
                DOMAIN,
                "enroll_face",
                {"visitor_id": visitor, "tier": "whitelist", "name": "Mallory", **data},
                blocking=True,
            )
        return err.value.translation_key

    assert await enrol(run_id=seen["run_id"], face_index=0) == "one_source"
    assert await enrol(name="   ") == "invalid_name"
    assert await enrol(config_entry_id="nope") == "entry_not_found"
    # Their snapshot deleted: no face left to enrol them from.
    Path(seen["snapshot_path"]).unlink()
    assert await enrol() == "visitor_no_kept_face"
    strangers = _coordinator(server_entry).strangers
    assert strangers is not None
    assert visitor in strangers.memory


async def test_remembering_fails_quietly_and_deletion_is_retried(
    hass: HomeAssistant,
    server_entry: MockConfigEntry,
    rekognition_server: RekognitionServer,
    media_dir: Path,
    caplog: pytest.LogCaptureFixture,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The alarm goes out whatever the strangers' collection does; deletions are retried."""
    service = rekognition_server.service
    service.faults.append(Fault("IndexFaces", "error500", count=100))
    first = await _recognize(hass, media_dir, portrait("mallory"))
    assert first["type"] == "unknown_person"
    assert "A new stranger's face could not be remembered" in caplog.text
    service.faults.clear()
    strangers = _coordinator(server_entry).strangers
    assert strangers is not None
    assert strangers.memory.faces_of(first["faces"][0]["visitor_id"]) == []
    # Unsearchable without a face: seen again, a new visitor (whose face is remembered now).
    second = await _recognize(hass, media_dir, portrait("mallory"))
    visitor = second["faces"][0]["visitor_id"]
    assert visitor != first["faces"][0]["visitor_id"]
    assert _stranger_faces(rekognition_server) == [visitor]

    # An IndexFaces that kept another face than the one cut out: deleted again.
    original = service.op_index_faces

    def elsewhere(params: dict[str, Any]) -> dict[str, Any]:
        answer = original(params)
        for record in answer["FaceRecords"]:
            record["Face"]["BoundingBox"] = {"Left": 0.0, "Top": 0.0, "Width": 0.05, "Height": 0.05}
        return answer

    with patch.object(service, "op_index_faces", elsewhere):
        trent = await _recognize(hass, media_dir, portrait("trent"))
    assert _stranger_faces(rekognition_server) == [visitor]
    assert strangers.memory.faces_of(trent["faces"][0]["visitor_id"]) == []
    # And one that found no face in the crop.
    with patch.object(
        service, "op_index_faces", lambda params: {"FaceRecords": [], "UnindexedFaces": []}
    ):
        await _recognize(hass, media_dir, portrait("walter"))
    assert _stranger_faces(rekognition_server) == [visitor]

    # Expired while DeleteFaces fails: the faces are kept as orphans and deleted next time.
    service.faults.append(Fault("DeleteFaces", "error500", count=100))
    freezer.move_to(dt_util.utcnow() + timedelta(days=15))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert strangers.memory.visitors == {}
    assert strangers.memory.data["orphans"]
    assert "faces of forgotten strangers could not be deleted yet" in caplog.text
    service.faults.clear()
    freezer.move_to(dt_util.utcnow() + timedelta(hours=2))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert strangers.memory.data["orphans"] == []
    assert _stranger_faces(rekognition_server) == []
    # With the collection gone, there is nothing to delete.
    service.collections.pop(STRANGERS)
    await strangers.async_delete(["face-gone"])
    assert strangers.memory.data["orphans"] == []


async def test_a_failure_after_the_event_is_only_logged(
    hass: HomeAssistant,
    server_entry: MockConfigEntry,
    media_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with patch.object(Strangers, "async_after_event", side_effect=RuntimeError("disk gone")):
        seen = await _recognize(hass, media_dir, portrait("mallory"))
    assert seen["type"] == "unknown_person"
    assert "The run's strangers could not be remembered" in caplog.text


async def test_a_visitor_is_found_in_its_own_account(
    hass: HomeAssistant,
    server_entry: MockConfigEntry,
    media_dir: Path,
) -> None:
    """With two accounts, enroll_face finds the account that remembers the visitor."""
    seen = await _recognize(hass, media_dir, portrait("mallory"))
    visitor = seen["faces"][0]["visitor_id"]
    other = MockConfigEntry(domain=DOMAIN, title="Other", data={}, state=None)
    other.add_to_hass(hass)
    enrolled = await hass.services.async_call(
        DOMAIN,
        "enroll_face",
        {"visitor_id": visitor, "tier": "whitelist", "name": "Mallory"},
        blocking=True,
        return_response=True,
    )
    assert enrolled is not None
    assert enrolled["name"] == "Mallory"
    assert account_of_visitor(hass, other.entry_id, visitor) is None


async def test_removing_the_account_deletes_the_strangers_faces_from_aws(
    hass: HomeAssistant,
    server_entry: MockConfigEntry,
    rekognition_server: RekognitionServer,
    media_dir: Path,
) -> None:
    """The strangers' collection is ours: nothing would ever expire it after the account."""
    mallory = await _recognize(hass, media_dir, portrait("mallory"))
    trent = await _recognize(hass, media_dir, portrait("trent"))
    assert _stranger_faces(rekognition_server) == sorted(
        [mallory["faces"][0]["visitor_id"], trent["faces"][0]["visitor_id"]]
    )
    # Trent is named: he becomes the owner's, no longer a stranger.
    await hass.services.async_call(
        DOMAIN,
        "enroll_face",
        {"visitor_id": trent["faces"][0]["visitor_id"], "tier": "whitelist", "name": "Trent"},
        blocking=True,
    )
    assert await hass.config_entries.async_remove(server_entry.entry_id)
    await hass.async_block_till_done()
    assert _stranger_faces(rekognition_server) == []
    # The people the owner enrolled are theirs: left where they are.
    assert list(rekognition_server.service.collections[WHITELIST].users) == ["Trent"]


async def test_removing_the_account_offline_names_the_collection_left_in_aws(
    hass: HomeAssistant,
    server_entry: MockConfigEntry,
    rekognition_server: RekognitionServer,
    media_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """No connection at removal: the account still goes, the log says what to delete."""
    await _recognize(hass, media_dir, portrait("mallory"))
    rekognition_server.service.faults.append(Fault("ListFaces", "error500", count=100))
    assert await hass.config_entries.async_remove(server_entry.entry_id)
    await hass.async_block_till_done()
    assert not hass.config_entries.async_entries(DOMAIN)
    assert len(_stranger_faces(rekognition_server)) == 1
    assert f"could not be deleted from the Rekognition collection {STRANGERS}" in caplog.text
    assert "AWS console" in caplog.text


async def test_removing_an_account_that_never_met_a_stranger(
    hass: HomeAssistant,
    server_entry: MockConfigEntry,
    rekognition_server: RekognitionServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """No strangers' collection: nothing to delete, nothing to warn about."""
    assert STRANGERS not in rekognition_server.service.collections
    assert await hass.config_entries.async_remove(server_entry.entry_id)
    await hass.async_block_till_done()
    assert "remembered strangers" not in caplog.text
