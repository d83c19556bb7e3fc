"""An unknown face's closest candidate, and the per-face "who is who" summary.

The closest candidate comes from the same one search per tier and face as the match: each tier is
searched at min(threshold, CLOSEST_FLOOR) and the answer is split here, so no call is added and
no verdict changes.
"""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.intruder_alert.engine.images import BoundingBox
from custom_components.intruder_alert.engine.recognition import (
    BLACKLIST,
    CLOSEST_FLOOR,
    WHITELIST,
    Face,
    Match,
    Recognizer,
    Thresholds,
    Verdict,
    describe_faces,
    percent,
)
from custom_components.intruder_alert.engine.rekognition import Rekognition
from custom_components.intruder_alert.engine.usage import ApiUsage

from .conftest import (
    BLACKLIST as BLACKLIST_ID,
    WHITELIST as WHITELIST_ID,
    enroll_directly,
    server_settings,
)
from .rekognition_server import RekognitionServer
from .scenes import Person, portrait, scene

BOX = {"Left": 0.1, "Top": 0.1, "Width": 0.3, "Height": 0.4}
COLLECTIONS = {WHITELIST: WHITELIST_ID, BLACKLIST: BLACKLIST_ID}


class CannedBackend:
    """Answers SearchUsersByImage with each tier's candidates, honouring the threshold asked."""

    def __init__(self, candidates: dict[str, list[tuple[str, float]]]) -> None:
        self.candidates = candidates
        self.asked: list[tuple[str, float]] = []
        self.usage = ApiUsage()

    def search_users(self, collection_id: str, jpeg: bytes, threshold: float) -> dict[str, Any]:
        self.asked.append((collection_id, threshold))
        tier = WHITELIST if collection_id == WHITELIST_ID else BLACKLIST
        found = sorted(
            ((s, u) for u, s in self.candidates.get(tier, []) if s >= threshold), reverse=True
        )
        return {
            "UserMatches": [
                {"Similarity": s, "User": {"UserId": u, "UserStatus": "ACTIVE"}}
                for s, u in found[:1]
            ],
            "SearchedFace": {"FaceDetail": {"BoundingBox": BOX}},
            "UnsearchedFaces": [],
        }


async def _one_face(
    candidates: dict[str, list[tuple[str, float]]], thresholds: Thresholds | None = None
) -> tuple[Face, CannedBackend]:
    backend = CannedBackend(candidates)
    recognizer = Recognizer(backend, COLLECTIONS)  # type: ignore[arg-type]
    result = await recognizer.recognize(portrait("carol"), thresholds or Thresholds())
    assert result.api_calls == 2
    [face] = result.faces
    return face, backend


async def test_searched_at_the_floor_and_split_here() -> None:
    """Both tiers are asked down to the floor; 82 % is a stranger's closest, never a match."""
    face, backend = await _one_face({WHITELIST: [("Alice", 82.0)]})
    assert sorted(backend.asked) == [(BLACKLIST_ID, CLOSEST_FLOOR), (WHITELIST_ID, CLOSEST_FLOOR)]
    assert face.verdict is Verdict.UNKNOWN
    assert face.match is None
    assert face.closest == Match(WHITELIST, "Alice", 82.0)
    assert face.as_dict()["closest"] == {"name": "Alice", "tier": "whitelist", "similarity": 82.0}


async def test_a_match_has_no_closest() -> None:
    """Known and blacklisted faces carry closest: null (their match says who they are)."""
    known, _ = await _one_face({WHITELIST: [("Alice", 97.0)], BLACKLIST: [("Eve", 80.0)]})
    assert (known.verdict, known.closest) == (Verdict.KNOWN, None)
    assert known.as_dict()["closest"] is None
    blacklisted, _ = await _one_face({BLACKLIST: [("Eve", 99.0)], WHITELIST: [("Alice", 85.0)]})
    assert (blacklisted.verdict, blacklisted.closest) == (Verdict.BLACKLISTED, None)


async def test_best_candidate_of_both_tiers() -> None:
    """The higher similarity wins across tiers; a tie goes to the blacklist."""
    face, _ = await _one_face({WHITELIST: [("Alice", 71.0)], BLACKLIST: [("Eve", 93.5)]})
    assert face.closest == Match(BLACKLIST, "Eve", 93.5)
    face, _ = await _one_face({WHITELIST: [("Alice", 88.0)], BLACKLIST: [("Eve", 60.0)]})
    assert face.closest == Match(WHITELIST, "Alice", 88.0)
    face, _ = await _one_face({WHITELIST: [("Alice", 70.0)], BLACKLIST: [("Eve", 70.0)]})
    assert face.closest == Match(BLACKLIST, "Eve", 70.0)


async def test_nobody_close() -> None:
    """Below the floor there is no candidate: closest is null."""
    face, _ = await _one_face({WHITELIST: [("Alice", CLOSEST_FLOOR - 0.1)]})
    assert (face.verdict, face.closest) == (Verdict.UNKNOWN, None)


async def test_threshold_below_the_floor_is_searched_as_is() -> None:
    """A threshold under the floor is sent unchanged: whatever comes back is a match."""
    face, backend = await _one_face({WHITELIST: [("Alice", 45.0)]}, Thresholds(whitelist=40))
    assert (WHITELIST_ID, 40) in backend.asked
    assert (BLACKLIST_ID, CLOSEST_FLOOR) in backend.asked
    assert (face.verdict, face.closest) == (Verdict.KNOWN, None)


def _face(verdict: Verdict, match: Match | None = None, **more: Any) -> Face:
    return Face(BoundingBox.from_aws(BOX), verdict, match, **more)


def test_who_is_who() -> None:
    """Blacklisted first with similarity, then known, then how many unknown and who is close."""
    faces = [
        _face(Verdict.KNOWN, Match(WHITELIST, "Alice", 99.1)),
        _face(Verdict.UNKNOWN),
        _face(Verdict.BLACKLISTED, Match(BLACKLIST, "Eve", 99.6)),
        _face(Verdict.UNKNOWN, closest=Match(WHITELIST, "Bob", 82.7)),
        _face(Verdict.UNKNOWN, closest=Match(BLACKLIST, "Mallory", 94.99)),
        _face(Verdict.KNOWN, Match(WHITELIST, "Carol", 92.0)),
        _face(Verdict.BLACKLISTED, Match(BLACKLIST, "Trent", 97.0), conflict=True),
        _face(Verdict.UNKNOWN, closest=Match(WHITELIST, "Bob", 61.0)),
    ]
    assert describe_faces(faces) == (
        "Blacklisted: Eve 99 %, Trent 97 % (also on the whitelist); known: Alice, Carol; "
        "4 unknown (closest: Bob 82 %, Mallory 94 % on the blacklist)"
    )
    assert describe_faces(faces[:2]) == "Known: Alice; 1 unknown"
    assert describe_faces([faces[1]]) == "1 unknown"
    assert describe_faces([]) == ""
    # Rounded down: a near miss never reads as if it reached the threshold.
    assert percent(89.99) == "89 %"


def _recognizer(server: RekognitionServer) -> Recognizer:
    return Recognizer(Rekognition(server_settings(server)), COLLECTIONS)


async def test_lookalike_over_the_wire(rekognition_server: RekognitionServer) -> None:
    """Alice's look-alike (82 %) is a stranger whose closest is Alice, at the same cost."""
    enroll_directly(rekognition_server, WHITELIST_ID, "alice", "Alice")
    enroll_directly(rekognition_server, BLACKLIST_ID, "eve", "Eve")
    recognizer = _recognizer(rekognition_server)
    frame = scene(
        [
            Person("alice_twin", 20, 20, 200),
            Person("eve", 400, 40, 120),
            Person("bob", 480, 360, 80),
        ]
    )
    result = await recognizer.recognize(frame, Thresholds())
    assert [face.verdict for face in result.faces] == [
        Verdict.UNKNOWN,
        Verdict.BLACKLISTED,
        Verdict.UNKNOWN,
    ]
    assert [face.closest for face in result.faces] == [Match(WHITELIST, "Alice", 82.0), None, None]
    # Two tiers for the frame, two for each of the two smaller faces: nothing added.
    assert result.api_calls == rekognition_server.service.calls["SearchUsersByImage"] == 6
    assert describe_faces(result.faces) == "Blacklisted: Eve 99 %; 2 unknown (closest: Alice 82 %)"

    # With a lax whitelist the same face is Alice, as before.
    lax = await recognizer.recognize(frame, Thresholds(whitelist=80))
    assert lax.faces[0].verdict is Verdict.KNOWN
    assert lax.faces[0].closest is None


@pytest.mark.parametrize("tier", [WHITELIST_ID, BLACKLIST_ID])
async def test_lookalike_of_either_tier(rekognition_server: RekognitionServer, tier: str) -> None:
    """The closest candidate names its tier."""
    enroll_directly(rekognition_server, tier, "alice", "Alice")
    result = await _recognizer(rekognition_server).recognize(portrait("alice_twin"), Thresholds())
    assert result.verdict is Verdict.UNKNOWN
    assert result.faces[0].as_dict()["closest"] == {
        "name": "Alice",
        "tier": WHITELIST if tier == WHITELIST_ID else BLACKLIST,
        "similarity": 82.0,
    }
    assert result.api_calls == 2
