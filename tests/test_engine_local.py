"""The offline backend on real faces, through the same recogniser and enrolment as Rekognition."""

from __future__ import annotations

from collections.abc import Generator
from concurrent.futures import ThreadPoolExecutor
import copy

from PIL import Image
import pytest

from custom_components.intruder_alert.engine.errors import (
    BadImageError,
    ConflictError,
    EnrolmentError,
    NotFoundError,
)
from custom_components.intruder_alert.engine.local import RECENT_FRAMES, LocalFaces, similarity
from custom_components.intruder_alert.engine.people import People
from custom_components.intruder_alert.engine.recognition import Recognizer, Thresholds, Verdict

from .faces import crop, grace_hopper, group_of_six, jpeg, mirrored, rescaled

COLLECTIONS = {"whitelist": "wl", "blacklist": "bl"}


@pytest.fixture
def pool() -> Generator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(4) as executor:
        yield executor


def _backend(changes: list[int] | None = None) -> LocalFaces:
    faces = LocalFaces(on_change=lambda: changes.append(1) if changes is not None else None)
    for collection in COLLECTIONS.values():
        faces.ensure_collection(collection)
    return faces


def test_distance_scale() -> None:
    """Dlib's 0.6 boundary sits at 90 %, the default whitelist threshold."""
    assert similarity(0.0) == 100.0
    assert similarity(0.3) == 95.0
    assert similarity(0.6) == 90.0
    assert similarity(0.8) == 45.0
    assert similarity(1.4) == 0.0


async def test_enrolled_from_one_image_recognised_mirrored_and_rescaled(
    pool: ThreadPoolExecutor,
) -> None:
    """Grace Hopper enrolled from one photo is known in a mirrored and in a half-size copy."""
    changes: list[int] = []
    backend = _backend(changes)
    enrolment = People(backend, COLLECTIONS).enroll(
        "whitelist", "Grace Hopper", jpeg(grace_hopper())
    )
    assert enrolment.faces == 1
    assert changes  # persisted through the caller's callback
    recognizer = Recognizer(backend, COLLECTIONS, executor=pool)
    for variant in (mirrored(grace_hopper()), rescaled(grace_hopper(), 0.5)):
        result = await recognizer.recognize(jpeg(variant), Thresholds())
        assert result.verdict is Verdict.KNOWN
        assert result.faces[0].match is not None
        assert result.faces[0].match.name == "Grace Hopper"
        assert result.faces[0].match.similarity >= 90


async def test_group_of_six_then_one_enrolled(pool: ThreadPoolExecutor) -> None:
    """Six strangers; enrol one of them from a crop; then exactly that one is known.

    The local backend matches all six faces in one search per tier (no crops to search again).
    """
    backend = _backend()
    recognizer = Recognizer(backend, COLLECTIONS, executor=pool)
    photo = jpeg(group_of_six())
    first = await recognizer.recognize(photo, Thresholds())
    assert first.verdict is Verdict.UNKNOWN
    assert [face.verdict for face in first.faces] == [Verdict.UNKNOWN] * 6
    assert first.api_calls == 2

    boxes = backend.detect_faces(photo)
    target = boxes[2]["BoundingBox"]
    People(backend, COLLECTIONS).enroll(
        "whitelist", "Third guest", jpeg(crop(group_of_six(), target))
    )
    second = await recognizer.recognize(photo, Thresholds())
    known = [face for face in second.faces if face.verdict is Verdict.KNOWN]
    assert len(known) == 1
    assert known[0].match is not None
    assert known[0].match.name == "Third guest"
    assert known[0].box.overlap(type(known[0].box).from_aws(target)) > 0.5
    assert sum(face.verdict is Verdict.UNKNOWN for face in second.faces) == 5


async def test_face_free_image(pool: ThreadPoolExecutor) -> None:
    """A picture without a face is no_face."""
    backend = _backend()
    result = await Recognizer(backend, COLLECTIONS, executor=pool).recognize(
        jpeg(Image.new("RGB", (400, 300), (120, 160, 200))), Thresholds()
    )
    assert result.verdict is Verdict.NO_FACE


def test_group_photo_cannot_enrol_and_state_persists() -> None:
    """A group photo is refused and leaves nothing; the stored state is embeddings only."""
    backend = _backend()
    with pytest.raises(EnrolmentError) as err:
        People(backend, COLLECTIONS).enroll("blacklist", "Crowd", jpeg(group_of_six()))
    assert err.value.reason == "several_faces"
    assert backend.list_faces("bl") == []
    People(backend, COLLECTIONS).enroll("blacklist", "Grace", jpeg(grace_hopper()))
    saved = copy.deepcopy(backend.store)
    restored = LocalFaces(saved)
    assert [person.name for person in People(restored, COLLECTIONS).list("blacklist")] == ["Grace"]
    face = next(iter(saved["collections"]["bl"]["faces"].values()))
    assert set(face) == {"embedding", "external_id", "user_id"}
    assert len(face["embedding"]) == 128


def test_more_photos_of_one_person_then_removal() -> None:
    """A second photo adds a face to the same person; removing them forgets every embedding."""
    backend = _backend()
    people = People(backend, COLLECTIONS)
    first = people.enroll("whitelist", "Grace Hopper", jpeg(grace_hopper()))
    second = people.enroll("whitelist", "Grace Hopper", jpeg(mirrored(grace_hopper())))
    assert (first.new_person, second.new_person) == (True, False)
    assert second.faces == 2
    assert [(p.name, p.faces) for p in people.list("whitelist")] == [("Grace Hopper", 2)]

    assert people.remove("whitelist", "Grace Hopper") == 2
    assert people.list("whitelist") == []
    assert backend.store["collections"]["wl"] == {"faces": {}, "users": {}}


async def test_removed_person_is_a_stranger_again(pool: ThreadPoolExecutor) -> None:
    """After removal the same face is unknown: nothing of them is left to match."""
    backend = _backend()
    People(backend, COLLECTIONS).enroll("blacklist", "Grace", jpeg(grace_hopper()))
    recognizer = Recognizer(backend, COLLECTIONS, executor=pool)
    probe = jpeg(rescaled(grace_hopper(), 0.7))
    assert (await recognizer.recognize(probe, Thresholds())).verdict is Verdict.BLACKLISTED
    People(backend, COLLECTIONS).remove("blacklist", "Grace")
    assert (await recognizer.recognize(probe, Thresholds())).verdict is Verdict.UNKNOWN


def test_answers_like_rekognition_when_asked_wrong() -> None:
    """Errors and refusals have Rekognition's shapes, so enrolment handles them the same way."""
    backend = _backend()
    with pytest.raises(BadImageError, match="cannot be decoded"):
        backend.detect_faces(b"%PDF-1.7 not a photo")
    with pytest.raises(NotFoundError, match="does not exist") as missing:
        backend.describe_collection("deleted")
    assert missing.value.resource == "deleted"
    with pytest.raises(BadImageError, match="image bytes only"):
        backend.index_face("wl", {"S3Object": {"Bucket": "b", "Name": "n.jpg"}}, "x")

    face_id = backend.index_face("wl", {"Bytes": jpeg(grace_hopper())}, "Grace")["FaceRecords"][0][
        "Face"
    ]["FaceId"]
    with pytest.raises(NotFoundError) as no_user:
        backend.associate_face("wl", "Nobody", face_id)
    assert no_user.value.resource == "person:Nobody"
    assert backend.create_user("wl", "Grace") is True
    assert backend.create_user("wl", "Grace") is False
    assert backend.associate_face("wl", "Grace", "no-such-face") == {
        "UnsuccessfulFaceAssociations": [{"FaceId": "no-such-face", "Reasons": ["FACE_NOT_FOUND"]}]
    }
    assert backend.associate_face("wl", "Grace", face_id)["AssociatedFaces"] == [
        {"FaceId": face_id}
    ]
    backend.create_user("wl", "Other")
    with pytest.raises(ConflictError):
        backend.associate_face("wl", "Other", face_id)


def test_largest_face_search_lists_the_others() -> None:
    """search_users matches the largest face and reports the rest unsearched, as AWS does."""
    backend = _backend()
    assert backend.search_users("wl", jpeg(Image.new("RGB", (320, 240), (90, 90, 90))), 90) == {
        "UserMatches": [],
        "UnsearchedFaces": [],
    }
    People(backend, COLLECTIONS).enroll("whitelist", "Grace", jpeg(grace_hopper()))
    answer = backend.search_users("wl", jpeg(mirrored(grace_hopper())), 90)
    assert answer["UserMatches"][0]["User"]["UserId"] == "Grace"
    assert answer["UnsearchedFaces"] == []
    group = backend.search_users("wl", jpeg(group_of_six()), 90)
    assert group["UserMatches"] == []
    assert len(group["UnsearchedFaces"]) == 5
    assert {reason for face in group["UnsearchedFaces"] for reason in face["Reasons"]} == {
        "FACE_NOT_LARGEST"
    }


def test_remembered_frames_are_bounded() -> None:
    """Both tiers share one detection per frame, but only the last few frames are kept."""
    backend = _backend()
    for shade in range(RECENT_FRAMES + 3):
        backend.detect_faces(jpeg(Image.new("RGB", (64, 48), (shade * 20, 40, 40))))
    assert len(backend._recent) == RECENT_FRAMES
