"""Only the owner decides who is trusted: real Home Assistant users, over the websocket API.

An administrator and an ordinary user (HA's "users" group) call the actions as the frontend
does. Faces are enrolled by the run and face an event showed, never by "the newest stranger".
"""

from __future__ import annotations

from http import HTTPStatus
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator, WebSocketGenerator

from custom_components.intruder_alert.const import DOMAIN, EVENT_INTRUDER_ALERT
from custom_components.intruder_alert.pipeline import async_prepare, async_run
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError, UnknownUser
from homeassistant.setup import async_setup_component

from .conftest import BLACKLIST, ENTRY_DATA, UNIQUE_ID, WHITELIST, enroll_directly, enroll_photo
from .faces import grace_hopper, jpeg
from .rekognition_server import Fault, RealFacesRekognition, RekognitionServer
from .scenes import Person, portrait, scene


async def _ws_call(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    token: str | None,
    service: str,
    data: dict[str, Any],
) -> dict[str, Any]:
    client = await hass_ws_client(hass, access_token=token) if token else await hass_ws_client(hass)
    await client.send_json_auto_id(
        {
            "type": "call_service",
            "domain": DOMAIN,
            "service": service,
            "service_data": data,
            "return_response": True,
        }
    )
    return dict(await client.receive_json())


async def test_an_ordinary_user_cannot_change_who_is_trusted(
    hass: HomeAssistant,
    server_entry: MockConfigEntry,
    rekognition_server: RekognitionServer,
    media_dir: Path,
    hass_ws_client: WebSocketGenerator,
    user_token: str,
) -> None:
    photo = media_dir / "me.jpg"
    photo.write_bytes(portrait("mallory"))
    enroll_directly(rekognition_server, "intruder_alert_blacklist", "eve", "Eve")
    calls_before = sum(rekognition_server.service.calls.values())

    for service, data in (
        ("enroll_face", {"tier": "whitelist", "name": "Me", "image_path": str(photo)}),
        ("remove_person", {"tier": "blacklist", "name": "Eve"}),
        ("recognize", {"image_path": str(photo)}),
    ):
        answer = await _ws_call(hass, hass_ws_client, user_token, service, data)
        assert not answer["success"], service
        # What the frontend shows: HA's own Unauthorized error.
        assert answer["error"]["message"] == "Unauthorized", service

    # Nothing reached AWS, nothing changed.
    assert sum(rekognition_server.service.calls.values()) == calls_before
    people = await hass.services.async_call(
        DOMAIN, "list_people", {}, blocking=True, return_response=True
    )
    assert people == {
        "whitelist": [],
        "blacklist": [
            {
                "name": "Eve",
                "user_id": people["blacklist"][0]["user_id"],
                "faces": 1,
                "rules": None,
            }
        ],
    }

    # The administrator can (over the same API).
    answer = await _ws_call(
        hass,
        hass_ws_client,
        None,
        "enroll_face",
        {"tier": "whitelist", "name": "Mallory", "image_path": str(photo)},
    )
    assert answer["success"], answer
    assert answer["result"]["response"]["name"] == "Mallory"


async def test_an_ordinary_user_may_still_test_a_camera(
    hass: HomeAssistant,
    server_entry: MockConfigEntry,
    scene_camera: Any,
    hass_ws_client: WebSocketGenerator,
    user_token: str,
) -> None:
    """Recognising what a camera sees reads no file and changes nobody's trust."""
    scene_camera.frame = portrait("bob")
    answer = await _ws_call(
        hass,
        hass_ws_client,
        user_token,
        "recognize",
        {"camera_entity_id": "camera.front_door", "fire_event": False},
    )
    assert answer["success"], answer
    assert answer["result"]["response"]["type"] == "unknown_person"


async def test_the_face_enrolled_is_the_face_the_event_showed(
    hass: HomeAssistant, server_entry: MockConfigEntry, media_dir: Path
) -> None:
    """Two strangers seen one after the other; the answer about the first enrols the first."""
    coordinator = server_entry.runtime_data
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    friend = await async_prepare(hass, scene([Person("dave", 100, 100, 140)]))
    intruder = await async_prepare(hass, scene([Person("mallory", 300, 150, 140)]))
    await async_run(hass, coordinator, friend, zone="Porch")
    # The intruder arrives between the question and the owner's tap.
    await async_run(hass, coordinator, intruder, zone="Porch")
    first, second = (event.data for event in events)
    assert first["run_id"] != second["run_id"]
    assert [face["index"] for face in first["faces"]] == [0]

    enrolled = await hass.services.async_call(
        DOMAIN,
        "enroll_face",
        {"tier": "whitelist", "name": "Dave", "run_id": first["run_id"], "face_index": 0},
        blocking=True,
        return_response=True,
    )
    assert enrolled is not None
    assert enrolled["name"] == "Dave"
    dave_again = await async_run(hass, coordinator, friend, zone="Porch")
    mallory_again = await async_run(hass, coordinator, intruder, zone="Porch")
    assert (dave_again.verdict, dave_again.names) == ("known", ["Dave"])
    assert mallory_again.verdict == "unknown"

    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "enroll_face",
            {"tier": "whitelist", "name": "X", "run_id": first["run_id"], "face_index": 3},
            blocking=True,
            return_response=True,
        )
    assert err.value.translation_key == "face_not_found"
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "enroll_face",
            {"tier": "whitelist", "name": "X", "run_id": "01NOSUCHRUN", "face_index": 0},
            blocking=True,
            return_response=True,
        )
    assert err.value.translation_key == "run_not_found"


async def test_the_zone_shortcut_refuses_to_guess_between_strangers(
    hass: HomeAssistant, server_entry: MockConfigEntry, media_dir: Path
) -> None:
    coordinator = server_entry.runtime_data
    two = await async_prepare(
        hass, scene([Person("dave", 60, 60, 140), Person("mallory", 380, 200, 140)])
    )
    outcome = await async_run(hass, coordinator, two, zone="Porch")
    assert [face.verdict for face in outcome.faces] == ["unknown", "unknown"]
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "enroll_face",
            {"tier": "whitelist", "name": "Dave", "zone": "Porch"},
            blocking=True,
            return_response=True,
        )
    assert err.value.translation_key == "several_unknown_faces"
    # Nothing was enrolled.
    people = await hass.services.async_call(
        DOMAIN, "list_people", {"tier": "whitelist"}, blocking=True, return_response=True
    )
    assert people == {"whitelist": []}


async def _snapshot_of_a_run(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    frame = await async_prepare(hass, portrait("mallory"))
    outcome = await async_run(hass, entry.runtime_data, frame, zone="Porch")
    return outcome.as_dict(entry.entry_id)


async def test_snapshots_are_for_administrators_only(
    hass: HomeAssistant,
    server_entry: MockConfigEntry,
    media_dir: Path,
    hass_ws_client: WebSocketGenerator,
    hass_client: ClientSessionGenerator,
    user_token: str,
    aiohttp_client: Any,
) -> None:
    """Nobody browses faces in the media browser; only an administrator can fetch one."""
    assert await async_setup_component(hass, "media_source", {})
    run = await _snapshot_of_a_run(hass, server_entry)
    media_id = run["snapshot_media_id"]
    assert media_id.startswith("media-source://intruder_alert/")
    # Not in any media folder every user can browse.
    assert not Path(run["snapshot_path"]).is_relative_to(media_dir)

    for token in (user_token, None):
        client = (
            await hass_ws_client(hass, access_token=token) if token else await hass_ws_client(hass)
        )
        await client.send_json_auto_id(
            {
                "type": "media_source/browse_media",
                "media_content_id": "media-source://intruder_alert",
            }
        )
        browse = await client.receive_json()
        assert not browse["success"]
        await client.send_json_auto_id(
            {"type": "media_source/resolve_media", "media_content_id": media_id}
        )
        resolved = await client.receive_json()
        assert resolved["success"], resolved
        url = resolved["result"]["url"]

        # The signed URL works only for an administrator.
        http = await hass_client() if token is None else await aiohttp_client(hass.http.app)
        answer = await http.get(url)
        if token is None:
            assert answer.status == HTTPStatus.OK
            assert await answer.read() == Path(run["snapshot_path"]).read_bytes()
            assert answer.headers["Cache-Control"] == "private, no-store"
        else:
            assert answer.status == HTTPStatus.FORBIDDEN

    # An unsigned request with the ordinary user's own token is refused too.
    http = await aiohttp_client(hass.http.app)
    answer = await http.get(
        f"/api/intruder_alert/snapshots/{server_entry.entry_id}/{Path(run['snapshot_path']).name}",
        headers={"Authorization": f"Bearer {user_token}"},
    )
    assert answer.status == HTTPStatus.FORBIDDEN
    # Only snapshot images are served: not the run's record beside it.
    admin = await hass_client()
    record = Path(run["snapshot_path"]).with_suffix(".json").name
    answer = await admin.get(f"/api/intruder_alert/snapshots/{server_entry.entry_id}/{record}")
    assert answer.status == HTTPStatus.NOT_FOUND


async def test_removing_the_account_leaves_no_face_behind(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    server_entry: MockConfigEntry,
    media_dir: Path,
) -> None:
    """Snapshots, records and the face stores go with the account."""
    run = await _snapshot_of_a_run(hass, server_entry)
    folder = Path(run["snapshot_path"]).parent
    assert any(folder.iterdir())
    key = f"intruder_alert.{server_entry.entry_id}.fallback_faces"
    hass_storage[key] = {"version": 1, "data": {"collections": {}}}

    assert await hass.config_entries.async_remove(server_entry.entry_id)
    await hass.async_block_till_done()
    assert not folder.exists()
    assert key not in hass_storage
    assert not (media_dir / "intruder_alert").exists()


async def test_a_removed_person_is_not_known_to_the_offline_fallback(
    hass: HomeAssistant, media_dir: Path, socket_enabled: None
) -> None:
    """Removed while the cloud is down: the fallback forgets them at once.

    The error says AWS still has to be asked; meanwhile the fallback no longer knows them.
    """
    with RekognitionServer(RealFacesRekognition()) as server:
        for collection in (WHITELIST, BLACKLIST):
            server.service.handle("CreateCollection", {"CollectionId": collection})
        entry = MockConfigEntry(
            domain=DOMAIN,
            data={**ENTRY_DATA, "endpoint_url": server.url},
            options={"local_fallback": True},
            unique_id=UNIQUE_ID,
        )
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        await enroll_photo(hass, media_dir, "whitelist", "Grace", jpeg(grace_hopper()))

        server.service.faults.append(Fault("*", "error500", count=10_000))
        with pytest.raises(HomeAssistantError) as err:
            await hass.services.async_call(
                DOMAIN,
                "remove_person",
                {"tier": "whitelist", "name": "Grace"},
                blocking=True,
                return_response=True,
            )
        assert err.value.translation_key == "removed_only_offline"

        frame = await async_prepare(hass, jpeg(grace_hopper()))
        outcome = await async_run(hass, entry.runtime_data, frame, zone="Porch")
        assert outcome.backend == "local_fallback"
        assert outcome.verdict == "unknown"

        # The cloud answers again: removing finishes there.
        server.service.faults.clear()
        answer = await hass.services.async_call(
            DOMAIN,
            "remove_person",
            {"tier": "whitelist", "name": "Grace"},
            blocking=True,
            return_response=True,
        )
        assert answer is not None
        assert answer["faces_deleted"] == 1
        assert await hass.config_entries.async_unload(entry.entry_id)


async def test_snapshot_ids_of_unknown_accounts_resolve_to_nothing(
    hass: HomeAssistant,
    server_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    hass_client: ClientSessionGenerator,
) -> None:
    """A snapshot id of a removed account, or a name that is no snapshot, is not found."""
    assert await async_setup_component(hass, "media_source", {})
    client = await hass_ws_client(hass)
    for media_id in (
        "media-source://intruder_alert/01NOSUCHACCOUNT/20261130T020000000000Z_hall.jpg",
        f"media-source://intruder_alert/{server_entry.entry_id}/nothing.jpg",
        f"media-source://intruder_alert/{server_entry.entry_id}/notes.txt",
    ):
        await client.send_json_auto_id(
            {"type": "media_source/resolve_media", "media_content_id": media_id}
        )
        answer = await client.receive_json()
        assert not answer["success"], media_id
    admin = await hass_client()
    answer = await admin.get("/api/intruder_alert/snapshots/01NOSUCHACCOUNT/x.jpg")
    assert answer.status == HTTPStatus.NOT_FOUND


async def test_a_token_of_a_deleted_user_is_refused(
    hass: HomeAssistant, server_entry: MockConfigEntry, media_dir: Path
) -> None:
    """A call made in the name of a user who no longer exists reads no file."""
    photo = media_dir / "me.jpg"
    photo.write_bytes(portrait("mallory"))
    with pytest.raises(UnknownUser):
        await hass.services.async_call(
            DOMAIN,
            "recognize",
            {"image_path": str(photo)},
            blocking=True,
            return_response=True,
            context=Context(user_id="01NOSUCHUSER"),
        )


async def test_enrolling_from_a_run_needs_the_face(
    hass: HomeAssistant, server_entry: MockConfigEntry, media_dir: Path
) -> None:
    run = await _snapshot_of_a_run(hass, server_entry)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "enroll_face",
            {"tier": "whitelist", "name": "X", "run_id": run["run_id"]},
            blocking=True,
            return_response=True,
        )
    assert err.value.translation_key == "face_index_required"


async def test_people_change_even_when_the_panel_cannot_note_it(
    hass: HomeAssistant,
    server_entry: MockConfigEntry,
    media_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A full disk for the panel's notes never undoes or blocks an enrolment or a removal."""
    run = await _snapshot_of_a_run(hass, server_entry)
    with (
        patch(
            "custom_components.intruder_alert.history.RunHistory.note_enrolled",
            side_effect=OSError(28, "No space left on device"),
        ),
        patch(
            "custom_components.intruder_alert.history.RunHistory.note_removed",
            side_effect=OSError(28, "No space left on device"),
        ),
    ):
        enrolled = await hass.services.async_call(
            DOMAIN,
            "enroll_face",
            {"tier": "blacklist", "name": "Mallory", "run_id": run["run_id"], "face_index": 0},
            blocking=True,
            return_response=True,
        )
        removed = await hass.services.async_call(
            DOMAIN,
            "remove_person",
            {"tier": "blacklist", "name": "Mallory"},
            blocking=True,
            return_response=True,
        )
    assert enrolled is not None
    assert enrolled["name"] == "Mallory"
    assert removed is not None
    assert removed["faces_deleted"] == 1
    assert "could not note that Mallory was enrolled" in caplog.text
    assert "could not note that Mallory was removed" in caplog.text
