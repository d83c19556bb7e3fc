"""The offline backend on real faces, through the same recogniser and enrolment as Rekognition."""

from __future__ import annotations

from collections.abc import Generator
from concurrent.futures import ThreadPoolExecutor
import copy

from PIL import Image
import pytest

from custom_components.intruder_alert.engine.errors import EnrolmentError
from custom_components.intruder_alert.engine.local import LocalFaces, similarity
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
