"""The actions, end to end: a real Home Assistant, real botocore, the local protocol server."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from PIL import Image
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.intruder_alert.const import (
    CONF_ENDPOINT_URL,
    CONF_FAIL_MODE,
    CONF_LOCAL_FALLBACK,
    DOMAIN,
    EVENT_INTRUDER_ALERT,
)
from custom_components.intruder_alert.engine.recognition import Verdict
from custom_components.intruder_alert.pipeline import Outcome, async_prepare, async_run
from homeassistant.components import media_source
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

from .conftest import (
    BLACKLIST,
    ENTRY_DATA,
    UNIQUE_ID,
    WHITELIST,
    AwsStubs,
    SceneCamera,
    enroll_directly,
    enroll_photo,
    snapshot_file,
)
from .rekognition_server import Fault, RekognitionServer
from .scenes import Person, empty, portrait, scene

FAMILY_AND_INTRUDER = scene(
    [Person("alice", 40, 60, 260), Person("mallory", 360, 80, 110), Person("eve", 500, 300, 90)]
)


def _write(folder: Path, name: str, data: bytes) -> str:
    path = folder / name
    path.write_bytes(data)
    return str(path)


async def _call(hass: HomeAssistant, service: str, **data: Any) -> Any:
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=True
    )


async def test_recognize_file_fires_event_with_the_contract(
    hass: HomeAssistant,
    server_entry: MockConfigEntry,
    rekognition_server: RekognitionServer,
    media_dir: Path,
) -> None:
    """An image file with a family member and two strangers is 'unknown' with every face listed."""
    enroll_directly(rekognition_server, WHITELIST, "alice", "Alice")
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    path = _write(media_dir, "visitor.jpg", FAMILY_AND_INTRUDER)

    response = await _call(hass, "recognize", image_path=path)
    await hass.async_block_till_done()

    assert response["type"] == "unknown_person"
    assert response["verdict"] == "unknown"
    assert response["names"] == ["Alice"]
    assert [face["verdict"] for face in response["faces"]] == ["known", "unknown", "unknown"]
    assert [face["index"] for face in response["faces"]] == [0, 1, 2]
    assert len(response["run_id"]) == 26  # a ULID
    assert response["faces"][0] | {"bounding_box": None} == {
        "index": 0,
        "tier": "whitelist",
        "name": "Alice",
        "similarity": 99.3,
        "bounding_box": None,
        "conflict": False,
        "verdict": "known",
        "unsearched_reasons": [],
        "closest": None,
        "outside_rules": None,
        # Remembered strangers: only an unknown face is one.
        "visitor_id": None,
        "times_seen": None,
        "first_seen": None,
        "last_seen": None,
    }
    assert response["summary"] == "Known: Alice; 2 unknown"
    # Both tiers and the remembered strangers, for the frame and for each of the 2 crops.
    assert response["api_calls"] == 9
    assert response["config_entry_id"] == server_entry.entry_id
    assert len(events) == 1
    assert events[0].data == response
    # The snapshot and its annotated copy are on disk, outside every media folder, named by
    # the integration's own media source.
    snapshot = Path(response["snapshot_path"])
    assert snapshot.is_file()
    assert not snapshot.is_relative_to(media_dir)
    assert snapshot == snapshot_file(hass, response["snapshot_media_id"])
    assert response["snapshot_media_id"] == (
        f"media-source://intruder_alert/{server_entry.entry_id}/{snapshot.name}"
    )
    annotated = snapshot_file(hass, response["annotated_media_id"])
    with Image.open(annotated) as image:
        assert image.size == (640, 480)
        # Alice's box is drawn in green at her top-left corner.
        assert image.getpixel((41, 61))[1] > 120


async def test_recognize_camera_and_enroll_round_trip(
    hass: HomeAssistant,
    server_entry: MockConfigEntry,
    rekognition_server: RekognitionServer,
    scene_camera: SceneCamera,
    media_dir: Path,
) -> None:
    """Enrol from a camera, see the person known, list them, remove them, see them unknown."""
    scene_camera.frame = portrait("bob")
    first = await _call(hass, "recognize", camera_entity_id="camera.front_door", fire_event=False)
    assert first["verdict"] == "unknown"

    enrolled = await _call(
        hass,
        "enroll_face",
        tier="whitelist",
        name="Bob O'Neil",
        camera_entity_id="camera.front_door",
    )
    assert enrolled["name"] == "Bob O'Neil"
    assert enrolled["new_person"] is True
    assert enrolled["faces"] == 1
    assert hass.states.get("sensor.intruder_alert_eu_west_1_whitelisted_people").state == "1"

    second = await _call(hass, "recognize", camera_entity_id="camera.front_door")
    assert second["verdict"] == "known"
    assert second["names"] == ["Bob O'Neil"]

    people = await _call(hass, "list_people")
    assert people == {
        "whitelist": [{"name": "Bob O'Neil", "user_id": "Bob_O.27Neil", "faces": 1, "rules": None}],
        "blacklist": [],
    }
    removed = await _call(hass, "remove_person", tier="whitelist", name="Bob O'Neil")
    assert removed == {"tier": "whitelist", "name": "Bob O'Neil", "faces_deleted": 1}
    assert rekognition_server.service.collections[WHITELIST].faces == {}
    third = await _call(hass, "recognize", camera_entity_id="camera.front_door")
    assert third["verdict"] == "unknown"
    assert hass.states.get("sensor.intruder_alert_eu_west_1_whitelisted_people").state == "0"


async def test_enroll_from_last_unknown_face(
    hass: HomeAssistant,
    server_entry: MockConfigEntry,
    rekognition_server: RekognitionServer,
    media_dir: Path,
) -> None:
    """The last stranger of a run can be enrolled by zone; next time they are known."""
    coordinator = server_entry.runtime_data
    frame = await async_prepare(hass, scene([Person("dave", 100, 100, 120)]))
    # What a zone's motion run does.
    first = await async_run(hass, coordinator, frame, zone="Porch")
    assert first.verdict == "unknown"
    result = await _call(hass, "enroll_face", tier="blacklist", name="Dave", zone="Porch")
    assert result["faces"] == 1
    again = await async_run(hass, coordinator, frame, zone="Porch")
    assert again.verdict == "blacklisted"
    assert again.names == ["Dave"]
    # Used up: the face was enrolled.
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "enroll_face", tier="blacklist", name="Dave", zone="Porch")
    assert err.value.translation_key == "no_unknown_face"


@pytest.mark.parametrize(
    ("image", "key"),
    [
        (
            scene([Person("alice", 40, 40, 150), Person("bob", 300, 200, 150)]),
            "enrol_several_faces",
        ),
        (empty(), "enrol_no_face"),
        (b"%PDF-1.7 not an image", "bad_image"),
        (portrait("carol")[:2000], "bad_image"),
    ],
)
async def test_enroll_refusals_leave_nothing_behind(
    hass: HomeAssistant,
    server_entry: MockConfigEntry,
    rekognition_server: RekognitionServer,
    media_dir: Path,
    image: bytes,
    key: str,
) -> None:
    """Group photos, face-free and broken images are refused, and the collection stays empty."""
    path = _write(media_dir, "enrol.jpg", image)
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "enroll_face", tier="whitelist", name="Someone", image_path=path)
    assert err.value.translation_key == key
    collection = rekognition_server.service.collections[WHITELIST]
    assert collection.faces == {}
    assert collection.users == {}


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"name": "   "}, "invalid_name"),
        ({"name": "x" * 65}, "invalid_name"),
        ({"name": "bad\x07name"}, "invalid_name"),
    ],
)
async def test_enroll_bad_names(
    hass: HomeAssistant,
    server_entry: MockConfigEntry,
    rekognition_server: RekognitionServer,
    media_dir: Path,
    data: dict[str, str],
    key: str,
) -> None:
    """Names that cannot be stored are refused before anything reaches AWS."""
    path = _write(media_dir, "p.jpg", portrait("carol"))
    calls_before = sum(rekognition_server.service.calls.values())
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "enroll_face", tier="whitelist", image_path=path, **data)
    assert err.value.translation_key == key
    assert sum(rekognition_server.service.calls.values()) == calls_before


async def test_image_sources_are_checked(
    hass: HomeAssistant, server_entry: MockConfigEntry, media_dir: Path, tmp_path: Path
) -> None:
    """Paths outside the allowlist, traversal, missing files and ambiguous sources are refused."""
    outside = tmp_path / "secret.jpg"
    outside.write_bytes(portrait("alice"))
    cases = [
        ({"image_path": str(outside)}, "path_not_allowed"),
        ({"image_path": f"{media_dir}/../secret.jpg"}, "path_not_allowed"),
        ({"image_path": f"{media_dir}/missing.jpg"}, "file_not_found"),
        ({}, "one_source"),
        ({"image_path": str(outside), "camera_entity_id": "camera.x"}, "one_source"),
        ({"camera_entity_id": "camera.nowhere"}, "camera_not_found"),
        ({"zone": "Nowhere"}, "zone_not_found"),
        ({"zone": "Nowhere", "image_path": str(outside)}, "one_source"),
    ]
    for data, key in cases:
        with pytest.raises(ServiceValidationError) as err:
            await _call(hass, "recognize", **data)
        assert err.value.translation_key == key, data


async def test_account_selection(
    hass: HomeAssistant, server_entry: MockConfigEntry, media_dir: Path
) -> None:
    """The account is the only one, or the one named; unknown or unloaded ones are refused."""
    path = _write(media_dir, "p.jpg", empty())
    response = await _call(
        hass, "recognize", image_path=path, config_entry_id=server_entry.entry_id
    )
    assert response["verdict"] == "no_face"
    assert response["summary"] == "No face"
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "recognize", image_path=path, config_entry_id="nope")
    assert err.value.translation_key == "entry_not_found"

    other = MockConfigEntry(domain=DOMAIN, data={}, title="Other")
    other.add_to_hass(hass)
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "recognize", image_path=path)
    assert err.value.translation_key == "entry_required"
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "recognize", image_path=path, config_entry_id=other.entry_id)
    assert err.value.translation_key == "entry_not_loaded"


async def test_remove_unknown_person(hass: HomeAssistant, server_entry: MockConfigEntry) -> None:
    """Removing someone not enrolled says so."""
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "remove_person", tier="blacklist", name="Nobody")
    assert err.value.translation_key == "person_not_found"


async def test_cloud_failure_still_alerts_with_the_snapshot(
    hass: HomeAssistant,
    server_entry: MockConfigEntry,
    rekognition_server: RekognitionServer,
    media_dir: Path,
) -> None:
    """5xx on every attempt: a recognition_failed event fires, with the snapshot on disk."""
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    rekognition_server.service.faults.append(Fault("*", "error500", count=100))
    path = _write(media_dir, "v.jpg", portrait("eve"))
    response = await _call(hass, "recognize", image_path=path)
    assert response["type"] == "recognition_failed"
    assert response["verdict"] == "failed"
    assert "InternalServerError" in response["reason"]
    assert response["summary"] == f"Recognition failed: {response['reason']}"
    assert Path(response["snapshot_path"]).is_file()
    assert [event.data["type"] for event in events] == ["recognition_failed"]


@pytest.mark.parametrize(("mode", "fired"), [("unknown", ["unknown_person"]), ("quiet", [])])
async def test_fail_modes(
    hass: HomeAssistant,
    server_entry: MockConfigEntry,
    rekognition_server: RekognitionServer,
    media_dir: Path,
    mode: str,
    fired: list[str],
) -> None:
    """The fail mode option turns failures into strangers, or into no alarm event."""
    hass.config_entries.async_update_entry(
        server_entry, options={**server_entry.options, CONF_FAIL_MODE: mode}
    )
    await hass.async_block_till_done()
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    rekognition_server.service.faults.append(Fault("*", "error500", count=100))
    response = await _call(
        hass, "recognize", image_path=_write(media_dir, "v.jpg", portrait("eve"))
    )
    assert response["verdict"] == "failed"
    assert [event.data["type"] for event in events] == fired


async def test_revoked_credentials_start_reauth(
    hass: HomeAssistant,
    server_entry: MockConfigEntry,
    rekognition_server: RekognitionServer,
    media_dir: Path,
) -> None:
    """Credentials revoked while running: the run fails (alerting) and reauth starts."""
    rekognition_server.service.revoked_keys.add(server_entry.data["access_key_id"])
    response = await _call(
        hass, "recognize", image_path=_write(media_dir, "v.jpg", portrait("eve"))
    )
    await hass.async_block_till_done()
    assert response["type"] == "recognition_failed"
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_deleted_collection_raises_repair_issue(
    hass: HomeAssistant,
    server_entry: MockConfigEntry,
    rekognition_server: RekognitionServer,
    media_dir: Path,
    issue_registry: ir.IssueRegistry,
) -> None:
    """A collection deleted behind our back fails the run and raises a repair issue."""
    rekognition_server.service.op_delete_collection({"CollectionId": BLACKLIST})
    response = await _call(
        hass, "recognize", image_path=_write(media_dir, "v.jpg", portrait("eve"))
    )
    assert response["type"] == "recognition_failed"
    issue = issue_registry.async_get_issue(DOMAIN, f"collection_missing_{server_entry.entry_id}")
    assert issue is not None
    assert issue.translation_key == "collection_missing"


async def test_runtime_errors_of_people_actions(
    hass: HomeAssistant, server_entry: MockConfigEntry, rekognition_server: RekognitionServer
) -> None:
    """AWS failing during list/remove is a translated HomeAssistantError, not a crash."""
    rekognition_server.service.faults.append(Fault("*", "error500", count=100))
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "list_people")
    assert err.value.translation_key == "cannot_connect"
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "remove_person", tier="whitelist", name="Alice")
    assert err.value.translation_key == "cannot_connect"


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_usage_sensors(
    hass: HomeAssistant,
    server_entry: MockConfigEntry,
    rekognition_server: RekognitionServer,
    media_dir: Path,
) -> None:
    """Calls today and their cost follow each recognition."""
    await _call(hass, "recognize", image_path=_write(media_dir, "v.jpg", FAMILY_AND_INTRUDER))
    await hass.async_block_till_done()
    # Two DescribeCollection at setup, six searches and three in the strangers' collection
    # (not made yet). After the event the three strangers are remembered: IndexFaces each, the
    # first after making the collection (IndexFaces, DescribeCollection, CreateCollection).
    assert hass.states.get("sensor.intruder_alert_eu_west_1_rekognition_calls_today").state == "17"
    # Billed: the six tier searches and three IndexFaces (the calls that found no strangers'
    # collection did nothing, and cost nothing).
    assert float(
        hass.states.get("sensor.intruder_alert_eu_west_1_estimated_cost_today").state
    ) == pytest.approx(0.009)


async def test_people_actions_name_the_aws_problem(
    hass: HomeAssistant,
    server_entry: MockConfigEntry,
    rekognition_server: RekognitionServer,
    media_dir: Path,
) -> None:
    """Revoked keys, AWS failing during enrolment, a collection deleted in AWS: each says so."""
    path = _write(media_dir, "p.jpg", portrait("carol"))
    rekognition_server.service.faults.append(Fault("*", "error500", count=100))
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "enroll_face", tier="whitelist", name="Carol", image_path=path)
    assert err.value.translation_key == "cannot_connect"
    assert "InternalServerError" in err.value.translation_placeholders["error"]
    rekognition_server.service.faults.clear()
    assert rekognition_server.service.collections[WHITELIST].users == {}

    rekognition_server.service.op_delete_collection({"CollectionId": BLACKLIST})
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "remove_person", tier="blacklist", name="Carol")
    assert err.value.translation_key == "cannot_connect"
    assert BLACKLIST in err.value.translation_placeholders["error"]

    rekognition_server.service.revoked_keys.add(server_entry.data["access_key_id"])
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "list_people", tier="whitelist")
    assert err.value.translation_key == "invalid_auth"


async def test_missing_permission_is_named(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, aws: AwsStubs
) -> None:
    """An IAM policy without rekognition:ListFaces: list_people names that permission."""
    aws.error(
        "rekognition",
        "list_faces",
        "AccessDeniedException",
        400,
        "User: arn:aws:iam::123456789012:user/intruder-alert is not authorized to perform: "
        "rekognition:ListFaces because no identity-based policy allows the "
        "rekognition:ListFaces action",
    )
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "list_people", tier="whitelist")
    assert err.value.translation_key == "access_denied"
    assert err.value.translation_placeholders == {"permission": "rekognition:ListFaces"}


async def test_files_and_cameras_that_give_no_image(
    hass: HomeAssistant,
    server_entry: MockConfigEntry,
    rekognition_server: RekognitionServer,
    scene_camera: SceneCamera,
    media_dir: Path,
) -> None:
    """Too large, not an image, a camera without a picture: refused, nothing reaches AWS."""
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    calls_before = sum(rekognition_server.service.calls.values())
    huge = media_dir / "huge.jpg"
    with huge.open("wb") as file:  # sparse: 65 MB on paper, nothing on disk
        file.truncate(65 * 1024 * 1024)
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "recognize", image_path=str(huge))
    assert err.value.translation_key == "file_too_large"
    assert err.value.translation_placeholders == {"path": str(huge), "limit": "64 MB"}

    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "recognize", image_path=_write(media_dir, "notes.jpg", b"%PDF-1.7"))
    assert err.value.translation_key == "bad_image"

    scene_camera.frame = None
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "recognize", camera_entity_id="camera.front_door")
    assert err.value.translation_key == "camera_failed"
    assert err.value.translation_placeholders["entity_id"] == "camera.front_door"

    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "remove_person", tier="whitelist", name="bad\x07name")
    assert err.value.translation_key == "invalid_name"

    await hass.async_block_till_done()
    assert sum(rekognition_server.service.calls.values()) == calls_before
    assert events == []


async def test_offline_fallback_that_cannot_learn_a_face(
    hass: HomeAssistant,
    rekognition_server: RekognitionServer,
    media_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A face the cloud enrols but this device cannot find is still enrolled, with a warning.

    (The protocol server's faces are coloured squares: Rekognition's stand-in sees them, dlib
    does not.) Removing that person works although the fallback never knew them.
    """
    entry = MockConfigEntry(
        domain=DOMAIN,
        data={**ENTRY_DATA, CONF_ENDPOINT_URL: rekognition_server.url},
        options={CONF_LOCAL_FALLBACK: True},
        unique_id=UNIQUE_ID,
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    enrolled = await enroll_photo(hass, media_dir, "whitelist", "Bob", portrait("bob"))
    assert enrolled["faces"] == 1
    assert "Bob was not added to the offline fallback" in caplog.text
    assert await _call(hass, "list_people", tier="whitelist") == {
        "whitelist": [{"name": "Bob", "user_id": "Bob", "faces": 1, "rules": None}]
    }
    removed = await _call(hass, "remove_person", tier="whitelist", name="Bob")
    assert removed == {"tier": "whitelist", "name": "Bob", "faces_deleted": 1}
    assert rekognition_server.service.collections[WHITELIST].users == {}


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_calls_today_start_again_at_midnight(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    server_entry: MockConfigEntry,
    media_dir: Path,
) -> None:
    """The call and cost sensors count today's calls: at local midnight they drop to zero."""
    calls = "sensor.intruder_alert_eu_west_1_rekognition_calls_today"
    cost = "sensor.intruder_alert_eu_west_1_estimated_cost_today"
    freezer.move_to(dt_util.start_of_local_day() + timedelta(hours=23, minutes=59, seconds=50))
    await _call(hass, "recognize", image_path=_write(media_dir, "v.jpg", portrait("eve")))
    await hass.async_block_till_done()
    assert int(hass.states.get(calls).state) > 0
    assert float(hass.states.get(cost).state) > 0

    midnight = dt_util.start_of_local_day() + timedelta(days=1, seconds=1)
    freezer.move_to(midnight)
    async_fire_time_changed(hass, midnight)
    await hass.async_block_till_done()
    assert hass.states.get(calls).state == "0"
    assert float(hass.states.get(cost).state) == 0


async def test_the_annotated_copy_resolves_as_soon_as_the_event_fires(
    hass: HomeAssistant, server_entry: MockConfigEntry, media_dir: Path
) -> None:
    """The event fires before the boxes are drawn; asking for them at once still gets them."""
    assert await async_setup_component(hass, "media_source", {})
    resolved: list[Any] = []

    @callback
    def at_once(event: Event) -> None:
        # What an automation does when it attaches the annotated copy right away.
        resolved.append(
            hass.async_create_task(
                media_source.async_resolve_media(hass, event.data["annotated_media_id"], None)
            )
        )

    hass.bus.async_listen(EVENT_INTRUDER_ALERT, at_once)
    path = _write(media_dir, "visitor.jpg", FAMILY_AND_INTRUDER)
    await _call(hass, "recognize", image_path=path)
    [task] = resolved
    media = await task
    assert media.path is not None
    assert media.path.name.endswith("_annotated.jpg")
    with Image.open(media.path) as image:
        assert image.size == (640, 480)


def test_summary_of_a_failure_without_a_reason() -> None:
    """A failed run that could not say why still says it failed."""
    assert Outcome(verdict=Verdict.FAILED, time=dt_util.utcnow()).summary == "Recognition failed"
