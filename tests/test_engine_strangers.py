"""Remembered strangers in the engine: the memory, SearchFacesByImage, and the recogniser's search.

The recogniser searches the strangers' collection beside the tiers, over the wire (the local
protocol server) and on this device (dlib on real faces); a failing or slow strangers' search
never changes a verdict.
"""

from __future__ import annotations

import asyncio
from collections.abc import Generator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from botocore.stub import Stubber
from PIL import Image, ImageFilter
import pytest

from custom_components.intruder_alert.engine.aws import AwsSettings
from custom_components.intruder_alert.engine.errors import InvalidRequestError
from custom_components.intruder_alert.engine.images import BoundingBox, prepare
from custom_components.intruder_alert.engine.local import LocalFaces
from custom_components.intruder_alert.engine.people import People
from custom_components.intruder_alert.engine.quality import face_quality
from custom_components.intruder_alert.engine.recognition import (
    Face,
    Recognizer,
    StrangerSearch,
    Thresholds,
    Verdict,
    describe_faces,
)
from custom_components.intruder_alert.engine.rekognition import Rekognition
from custom_components.intruder_alert.engine.strangers import (
    MAX_SIGHTINGS,
    StrangerMatch,
    StrangerMemory,
    Visit,
    best_stranger,
    new_visitor_id,
    strangers_collection,
)

from .conftest import server_settings
from .faces import grace_hopper, group_of_six, jpeg, mirrored, rescaled
from .rekognition_server import Fault, RekognitionServer
from .scenes import Person, portrait, scene

COLLECTIONS = {"whitelist": "wl", "blacklist": "bl"}
STRANGERS = "wl_strangers"
BOX = {"Width": 0.3, "Height": 0.4, "Left": 0.1, "Top": 0.2}
HOUR = 3600.0


# The memory.
def test_collection_and_visitor_ids() -> None:
    assert strangers_collection("intruder_alert_whitelist") == "intruder_alert_whitelist_strangers"
    first, second = new_visitor_id(), new_visitor_id()
    assert first != second
    assert first.startswith("visitor-")
    # A valid ExternalImageId.
    assert all(char.isalnum() or char in "_.-:" for char in first)


def test_best_stranger_takes_the_most_similar_face_above_the_threshold() -> None:
    answer = {
        "FaceMatches": [
            {"Similarity": 91.0, "Face": {"FaceId": "f1", "ExternalImageId": "visitor-a"}},
            {"Similarity": 97.5, "Face": {"FaceId": "f2", "ExternalImageId": "visitor-b"}},
            {"Similarity": 99.0, "Face": {"FaceId": "f3"}},  # not ours: no visitor id
            {"Similarity": 89.0, "Face": {"FaceId": "f4", "ExternalImageId": "visitor-c"}},
        ]
    }
    assert best_stranger(answer) == StrangerMatch("visitor-b", "f2", 97.5)
    assert best_stranger(answer, threshold=98.0) is None
    assert best_stranger({}) is None


def test_same_run_counts_once_and_times_seen_grows() -> None:
    memory = StrangerMemory()
    first = memory.sight(None, "run1", 0, 1000.0, 4000.0)
    assert first.new
    assert (first.times_seen, first.loitering) == (1, False)
    assert first.first_seen == first.last_seen == datetime.fromtimestamp(1000.0, UTC)
    match = StrangerMatch(first.visitor_id, "face-1", 97.0)
    memory.add_face(first.visitor_id, "face-1")
    # Two faces of one run matching the visitor: one sighting.
    again = memory.sight(match, "run1", 1, 1000.0, 100.0)
    assert (again.visitor_id, again.times_seen, again.new) == (first.visitor_id, 1, False)
    second = memory.sight(match, "run2", 0, 1600.0, 5000.0)
    assert second.times_seen == 2
    assert second.last_seen == datetime.fromtimestamp(1600.0, UTC)
    assert memory.faces_of(first.visitor_id) == ["face-1"]
    assert memory.by_face() == {("run1", 0): first.visitor_id, ("run2", 0): first.visitor_id}
    assert memory.times_seen("visitor-nobody") == 0
    assert memory.visit("visitor-nobody", 0.0) is None


def test_loitering_needs_the_count_within_the_window() -> None:
    memory = StrangerMemory()
    visitor = memory.sight(None, "run1", 0, 0.0, 1.0).visitor_id
    match = StrangerMatch(visitor, "face", 99.0)
    assert not memory.sight(match, "run2", 0, 20 * HOUR, 1.0).loitering
    # Three within 24 hours of the third? The first is 30 hours back: no.
    assert not memory.sight(match, "run3", 0, 30 * HOUR, 1.0).loitering
    fourth = memory.sight(match, "run4", 0, 31 * HOUR, 1.0)
    assert (fourth.times_seen, fourth.loitering) == (4, True)
    # Options: two within an hour.
    fifth = memory.sight(
        match, "run5", 0, 40 * HOUR, 1.0, loitering_count=2, loitering_seconds=HOUR
    )
    assert not fifth.loitering
    looked = memory.visit(visitor, 40.5 * HOUR, loitering_count=2, loitering_seconds=HOUR)
    assert looked is not None
    assert (looked.times_seen, looked.loitering, looked.new) == (5, False, False)
    assert memory.visit(visitor, 41 * HOUR, loitering_count=1, loitering_seconds=HOUR).loitering


def test_a_visitor_the_memory_lost_is_taken_back_with_the_matched_face() -> None:
    memory = StrangerMemory()
    visit = memory.sight(StrangerMatch("visitor-old", "face-9", 95.0), "run", 0, 10.0, 1.0)
    assert (visit.visitor_id, visit.times_seen, visit.new) == ("visitor-old", 1, False)
    assert memory.faces_of("visitor-old") == ["face-9"]


def test_sightings_are_bounded() -> None:
    memory = StrangerMemory()
    visitor = memory.sight(None, "run-0", 0, 0.0, 1.0).visitor_id
    match = StrangerMatch(visitor, "face", 99.0)
    for number in range(1, MAX_SIGHTINGS + 10):
        memory.sight(match, f"run-{number}", 0, float(number), 1.0)
    sightings = memory.sightings_of(visitor)
    assert len(sightings) == MAX_SIGHTINGS
    assert sightings[-1]["run_id"] == f"run-{MAX_SIGHTINGS + 9}"


def test_best_sightings_rank_size_and_sharpness() -> None:
    memory = StrangerMemory()
    visitor = memory.sight(None, "small-sharp", 0, 1.0, 100.0).visitor_id
    match = StrangerMatch(visitor, "face", 99.0)
    memory.sight(match, "large-blurred", 1, 2.0, 900.0)
    memory.sight(match, "large-sharp", 2, 3.0, 800.0)
    memory.sight(match, "never-measured", 0, 4.0, 1000.0)
    memory.note_sharpness(visitor, "small-sharp", 90.0)
    memory.note_sharpness(visitor, "large-blurred", 5.0)
    memory.note_sharpness(visitor, "large-sharp", 80.0)
    memory.note_sharpness("visitor-nobody", "large-sharp", 1.0)
    # Size times sharpness: 64000, 9000, 4500; never measured last.
    assert memory.best_sightings(visitor) == [
        ("large-sharp", 2),
        ("small-sharp", 0),
        ("large-blurred", 1),
        ("never-measured", 0),
    ]
    assert memory.best_sightings("visitor-nobody") == []


def test_expiry_forgets_old_sightings_then_the_visitor() -> None:
    memory = StrangerMemory()
    old = memory.sight(None, "run1", 0, 0.0, 1.0).visitor_id
    memory.add_face(old, "face-old")
    kept = memory.sight(None, "run2", 0, 0.0, 1.0).visitor_id
    memory.add_face(kept, "face-kept")
    memory.sight(StrangerMatch(kept, "face-kept", 99.0), "run3", 0, 10 * 86400.0, 1.0)
    assert memory.expire(14 * 86400.0, days=14) == []
    assert memory.expire(15 * 86400.0, days=14) == ["face-old"]
    assert old not in memory
    assert kept in memory
    assert memory.times_seen(kept) == 1
    assert memory.expire(25 * 86400.0, days=14) == ["face-kept"]
    assert memory.visitors == {}
    assert not memory.add_face(kept, "late-face")


def test_orphans_are_retried_unless_a_visitor_has_the_face_again() -> None:
    memory = StrangerMemory({"visitors": {}, "orphans": ["face-gone"]})
    memory.add_orphans(["face-gone", "face-back"])
    memory.sight(StrangerMatch("visitor-back", "face-back", 99.0), "run", 0, 1.0, 1.0)
    assert memory.take_orphans() == ["face-gone"]
    assert memory.take_orphans() == []
    visitor = memory.sight(None, "run2", 0, 1.0, 1.0).visitor_id
    memory.add_face(visitor, "face-x")
    assert sorted(memory.forget_all()) == ["face-back", "face-x"]
    assert memory.forget("visitor-nobody") == []


def test_sharpness_prefers_the_sharp_face() -> None:
    """The sharpness best sightings are ranked by (camera health's measure of a face)."""

    def sharpness(image: Image.Image, box: BoundingBox) -> float:
        return face_quality(image, box).sharpness

    photo = grace_hopper()
    face = BoundingBox(0.3, 0.15, 0.45, 0.4)
    blurred = photo.filter(ImageFilter.GaussianBlur(6))
    assert sharpness(photo, face) > 2 * sharpness(blurred, face)
    flat = Image.new("RGB", (100, 100), (90, 90, 90))
    assert sharpness(flat, face) == 0.0


def test_visit_fields_and_summary() -> None:
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    visit = Visit("visitor-a", 3, when, when, new=False, loitering=True)
    box = BoundingBox(0.1, 0.1, 0.2, 0.2)
    face = Face(box, Verdict.UNKNOWN, visit=visit)
    assert face.as_dict()["visitor_id"] == "visitor-a"
    assert face.as_dict()["times_seen"] == 3
    assert face.as_dict()["first_seen"] == "2026-01-02T03:04:05+00:00"
    assert face.label == "Unknown, seen 3 times"
    assert describe_faces([face]) == "1 unknown, seen 3 times"
    other = Face(box, Verdict.UNKNOWN, visit=Visit("visitor-b", 2, when, when, False, False))
    once = Face(box, Verdict.UNKNOWN, visit=Visit("visitor-c", 1, when, when, True, False))
    assert describe_faces([face, other, once]) == ("3 unknown, one seen 3 times, one seen 2 times")
    assert Face(box, Verdict.UNKNOWN).as_dict()["visitor_id"] is None
    assert once.label == "Unknown"


# SearchFacesByImage against botocore's model.
@pytest.fixture
def stubbed() -> Generator[tuple[Rekognition, Stubber]]:
    engine = Rekognition(
        AwsSettings(access_key_id="AKIA", secret_access_key="s", region="eu-west-1")
    )
    stub = Stubber(engine.rekognition)
    with stub:
        yield engine, stub
        stub.assert_no_pending_responses()


def test_search_faces_request_and_no_face(stubbed: tuple[Rekognition, Stubber]) -> None:
    engine, stub = stubbed
    answer = {
        "SearchedFaceBoundingBox": BOX,
        "SearchedFaceConfidence": 99.0,
        "FaceMatches": [
            {"Similarity": 96.0, "Face": {"FaceId": "f" * 36, "ExternalImageId": "visitor-a"}}
        ],
        "FaceModelVersion": "7.0",
    }
    stub.add_response(
        "search_faces_by_image",
        answer,
        {
            "CollectionId": STRANGERS,
            "Image": {"Bytes": b"jpeg"},
            "FaceMatchThreshold": 90.0,
            "MaxFaces": 1,
            "QualityFilter": "NONE",
        },
    )
    assert engine.search_faces(STRANGERS, b"jpeg", 90.0) == answer
    assert engine.usage.today() == {"SearchFacesByImage": 1}
    # No face in the image: an answer without a searched face.
    stub.add_client_error(
        "search_faces_by_image",
        "InvalidParameterException",
        "There are no faces in the image. Should be at least 1.",
    )
    assert engine.search_faces(STRANGERS, b"jpeg", 90.0) == {"FaceMatches": []}
    stub.add_client_error("search_faces_by_image", "InvalidParameterException", "Bad threshold")
    with pytest.raises(InvalidRequestError):
        engine.search_faces(STRANGERS, b"jpeg", 90.0)


def test_strangers_are_indexed_without_the_quality_filter(
    stubbed: tuple[Rekognition, Stubber],
) -> None:
    engine, stub = stubbed
    stub.add_response(
        "index_faces",
        {"FaceRecords": [], "UnindexedFaces": []},
        {
            "CollectionId": STRANGERS,
            "Image": {"Bytes": b"jpeg"},
            "ExternalImageId": "visitor-a",
            "MaxFaces": 1,
            "QualityFilter": "NONE",
            "DetectionAttributes": ["DEFAULT"],
        },
    )
    engine.index_face(STRANGERS, {"Bytes": b"jpeg"}, "visitor-a", quality_filter="NONE")


# The recogniser over the wire (the protocol server's coloured squares).
@pytest.fixture
def pool() -> Generator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=8) as executor:
        yield executor


@pytest.fixture
def server(socket_enabled: None) -> Generator[RekognitionServer]:
    with RekognitionServer() as server:
        for collection in COLLECTIONS.values():
            server.service.op_create_collection({"CollectionId": collection})
        yield server


def _cloud(server: RekognitionServer, pool: ThreadPoolExecutor) -> tuple[Rekognition, Recognizer]:
    engine = Rekognition(server_settings(server))
    return engine, Recognizer(
        engine, COLLECTIONS, executor=pool, strangers=StrangerSearch(engine, STRANGERS)
    )


def _remember(server: RekognitionServer, who: str, visitor_id: str) -> None:
    """Index ``who`` in the strangers' collection as ``visitor_id``."""
    import base64

    service = server.service
    if STRANGERS not in service.collections:
        service.op_create_collection({"CollectionId": STRANGERS})
    service.op_index_faces(
        {
            "CollectionId": STRANGERS,
            "Image": {"Bytes": base64.b64encode(portrait(who)).decode()},
            "ExternalImageId": visitor_id,
            "MaxFaces": 1,
        }
    )


FRAME = scene(
    [Person("alice", 40, 60, 260), Person("mallory", 360, 80, 110), Person("eve", 500, 300, 90)]
)


async def test_every_face_is_searched_among_strangers(
    server: RekognitionServer, pool: ThreadPoolExecutor
) -> None:
    """One more call per searched face; each unknown face names the stranger it is, if any."""
    engine, recognizer = _cloud(server, pool)
    await asyncio.get_running_loop().run_in_executor(
        pool,
        People(engine, COLLECTIONS).enroll,
        "whitelist",
        "Alice",
        portrait("alice"),
    )
    # Nobody remembered yet (no collection): searched, nobody.
    result = await recognizer.recognize(FRAME, Thresholds())
    assert result.api_calls == 9
    assert [face.verdict for face in result.faces] == [
        Verdict.KNOWN,
        Verdict.UNKNOWN,
        Verdict.UNKNOWN,
    ]
    assert [(face.stranger_checked, face.stranger) for face in result.faces] == [
        (False, None),
        (True, None),
        (True, None),
    ]
    _remember(server, "mallory", "visitor-mallory")
    result = await recognizer.recognize(FRAME, Thresholds())
    mallory, eve = result.faces[1:]
    assert mallory.stranger is not None
    assert mallory.stranger.visitor_id == "visitor-mallory"
    assert (eve.stranger_checked, eve.stranger) == (True, None)
    # The largest face a stranger: the frame's own search names them.
    _remember(server, "bob", "visitor-bob")
    result = await recognizer.recognize(portrait("bob"), Thresholds())
    assert result.api_calls == 3
    assert result.faces[0].stranger is not None
    assert result.faces[0].stranger.visitor_id == "visitor-bob"


async def test_no_strangers_search_without_the_option(
    server: RekognitionServer, pool: ThreadPoolExecutor
) -> None:
    engine = Rekognition(server_settings(server))
    result = await Recognizer(engine, COLLECTIONS, executor=pool).recognize(
        portrait("bob"), Thresholds()
    )
    assert result.api_calls == 2
    assert not result.faces[0].stranger_checked
    assert server.service.calls["SearchFacesByImage"] == 0


@pytest.mark.parametrize(
    "fault",
    [
        Fault("SearchFacesByImage", "error500", count=100),
        Fault("SearchFacesByImage", "denied", count=100),
        Fault("SearchFacesByImage", "slow", count=100, seconds=0.9),
    ],
    ids=["5xx", "denied", "slow"],
)
async def test_a_failing_strangers_search_never_changes_the_verdict(
    server: RekognitionServer,
    pool: ThreadPoolExecutor,
    fault: Fault,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The verdict stands; the face only cannot say which stranger it is."""
    _, recognizer = _cloud(server, pool)
    _remember(server, "bob", "visitor-bob")
    server.service.faults.append(fault)
    started = asyncio.get_running_loop().time()
    result = await recognizer.recognize(FRAME, Thresholds())
    assert result.verdict is Verdict.UNKNOWN
    assert all(not face.stranger_checked for face in result.faces)
    if fault.kind == "slow":
        # Not held up beyond the grace after the tiers answered.
        assert asyncio.get_running_loop().time() - started < 0.9 + 0.5
    else:
        # Said at once, or (5xx answers are retried) too late for the run.
        assert (
            "Remembered strangers could not be searched" in caplog.text
            or "Remembered strangers answered too late" in caplog.text
        )
    server.service.faults.clear()


async def test_a_tier_failure_leaves_no_strangers_search_behind(
    server: RekognitionServer, pool: ThreadPoolExecutor
) -> None:
    _, recognizer = _cloud(server, pool)
    server.service.faults.append(Fault("SearchUsersByImage", "error500", count=100))
    with pytest.raises(Exception, match="Internal"):
        await recognizer.recognize(FRAME, Thresholds())
    server.service.faults.clear()
    # A crop whose tiers fail too.
    server.service.faults.append(Fault("SearchUsersByImage", "error500", count=100))
    server.service.faults.appendleft(Fault("SearchUsersByImage", "slow", count=2, seconds=0.0))
    with pytest.raises(Exception, match="Internal"):
        await recognizer.recognize(FRAME, Thresholds())
    server.service.faults.clear()
    # No face at all: the strangers' answer is not waited for.
    result = await recognizer.recognize(scene([]), Thresholds())
    assert result.faces == []
    await asyncio.sleep(0.05)
    assert not [
        task for task in asyncio.all_tasks() if "_search_strangers" in repr(task.get_coro())
    ]


async def test_an_unexpected_strangers_error_is_logged(
    server: RekognitionServer, pool: ThreadPoolExecutor, caplog: pytest.LogCaptureFixture
) -> None:
    _, recognizer = _cloud(server, pool)

    def broken(*_: Any) -> Any:
        raise RuntimeError("boom")

    recognizer.strangers = StrangerSearch(type("Broken", (), {"search_faces": broken})(), "x")  # type: ignore[arg-type]
    result = await recognizer.recognize(portrait("bob"), Thresholds())
    assert not result.faces[0].stranger_checked
    assert "Remembered strangers could not be searched" in caplog.text


async def test_a_crop_answer_about_another_face_does_not_count(
    server: RekognitionServer, pool: ThreadPoolExecutor
) -> None:
    """The strangers' answer counts only for the face it searched."""
    _, recognizer = _cloud(server, pool)
    _remember(server, "mallory", "visitor-mallory")
    original = server.service.op_search_faces_by_image

    def elsewhere(params: dict[str, Any]) -> dict[str, Any]:
        answer = original(params)
        answer["SearchedFaceBoundingBox"] = {"Left": 0.0, "Top": 0.0, "Width": 0.01, "Height": 0.01}
        return answer

    server.service.op_search_faces_by_image = elsewhere  # type: ignore[method-assign]
    result = await recognizer.recognize(FRAME, Thresholds())
    assert all(not face.stranger_checked for face in result.faces)
    server.service.op_search_faces_by_image = lambda params: {"FaceMatches": []}  # type: ignore[method-assign]
    result = await recognizer.recognize(FRAME, Thresholds())
    assert all(not face.stranger_checked for face in result.faces)


# On this device: dlib on real faces, every face in one call.
async def test_offline_strangers_on_real_faces(pool: ThreadPoolExecutor) -> None:
    """A remembered stranger is found again mirrored and rescaled; others are not them."""
    tiers = LocalFaces()
    for collection in COLLECTIONS.values():
        tiers.ensure_collection(collection)
    strangers = LocalFaces(share_faces_with=tiers)
    strangers.ensure_collection(STRANGERS)
    recognizer = Recognizer(
        tiers, COLLECTIONS, executor=pool, strangers=StrangerSearch(strangers, STRANGERS)
    )
    first = await recognizer.recognize(jpeg(grace_hopper()), Thresholds())
    assert first.api_calls == 3
    assert (first.faces[0].stranger_checked, first.faces[0].stranger) == (True, None)
    indexed = strangers.index_face(STRANGERS, {"Bytes": jpeg(grace_hopper())}, "visitor-grace")
    face_id = indexed["FaceRecords"][0]["Face"]["FaceId"]
    assert strangers.store["collections"][STRANGERS]["faces"][face_id]["indexed"] > 0
    assert strangers.list_faces(STRANGERS) == [
        {"FaceId": face_id, "ExternalImageId": "visitor-grace"}
    ]
    for variant in (mirrored(grace_hopper()), rescaled(grace_hopper(), 0.6)):
        result = await recognizer.recognize(jpeg(variant), Thresholds())
        stranger = result.faces[0].stranger
        assert stranger is not None
        assert (stranger.visitor_id, stranger.face_id) == ("visitor-grace", face_id)
        assert stranger.similarity > 93
    group = await recognizer.recognize(jpeg(group_of_six()), Thresholds())
    assert group.api_calls == 3
    assert len(group.faces) == 6
    assert all(face.stranger_checked and face.stranger is None for face in group.faces)
    # The largest face only (as Rekognition's SearchFacesByImage), and no face at all.
    answer = strangers.search_faces(STRANGERS, jpeg(mirrored(grace_hopper())), 90.0)
    assert answer["FaceMatches"][0]["Face"]["ExternalImageId"] == "visitor-grace"
    blank = prepare(scene([])).jpeg
    assert strangers.search_faces(STRANGERS, blank, 90.0) == {"FaceMatches": []}
    # The strangers' collection gone: searched, and nobody is remembered.
    del strangers.store["collections"][STRANGERS]
    result = await recognizer.recognize(jpeg(grace_hopper()), Thresholds())
    assert (result.faces[0].stranger_checked, result.faces[0].stranger) == (True, None)
