"""Recognition over the wire: real botocore against the local Rekognition protocol server."""

from __future__ import annotations

import time

import pytest

from custom_components.intruder_alert.engine.errors import (
    AuthError,
    BadImageError,
    NotFoundError,
    UnavailableError,
)
from custom_components.intruder_alert.engine.recognition import Recognizer, Thresholds, Verdict
from custom_components.intruder_alert.engine.rekognition import Rekognition

from .conftest import ACCESS_KEY_ID, BLACKLIST, WHITELIST, enroll_directly, server_settings
from .rekognition_server import Fault, RekognitionServer
from .scenes import Person, empty, portrait, scene

THRESHOLDS = Thresholds()
# A family scene: alice (whitelisted) in front, a stranger and a known intruder behind her.
FAMILY_AND_INTRUDERS = scene(
    [Person("alice", 40, 60, 260), Person("mallory", 360, 80, 110), Person("eve", 500, 300, 90)]
)


def _recognizer(
    server: RekognitionServer, time_budget: float = 20.0, **settings: float
) -> Recognizer:
    rekognition = Rekognition(server_settings(server, **settings))
    return Recognizer(
        rekognition, {"whitelist": WHITELIST, "blacklist": BLACKLIST}, time_budget=time_budget
    )


async def test_every_face_is_searched(rekognition_server: RekognitionServer) -> None:
    """The intruder behind a family member is found: the frame is never 'known'."""
    enroll_directly(rekognition_server, WHITELIST, "alice")
    recognizer = _recognizer(rekognition_server)

    result = await recognizer.recognize(FAMILY_AND_INTRUDERS, THRESHOLDS)

    assert result.verdict is Verdict.UNKNOWN
    assert [face.verdict for face in result.faces] == [
        Verdict.KNOWN,
        Verdict.UNKNOWN,
        Verdict.UNKNOWN,
    ]
    assert result.faces[0].match is not None
    assert result.faces[0].match.name == "alice"
    # Two tiers for the frame, two more for each of the two smaller faces.
    assert result.api_calls == 6
    assert rekognition_server.service.calls["SearchUsersByImage"] == 6

    enroll_directly(rekognition_server, BLACKLIST, "eve", "Eve the intruder")
    result = await recognizer.recognize(FAMILY_AND_INTRUDERS, THRESHOLDS)
    assert result.verdict is Verdict.BLACKLISTED
    blacklisted = [face for face in result.faces if face.verdict is Verdict.BLACKLISTED]
    assert [face.match.name for face in blacklisted if face.match] == ["Eve the intruder"]
    # The box is where eve stands in the frame (x 500..590 of 640), not where alice is.
    assert blacklisted[0].box.left == pytest.approx(500 / 640, abs=0.02)


async def test_face_in_both_tiers_is_blacklisted_and_flagged(
    rekognition_server: RekognitionServer,
) -> None:
    """A face matching both tiers counts as an intruder, marked as a conflict."""
    enroll_directly(rekognition_server, WHITELIST, "bob")
    enroll_directly(rekognition_server, BLACKLIST, "bob")
    result = await _recognizer(rekognition_server).recognize(portrait("bob"), THRESHOLDS)
    assert result.verdict is Verdict.BLACKLISTED
    assert result.faces[0].conflict is True


async def test_lookalike_passes_only_a_lax_threshold(rekognition_server: RekognitionServer) -> None:
    """Alice's look-alike (82 %) passed the seed's 50 % and 70 %; the default 90 % stops her."""
    enroll_directly(rekognition_server, WHITELIST, "alice")
    recognizer = _recognizer(rekognition_server)
    twin = portrait("alice_twin")
    assert (await recognizer.recognize(twin, THRESHOLDS)).verdict is Verdict.UNKNOWN
    lax = await recognizer.recognize(twin, Thresholds(whitelist=70, blacklist=95))
    assert lax.verdict is Verdict.KNOWN
    assert lax.faces[0].match is not None
    assert lax.faces[0].match.similarity == 82.0


async def test_no_face(rekognition_server: RekognitionServer) -> None:
    """A frame without faces is no_face, after one call per tier."""
    result = await _recognizer(rekognition_server).recognize(empty(), THRESHOLDS)
    assert result.verdict is Verdict.NO_FACE
    assert result.faces == []
    assert result.api_calls == 2


async def test_not_an_image(rekognition_server: RekognitionServer) -> None:
    """Garbage is refused before anything is sent."""
    with pytest.raises(BadImageError):
        await _recognizer(rekognition_server).recognize(b"GIF89a not really", THRESHOLDS)
    assert sum(rekognition_server.service.calls.values()) == 0


async def test_throttling_burst_is_retried(rekognition_server: RekognitionServer) -> None:
    """Two throttled answers are retried by botocore with backoff; the third attempt answers."""
    rekognition_server.service.faults.append(Fault("SearchUsersByImage", "throttle", count=2))
    result = await _recognizer(rekognition_server).recognize(portrait("carol"), THRESHOLDS)
    assert result.verdict is Verdict.UNKNOWN
    assert rekognition_server.service.calls["SearchUsersByImage"] == 4


@pytest.mark.parametrize("kind", ["throttle", "error500"])
async def test_persistent_failure_ends_unavailable(
    rekognition_server: RekognitionServer, kind: str
) -> None:
    """When every attempt fails, the run fails with UnavailableError after max_attempts each."""
    rekognition_server.service.faults.append(Fault("*", kind, count=100))
    started = time.monotonic()
    with pytest.raises(UnavailableError):
        await _recognizer(rekognition_server).recognize(portrait("carol"), THRESHOLDS)
    assert time.monotonic() - started < 20
    assert rekognition_server.service.calls["SearchUsersByImage"] <= 6


async def test_slow_answers_hit_the_read_timeout(rekognition_server: RekognitionServer) -> None:
    """Answers slower than the read timeout fail the run inside the time budget."""
    rekognition_server.service.faults.append(Fault("*", "slow", count=100, seconds=1.5))
    started = time.monotonic()
    with pytest.raises(UnavailableError):
        await _recognizer(rekognition_server, time_budget=8.0, read_timeout=0.5).recognize(
            portrait("carol"), THRESHOLDS
        )
    assert time.monotonic() - started < 9


async def test_time_budget_caps_the_run(rekognition_server: RekognitionServer) -> None:
    """However botocore retries, the whole run ends at the time budget."""
    rekognition_server.service.faults.append(Fault("*", "slow", count=100, seconds=3))
    started = time.monotonic()
    with pytest.raises(UnavailableError, match="within 1 s"):
        await _recognizer(rekognition_server, time_budget=1.0, read_timeout=5.0).recognize(
            portrait("carol"), THRESHOLDS
        )
    assert time.monotonic() - started < 2


async def test_dropped_connections(rekognition_server: RekognitionServer) -> None:
    """Connections closed mid-request are retried, then reported unavailable."""
    rekognition_server.service.faults.append(Fault("*", "drop", count=100))
    with pytest.raises(UnavailableError):
        await _recognizer(rekognition_server).recognize(portrait("carol"), THRESHOLDS)


async def test_connection_refused(socket_enabled: None) -> None:
    """Nothing listening: unavailable, quickly."""
    with RekognitionServer() as server:
        url_server = server
    started = time.monotonic()
    with pytest.raises(UnavailableError):
        await _recognizer(url_server, connect_timeout=0.5).recognize(portrait("carol"), THRESHOLDS)
    assert time.monotonic() - started < 10


async def test_revoked_credentials(rekognition_server: RekognitionServer) -> None:
    """A key AWS no longer accepts is an AuthError (the glue starts reauth)."""
    rekognition_server.service.revoked_keys.add(ACCESS_KEY_ID)
    with pytest.raises(AuthError):
        await _recognizer(rekognition_server).recognize(portrait("carol"), THRESHOLDS)


async def test_deleted_collection(rekognition_server: RekognitionServer) -> None:
    """A collection deleted behind our back is NotFoundError (the glue raises a repair issue)."""
    rekognition_server.service.op_delete_collection({"CollectionId": BLACKLIST})
    with pytest.raises(NotFoundError):
        await _recognizer(rekognition_server).recognize(portrait("carol"), THRESHOLDS)
