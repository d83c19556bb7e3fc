"""The Intruder Alert panel's websocket commands, through Home Assistant's websocket API.

A real Home Assistant, the local Rekognition protocol server, real runs of the pipeline; the
commands are called as the panel calls them, by an administrator and by an ordinary user.
"""

from __future__ import annotations

import base64
from http import HTTPStatus
import io
from pathlib import Path
from typing import Any
from unittest.mock import patch

from PIL import Image
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator, WebSocketGenerator

from custom_components.intruder_alert import websocket_api as panel_api
from custom_components.intruder_alert.pipeline import Outcome, async_prepare, async_run
from homeassistant.core import HomeAssistant

from .conftest import WHITELIST, enroll_directly
from .rekognition_server import RekognitionServer
from .scenes import Person, empty, portrait, scene

# Far enough apart that each face's crop shows one face.
FAMILY_AND_STRANGERS = scene(
    [Person("alice", 20, 20, 200), Person("mallory", 400, 40, 100), Person("eve", 480, 360, 80)]
)
COMMANDS: list[dict[str, Any]] = [
    {"type": "intruder_alert/runs"},
    {"type": "intruder_alert/run", "run_id": "x"},
    {"type": "intruder_alert/review"},
    {"type": "intruder_alert/dismiss", "run_id": "x", "face_index": 0},
    {"type": "intruder_alert/people"},
    {"type": "intruder_alert/person_rules", "tier": "whitelist", "name": "X"},
    {"type": "intruder_alert/set_person_rules", "tier": "whitelist", "name": "X"},
    {
        "type": "intruder_alert/enroll_run_face",
        "run_id": "x",
        "face_index": 0,
        "tier": "whitelist",
        "name": "X",
    },
    {"type": "intruder_alert/enroll_upload", "tier": "whitelist", "name": "X", "image": "AA=="},
    {"type": "intruder_alert/enroll_visitor", "visitor_id": "x", "tier": "whitelist", "name": "X"},
    {"type": "intruder_alert/move", "name": "X", "from_tier": "whitelist", "to_tier": "blacklist"},
    {"type": "intruder_alert/remove", "tier": "whitelist", "name": "X"},
    {"type": "intruder_alert/zones"},
    {"type": "intruder_alert/recognise_now", "zone_id": "x"},
]


class Panel:
    """A websocket connection, as the panel holds one."""

    def __init__(self, client: Any) -> None:
        self.client = client

    async def call(self, command: str, **data: Any) -> dict[str, Any]:
        """Send a command; the whole answer (success, result or error)."""
        await self.client.send_json_auto_id({"type": f"intruder_alert/{command}", **data})
        return dict(await self.client.receive_json())

    async def result(self, command: str, **data: Any) -> Any:
        """Send a command that must succeed; its result."""
        answer = await self.call(command, **data)
        assert answer["success"], answer
        return answer["result"]

    async def error(self, command: str, **data: Any) -> dict[str, Any]:
        """Send a command that must fail; its error."""
        answer = await self.call(command, **data)
        assert not answer["success"], answer
        return dict(answer["error"])


@pytest.fixture
async def panel(hass: HomeAssistant, hass_ws_client: WebSocketGenerator) -> Panel:
    """An administrator's websocket connection."""
    return Panel(await hass_ws_client(hass))


async def _run(hass: HomeAssistant, entry: MockConfigEntry, frame: bytes, zone: str) -> Outcome:
    prepared = await async_prepare(hass, frame)
    return await async_run(hass, entry.runtime_data, prepared, zone=zone, fire_event=False)


async def test_every_command_refuses_an_ordinary_user(
    hass: HomeAssistant,
    server_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    user_token: str,
) -> None:
    """Faces and who is trusted are the administrators' business: every command says so."""
    household = Panel(await hass_ws_client(hass, access_token=user_token))
    for command in COMMANDS:
        data = {key: value for key, value in command.items() if key != "type"}
        error = await household.error(command["type"].split("/")[1], **data)
        assert error["code"] == "unauthorized", command


async def test_runs_are_paged_filtered_and_signed(
    hass: HomeAssistant,
    server_entry: MockConfigEntry,
    rekognition_server: RekognitionServer,
    panel: Panel,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Newest first, a page at a time, filtered; the images load from their signed addresses."""
    enroll_directly(rekognition_server, WHITELIST, "alice", "Alice")
    group = await _run(hass, server_entry, FAMILY_AND_STRANGERS, "Porch")
    alice = await _run(hass, server_entry, portrait("alice"), "Hall")
    nobody = await _run(hass, server_entry, empty(), "Porch")

    first = await panel.result("runs", limit=2)
    assert [run["run_id"] for run in first["runs"]] == [nobody.run_id, alice.run_id]
    assert first["next_cursor"]
    second = await panel.result("runs", limit=2, cursor=first["next_cursor"])
    assert [run["run_id"] for run in second["runs"]] == [group.run_id]
    assert second["next_cursor"] is None

    run = second["runs"][0]
    assert run["entry_id"] == server_entry.entry_id
    assert run["type"] == "unknown_person"
    assert run["verdict"] == "unknown"
    assert run["zone"] == "Porch"
    assert run["backend"] == "rekognition"
    assert run["names"] == ["Alice"]
    assert [face["verdict"] for face in run["faces"]] == ["known", "unknown", "unknown"]
    assert run["faces"][0] | {"image_url": None} == {
        "index": 0,
        "tier": "whitelist",
        "name": "Alice",
        "similarity": 99.3,
        "verdict": "known",
        "dismissed": False,
        "enrolled": None,
        "image_url": None,
    }
    assert "snapshot_path" not in run
    client = await hass_client_no_auth()
    for url in (run["snapshot_url"], run["annotated_url"], run["faces"][1]["image_url"]):
        assert "authSig=" in url
        response = await client.get(url)
        assert response.status == HTTPStatus.OK, url
        assert (await response.read()).startswith(b"\xff\xd8")
    # The thumbnail (of the annotated copy: faces boxed and named) is made once and kept.
    response = await client.get(run["thumbnail_url"])
    assert response.status == HTTPStatus.OK
    with Image.open(io.BytesIO(await response.read())) as thumbnail:
        assert max(thumbnail.size) == 240
    assert group.snapshot is not None
    kept = group.snapshot.path.with_name(f"{group.snapshot.path.stem}_annotated_thumb.jpg")
    assert kept.is_file()
    assert (await client.get(run["thumbnail_url"])).status == HTTPStatus.OK
    # Unsigned, the images are refused.
    assert (await client.get(run["snapshot_url"].split("?")[0])).status == HTTPStatus.UNAUTHORIZED

    async def ids(**filters: Any) -> list[str]:
        result = await panel.result("runs", **filters)
        return [run["run_id"] for run in result["runs"]]

    assert await ids(verdicts=["known"]) == [alice.run_id]
    assert await ids(types=["no_face", "known_person"]) == [nobody.run_id, alice.run_id]
    assert await ids(zone="porch") == [nobody.run_id, group.run_id]
    assert await ids(person="ali") == [alice.run_id, group.run_id]
    assert await ids(device_id="nothing") == []
    assert await ids(after=alice.time.isoformat()) == [nobody.run_id, alice.run_id]
    assert await ids(before=alice.time.isoformat()) == [alice.run_id, group.run_id]
    assert await ids(entry_id=server_entry.entry_id, limit=1) == [nobody.run_id]

    # The failed run has no annotated copy; a run without a snapshot has no images at all.
    failed = await async_run(
        hass, server_entry.runtime_data, None, zone="Porch", failure="camera gone"
    )
    assert failed.snapshot is None
    newest = (await panel.result("runs", limit=1))["runs"]
    assert [run["run_id"] for run in newest] == [nobody.run_id]

    error = await panel.error("runs", cursor="not a cursor")
    assert error["code"] == "invalid_format"
    error = await panel.error("runs", limit=0)
    assert error["code"] == "invalid_format"
    error = await panel.error("runs", entry_id="nope")
    assert error["translation_key"] == "entry_not_found"
    assert error["code"] == "service_validation_error"


async def test_history_survives_a_reload_and_a_lost_index(
    hass: HomeAssistant, server_entry: MockConfigEntry, panel: Panel
) -> None:
    """Runs are listed after a reload; without the index they are found from their records."""
    first = await _run(hass, server_entry, portrait("bob"), "Porch")
    assert await hass.config_entries.async_reload(server_entry.entry_id)
    await hass.async_block_till_done()
    second = await _run(hass, server_entry, portrait("bob"), "Porch")
    result = await panel.result("runs")
    assert [run["run_id"] for run in result["runs"]] == [second.run_id, first.run_id]

    server_entry.runtime_data.snapshots.index_path.unlink()
    result = await panel.result("runs")
    assert [run["run_id"] for run in result["runs"]] == [second.run_id, first.run_id]


async def test_one_run_with_every_face(
    hass: HomeAssistant,
    server_entry: MockConfigEntry,
    rekognition_server: RekognitionServer,
    panel: Panel,
) -> None:
    """The run command adds what only the record has: boxes, conflicts, calls."""
    enroll_directly(rekognition_server, WHITELIST, "alice", "Alice")
    group = await _run(hass, server_entry, FAMILY_AND_STRANGERS, "Porch")

    run = await panel.result("run", run_id=group.run_id)
    assert run["run_id"] == group.run_id
    assert run["status"] == "done"
    # Both tiers and the remembered strangers, for the frame and each of its 2 crops.
    assert run["api_calls"] == 9
    assert run["similarity"] is None  # the verdict (unknown) was decided by a stranger
    assert len(run["faces"]) == 3
    assert set(run["faces"][2]) >= {"bounding_box", "conflict", "unsearched_reasons", "image_url"}
    assert run["annotated_url"]

    error = await panel.error("run", run_id="01NOSUCHRUN")
    assert error["translation_key"] == "run_not_found"
    error = await panel.error("run", run_id="01NOSUCHRUN", entry_id=server_entry.entry_id)
    assert error["translation_key"] == "run_not_found"


async def test_review_dismiss_and_enrol_a_run_face(
    hass: HomeAssistant,
    server_entry: MockConfigEntry,
    rekognition_server: RekognitionServer,
    panel: Panel,
) -> None:
    """Each stranger is asked about once; an answer (dismiss or enrol) ends the question."""
    enroll_directly(rekognition_server, WHITELIST, "alice", "Alice")
    group = await _run(hass, server_entry, FAMILY_AND_STRANGERS, "Porch")

    review = await panel.result("review")
    assert [(face["run_id"], face["face_index"]) for face in review["faces"]] == [
        (group.run_id, 1),
        (group.run_id, 2),
    ]
    assert review["faces"][0]["image_url"]
    assert review["faces"][0]["zone"] == "Porch"
    assert len((await panel.result("review", limit=1))["faces"]) == 1

    dismissed = await panel.result("dismiss", run_id=group.run_id, face_index=2)
    assert dismissed == {"run_id": group.run_id, "face_index": 2, "dismissed": True}
    # Twice is harmless.
    await panel.result("dismiss", run_id=group.run_id, face_index=2)
    review = await panel.result("review")
    assert [face["face_index"] for face in review["faces"]] == [1]

    enrolled = await panel.result(
        "enroll_run_face", run_id=group.run_id, face_index=1, tier="whitelist", name="Mallory"
    )
    assert enrolled["name"] == "Mallory"
    assert enrolled["new_person"] is True
    assert (await panel.result("review"))["faces"] == []
    run = (await panel.result("runs"))["runs"][0]
    assert run["faces"][1]["enrolled"] == {"tier": "whitelist", "name": "Mallory"}
    assert run["faces"][2]["dismissed"] is True

    people = await panel.result("people")
    assert people["entry_id"] == server_entry.entry_id
    by_name = {person["name"]: person for person in people["whitelist"]}
    assert by_name["Mallory"]["faces"] == 1
    assert by_name["Mallory"]["added"]
    assert by_name["Alice"]["added"] is None  # enrolled before the panel knew
    assert people["blacklist"] == []

    # The dismissal survives a reload.
    assert await hass.config_entries.async_reload(server_entry.entry_id)
    await hass.async_block_till_done()
    run = (await panel.result("runs"))["runs"][0]
    assert run["faces"][2]["dismissed"] is True

    error = await panel.error("dismiss", run_id=group.run_id, face_index=7)
    assert error["translation_key"] == "face_not_found"
    error = await panel.error(
        "enroll_run_face", run_id="01NOSUCH", face_index=0, tier="whitelist", name="X"
    )
    assert error["translation_key"] == "run_not_found"
    error = await panel.error(
        "enroll_run_face", run_id=group.run_id, face_index=1, tier="greylist", name="X"
    )
    assert error["code"] == "invalid_format"


async def test_enrol_an_upload(
    hass: HomeAssistant, server_entry: MockConfigEntry, panel: Panel
) -> None:
    """A photo from the administrator's computer; anything but a JPEG or PNG is refused."""
    photo = base64.b64encode(portrait("bob")).decode()
    enrolled = await panel.result("enroll_upload", tier="blacklist", name="Bob", image=photo)
    assert enrolled["tier"] == "blacklist"
    assert enrolled["faces"] == 1
    outcome = await _run(hass, server_entry, portrait("bob"), "Porch")
    assert outcome.verdict.value == "blacklisted"

    error = await panel.error("enroll_upload", tier="blacklist", name="Bob", image="not base64!")
    assert error["translation_key"] == "upload_not_base64"
    text = base64.b64encode(b"GIF89a...").decode()
    error = await panel.error("enroll_upload", tier="blacklist", name="Bob", image=text)
    assert error["translation_key"] == "upload_not_image"
    with patch.object(panel_api, "MAX_UPLOAD_BYTES", 10):
        error = await panel.error("enroll_upload", tier="blacklist", name="Bob", image=photo)
    assert error["translation_key"] == "upload_too_large"
    group = base64.b64encode(FAMILY_AND_STRANGERS).decode()
    error = await panel.error("enroll_upload", tier="blacklist", name="Bob", image=group)
    assert error["translation_key"] == "enrol_several_faces"


async def test_move_and_remove(
    hass: HomeAssistant, server_entry: MockConfigEntry, panel: Panel
) -> None:
    """Moving re-enrols from a kept face and removes from the old tier; otherwise it says why."""
    first = await _run(hass, server_entry, portrait("alice"), "Porch")
    await panel.result(
        "enroll_run_face", run_id=first.run_id, face_index=0, tier="whitelist", name="Alice"
    )
    assert (await _run(hass, server_entry, portrait("alice"), "Porch")).verdict.value == "known"

    moved = await panel.result("move", name="Alice", from_tier="whitelist", to_tier="blacklist")
    assert moved["to_tier"] == "blacklist"
    assert moved["enrolled"]["tier"] == "blacklist"
    assert moved["faces_deleted"] == 1
    assert moved["from_run"] == {"run_id": first.run_id, "face_index": 0}
    people = await panel.result("people")
    assert [person["name"] for person in people["whitelist"]] == []
    assert [person["name"] for person in people["blacklist"]] == ["Alice"]
    assert (await _run(hass, server_entry, portrait("alice"), "Porch")).verdict.value == (
        "blacklisted"
    )

    # Recognised (not enrolled) faces count too: back to the whitelist.
    moved = await panel.result("move", name="Alice", from_tier="blacklist", to_tier="whitelist")
    assert moved["enrolled"]["tier"] == "whitelist"

    # Bob was enrolled from an upload and never seen: no face of his is kept.
    photo = base64.b64encode(portrait("bob")).decode()
    await panel.result("enroll_upload", tier="whitelist", name="Bob", image=photo)
    error = await panel.error("move", name="Bob", from_tier="whitelist", to_tier="blacklist")
    assert error["translation_key"] == "move_no_kept_face"
    assert error["translation_placeholders"] == {
        "name": "Bob",
        "from_tier": "whitelist",
        "to_tier": "blacklist",
    }
    error = await panel.error("move", name="Bob", from_tier="whitelist", to_tier="whitelist")
    assert error["translation_key"] == "move_same_tier"
    error = await panel.error("move", name="Carol", from_tier="whitelist", to_tier="blacklist")
    assert error["translation_key"] == "person_not_found"

    removed = await panel.result("remove", tier="whitelist", name="Bob")
    assert removed == {"tier": "whitelist", "name": "Bob", "faces_deleted": 1}
    error = await panel.error("remove", tier="whitelist", name="Bob")
    assert error["translation_key"] == "person_not_found"


async def test_zones_and_recognise_now(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    panel: Panel,
    scene_camera: Any,
) -> None:
    """Each zone's sources, arming and last run; recognising now goes through the zone."""
    zones = (await panel.result("zones"))["zones"]
    assert len(zones) == 1
    zone = zones[0]
    assert zone["name"] == "Zone 0"
    assert zone["entry_id"] == zone_entry.entry_id
    assert zone["motion_available"] is True
    assert zone["camera_available"] is True
    assert zone["armed"] is True
    assert zone["alarm_panel"] is None
    assert zone["recognize_on_motion"] is True
    assert zone["device_id"]
    assert zone["last_run"] is None

    scene_camera.frame = portrait("bob")
    run = await panel.result("recognise_now", zone_id=zone["zone_id"])
    assert run["zone"] == "Zone 0"
    assert run["verdict"] == "unknown"
    assert run["thumbnail_url"]
    assert run["annotated_url"]
    zones = (await panel.result("zones"))["zones"]
    assert zones[0]["last_run"]["run_id"] == run["run_id"]
    assert zones[0]["last_run"]["verdict"] == "unknown"

    # After a reload the last run comes from the history.
    assert await hass.config_entries.async_reload(zone_entry.entry_id)
    await hass.async_block_till_done()
    zones = (await panel.result("zones", entry_id=zone_entry.entry_id))["zones"]
    assert zones[0]["last_run"]["run_id"] == run["run_id"]

    error = await panel.error("recognise_now", zone_id="nope")
    assert error["translation_key"] == "zone_not_found"


async def test_image_views_are_for_administrators(
    hass: HomeAssistant,
    server_entry: MockConfigEntry,
    panel: Panel,
    hass_client: ClientSessionGenerator,
    hass_admin_user: MockUser,
) -> None:
    """Faces and thumbnails: refused to other users, not found for what is not there."""
    outcome = await _run(hass, server_entry, portrait("bob"), "Porch")
    assert outcome.snapshot is not None
    entry_id = server_entry.entry_id
    name = outcome.snapshot.path.name
    client = await hass_client()
    base = "/api/intruder_alert"
    assert (await client.get(f"{base}/faces/{entry_id}/{outcome.run_id}/0")).status == 200
    assert (await client.get(f"{base}/faces/{entry_id}/{outcome.run_id}/5")).status == 404
    assert (await client.get(f"{base}/faces/{entry_id}/{outcome.run_id}/x")).status == 404
    assert (await client.get(f"{base}/faces/nope/{outcome.run_id}/0")).status == 404
    assert (await client.get(f"{base}/thumbnails/{entry_id}/{name}")).status == 200
    assert (await client.get(f"{base}/thumbnails/{entry_id}/missing.jpg")).status == 404
    assert (await client.get(f"{base}/thumbnails/nope/{name}")).status == 404

    hass_admin_user.groups = []
    assert (await client.get(f"{base}/faces/{entry_id}/{outcome.run_id}/0")).status == 403
    assert (await client.get(f"{base}/thumbnails/{entry_id}/{name}")).status == 403


async def test_people_report_cloud_failures(
    hass: HomeAssistant, server_entry: MockConfigEntry, panel: Panel, media_dir: Path
) -> None:
    """A cloud that fails while listing people answers with the translated reason."""
    with patch.object(
        server_entry.runtime_data.people,
        "list",
        side_effect=panel_api.EngineError("the line is cut"),
    ):
        error = await panel.error("people")
        assert error["code"] == "home_assistant_error"
        assert error["translation_key"] == "cannot_connect"
        error = await panel.error("move", name="A", from_tier="whitelist", to_tier="blacklist")
        assert error["translation_key"] == "cannot_connect"
