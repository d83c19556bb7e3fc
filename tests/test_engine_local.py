"""The offline backend on real faces, through the same recogniser and enrolment as Rekognition."""

from __future__ import annotations

import asyncio
from collections.abc import Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
import copy
import threading
import time
from types import SimpleNamespace
from typing import Any
from unittest.mock import patch

from PIL import Image
import pytest

from custom_components.intruder_alert.engine.errors import (
    BadImageError,
    ConflictError,
    EnrolmentError,
    NotFoundError,
    UnavailableError,
)
from custom_components.intruder_alert.engine.local import (
    RECENT_FRAMES,
    LocalFaces,
    _Models,
    detect_scale,
    similarity,
)
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
    # The guest's look-alike (measured: 76 %) is a stranger who names them as closest; faces
    # far from them (measured: under 45 %) name nobody. Still one search per tier.
    assert known[0].closest is None
    lookalike = second.faces[4].closest
    assert lookalike is not None
    assert (lookalike.tier, lookalike.name) == ("whitelist", "Third guest")
    assert 60 < lookalike.similarity < 90
    assert second.faces[1].closest is second.faces[3].closest is None
    assert second.api_calls == 2


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
    assert set(face) == {"embedding", "external_id", "user_id", "indexed"}
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


def test_detector_scale() -> None:
    """The detector looks at about VGA's pixels: twice a small frame, a large frame as it is."""
    assert detect_scale(640, 480) == 1.0
    assert detect_scale(1280, 886) == 1.0
    assert detect_scale(320, 240) == 2.0
    assert detect_scale(100, 80) == 2.0
    assert 1.0 < detect_scale(480, 360) < 2.0


class _Slow:
    """One of dlib's models, taking ``delay`` seconds more per call (a slow machine)."""

    def __init__(self, model: Any, method: str, delay: float) -> None:
        self.model, self.method, self.delay = model, method, delay
        self.calls = 0

    def __call__(self, *args: Any) -> Any:
        self.calls += 1
        time.sleep(self.delay)
        return getattr(self.model, self.method)(*args)


@contextmanager
def _slow_models(*, detection: float = 0.0, embedding: float = 0.0) -> Iterator[SimpleNamespace]:
    real = _Models.get()
    slow = SimpleNamespace(
        detector=_Slow(real.detector, "__call__", detection),
        landmarks=real.landmarks,
        encoder=SimpleNamespace(
            compute_face_descriptor=_Slow(real.encoder, "compute_face_descriptor", embedding)
        ),
    )
    with patch.object(_Models, "get", return_value=slow):
        yield slow


async def test_timed_out_run_frees_the_recogniser_for_the_next(pool: ThreadPoolExecutor) -> None:
    """A run the recogniser gave up on stops at its next stage and frees dlib for other zones.

    Meanwhile another zone's run waits a bounded time and reports the recogniser busy: it never
    hangs behind the abandoned one.
    """
    backend = LocalFaces(time_budget=0.6, lock_timeout=0.2)
    for collection in COLLECTIONS.values():
        backend.ensure_collection(collection)
    hall = Recognizer(backend, COLLECTIONS, executor=pool, time_budget=0.6)
    garden = Recognizer(backend, COLLECTIONS, executor=pool, time_budget=5.0)
    with _slow_models(embedding=0.3) as slow:  # six faces: 1.8 s of embeddings in all
        first = asyncio.create_task(hall.recognize(jpeg(group_of_six()), Thresholds()))
        await asyncio.sleep(0.1)  # the hall's run holds dlib
        with pytest.raises(UnavailableError, match="offline recogniser is busy"):
            await garden.recognize(jpeg(grace_hopper()), Thresholds())
        with pytest.raises(UnavailableError, match="did not answer within"):
            await first
        # The abandoned run ends at its next stage, long before its sixth embedding.
        backend.lock_timeout = 5.0
        await asyncio.get_running_loop().run_in_executor(pool, _Models.run_lock.acquire, True, 5)
        _Models.run_lock.release()
        assert slow.encoder.compute_face_descriptor.calls < 6
    result = await garden.recognize(jpeg(grace_hopper()), Thresholds())
    assert result.verdict is Verdict.UNKNOWN
    assert len(result.faces) == 1


def test_spent_budget_stops_before_the_work() -> None:
    """A call whose time budget is spent does no work and says why."""
    backend = LocalFaces(time_budget=0.0)
    with pytest.raises(UnavailableError, match="stopped before starting"):
        backend.detect_faces(jpeg(grace_hopper()))


def test_both_tiers_share_one_computation_within_the_budget() -> None:
    """A second call for the same frame waits for the first's answer, not longer than its budget."""
    backend = LocalFaces(time_budget=0.3)
    frame = jpeg(grace_hopper())
    errors: list[BaseException] = []

    def first() -> None:
        try:
            backend.detect_faces(frame)
        except UnavailableError as err:
            errors.append(err)

    with _slow_models(detection=0.6) as slow:
        thread = threading.Thread(target=first)
        thread.start()
        time.sleep(0.1)
        with pytest.raises(UnavailableError, match=r"did not finish this frame within 0\.3 s"):
            backend.detect_faces(frame)
        thread.join(5)
    assert not thread.is_alive()
    assert slow.detector.calls == 1  # one detection for both
    # The slow detection overran the budget: the first call stopped before the landmarks.
    assert [str(err) for err in errors] == [
        "The offline recogniser stopped before landmarks: the time budget of 0.3 s was spent"
    ]

    # Shared answers: a frame computed once serves the other tier from memory.
    backend.time_budget = 5.0
    with _slow_models() as slow:
        threads = [threading.Thread(target=backend.detect_faces, args=(frame,)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(5)
        assert slow.detector.calls == 1
