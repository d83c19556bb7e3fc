"""Who is in a frame: every face, both tiers, one verdict per face and for the frame."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from enum import StrEnum
import logging
import math
import time
from typing import Any, cast

from .backend import FaceBackend, SearchesEveryFace
from .errors import EngineError, NotFoundError, UnavailableError
from .images import BoundingBox, PreparedImage, crop, crop_box, prepare
from .names import name_for
from .strangers import SAME_STRANGER, StrangerMatch, Visit, best_stranger, searched_face

_LOGGER = logging.getLogger(__name__)

WHITELIST = "whitelist"
BLACKLIST = "blacklist"
TIERS = (WHITELIST, BLACKLIST)
# Reasons that only mean "not the face SearchUsersByImage picked"; such faces are cropped and
# searched on their own. Any other reason (pose, blur, size) means Rekognition cannot check
# the face, and an unchecked face counts as a stranger.
_SEARCHABLE_REASONS = frozenset({"FACE_NOT_LARGEST", "EXCEEDS_MAX_FACES"})
DEFAULT_MAX_FACES = 10
DEFAULT_TIME_BUDGET = 20.0
MIN_CROP_OVERLAP = 0.3
# An unknown face names its closest candidate (the best person below the tier's threshold) when
# that person's similarity is at least this. Each tier is searched at min(threshold, this floor)
# instead of at the threshold: the same one call per tier and face, and the same verdicts, as a
# match still needs the tier's threshold; only the best user comes back (MaxUsers=1), and above
# the threshold that is the match it always was.
CLOSEST_FLOOR = 50.0
# The strangers' collection is searched beside the tiers; once the tiers have answered, an
# unknown face waits at most this long for it (the alarm is not held up by a slow third call).
STRANGER_GRACE = 0.5
# The strangers' collection does not exist yet: searched, and nobody is remembered.
_NOBODY_YET = "nobody_yet"


class Verdict(StrEnum):
    """Outcome for a face or a frame, from worst to best."""

    BLACKLISTED = "blacklisted"
    UNKNOWN = "unknown"
    KNOWN = "known"
    NO_FACE = "no_face"
    FAILED = "failed"


# A face's remembered-stranger fields (null for faces that are no remembered stranger).
VISIT_FIELDS = ("visitor_id", "times_seen", "first_seen", "last_seen")

# Lower is worse: the frame takes the worst face's verdict.
_SEVERITY = {Verdict.BLACKLISTED: 0, Verdict.UNKNOWN: 1, Verdict.KNOWN: 2, Verdict.NO_FACE: 3}


@dataclass(frozen=True)
class Thresholds:
    """Minimum similarity (percent) for a match in each tier."""

    whitelist: float = 90.0
    blacklist: float = 95.0

    def of(self, tier: str) -> float:
        """The threshold of ``tier``."""
        return self.whitelist if tier == WHITELIST else self.blacklist


@dataclass(frozen=True)
class Match:
    """A person a face matched."""

    tier: str
    user_id: str
    similarity: float

    @property
    def name(self) -> str:
        """Display name of the matched person."""
        return name_for(self.user_id)

    def as_dict(self) -> dict[str, Any]:
        """``{name, tier, similarity}``, as an unknown face's ``closest`` carries it."""
        return {"name": self.name, "tier": self.tier, "similarity": round(self.similarity, 2)}


def percent(similarity: float) -> str:
    """A similarity as people read it: whole percent, rounded down (89.9 never shows as 90)."""
    return f"{math.floor(similarity)} %"


@dataclass(frozen=True)
class Face:
    """One face of a frame and what it is."""

    box: BoundingBox
    verdict: Verdict
    match: Match | None = None
    conflict: bool = False
    # Why Rekognition could not search this face, if it could not.
    unsearched_reasons: tuple[str, ...] = ()
    # An unknown face's best candidate below the threshold (at least CLOSEST_FLOOR); None for
    # matched faces and for faces nobody comes close to.
    closest: Match | None = None
    # The remembered stranger an unknown face matched, and whether the strangers' collection
    # answered about this face at all (a face it could not check gets no visitor id).
    stranger: StrangerMatch | None = None
    stranger_checked: bool = False
    # Who the stranger is across runs; set by the caller that remembers strangers.
    visit: Visit | None = None
    # Why a known face's person is not allowed now (their rules, set in Home Assistant):
    # "outside_allowed_hours", "after_end_date", "while_armed_away"…; None when allowed.
    outside_rules: str | None = None

    @property
    def tier(self) -> str | None:
        """The tier the face matched, if any."""
        return self.match.tier if self.match else None

    def as_dict(self) -> dict[str, Any]:
        """The face as events and responses carry it."""
        return {
            "tier": self.tier,
            "name": self.match.name if self.match else None,
            "similarity": round(self.match.similarity, 2) if self.match else None,
            "bounding_box": self.box.as_dict(),
            "conflict": self.conflict,
            "verdict": self.verdict.value,
            "unsearched_reasons": list(self.unsearched_reasons),
            "closest": self.closest.as_dict() if self.closest else None,
            **(self.visit.as_dict() if self.visit else dict.fromkeys(VISIT_FIELDS)),
            "outside_rules": self.outside_rules,
        }

    @property
    def label(self) -> str:
        """Caption for the annotated image."""
        if self.match is None:
            label = "Unknown" if not self.unsearched_reasons else "Unknown (unclear)"
            if self.visit is not None and self.visit.times_seen > 1:
                label += f", seen {self.visit.times_seen} times"
            return label
        suffix = " ⚠" if self.conflict else ""
        return f"{self.match.name} {self.match.similarity:.0f}%{suffix}"


@dataclass
class Recognition:
    """The result of one recognition run."""

    verdict: Verdict
    faces: list[Face] = field(default_factory=list)
    api_calls: int = 0
    duration: float = 0.0

    @property
    def names(self) -> list[str]:
        """Names of every matched face, worst tier first."""
        return [face.match.name for face in self.faces if face.match is not None]


def face_verdict(
    box: BoundingBox, matches: dict[str, Match | None], reasons: tuple[str, ...] = ()
) -> Face:
    """Decide one face: blacklist beats whitelist, and a face in both is flagged."""
    black, white = matches.get(BLACKLIST), matches.get(WHITELIST)
    if black is not None:
        return Face(box, Verdict.BLACKLISTED, black, conflict=white is not None)
    if white is not None:
        return Face(box, Verdict.KNOWN, white)
    return Face(box, Verdict.UNKNOWN, unsearched_reasons=reasons)


def describe_faces(faces: list[Face]) -> str:
    """Who is who, in plain English: "Blacklisted: Eve 99 %; known: Alice; 2 unknown".

    Blacklisted faces first, with their similarity (and a note when the face is on the
    whitelist too), then known faces (those outside their rules first, each with why: "known:
    Cleaner — outside allowed hours; known: Alice"), then the number of unknown faces with the
    closest candidates some of them have, each once at their best ("2 unknown (closest: Bob 82 %,
    Eve 93 % on the blacklist)"). Empty for no faces.
    """
    blacklisted = [
        f"{face.match.name} {percent(face.match.similarity)}"
        + (" (also on the whitelist)" if face.conflict else "")
        for face in faces
        if face.verdict is Verdict.BLACKLISTED and face.match is not None
    ]
    # Known people outside their rules first, each with why ("Cleaner — outside allowed hours").
    outside = [
        f"{face.match.name} — {face.outside_rules.replace('_', ' ')}"
        for face in faces
        if face.verdict is Verdict.KNOWN and face.match is not None and face.outside_rules
    ]
    known = [
        face.match.name
        for face in faces
        if face.verdict is Verdict.KNOWN and face.match is not None and not face.outside_rules
    ]
    unknown = [face for face in faces if face.verdict is Verdict.UNKNOWN]
    parts = []
    if blacklisted:
        parts.append("blacklisted: " + ", ".join(blacklisted))
    if outside:
        parts.append("known: " + ", ".join(outside))
    if known:
        parts.append("known: " + ", ".join(known))
    if unknown:
        # Each candidate once, at their best: strangers close to one person are one hint.
        best: dict[tuple[str, str], Match] = {}
        for face in unknown:
            if face.closest is not None:
                key = (face.closest.tier, face.closest.user_id)
                if key not in best or face.closest.similarity > best[key].similarity:
                    best[key] = face.closest
        closest = [
            f"{match.name} {percent(match.similarity)}"
            + (" on the blacklist" if match.tier == BLACKLIST else "")
            for match in best.values()
        ]
        # Strangers seen before, each with how often (remembered strangers).
        seen = sorted(
            (face.visit.times_seen for face in unknown if face.visit and face.visit.times_seen > 1),
            reverse=True,
        )
        again = "".join(
            f", seen {times} times" if len(unknown) == 1 else f", one seen {times} times"
            for times in seen
        )
        parts.append(
            f"{len(unknown)} unknown"
            + (f" (closest: {', '.join(closest)})" if closest else "")
            + again
        )
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]


def frame_verdict(faces: list[Face]) -> Verdict:
    """The worst face's verdict; ``no_face`` for an empty frame."""
    if not faces:
        return Verdict.NO_FACE
    return min((face.verdict for face in faces), key=_SEVERITY.__getitem__)


def _best_match(tier: str, response: dict[str, Any], threshold: float) -> Match | None:
    best: Match | None = None
    for user_match in response.get("UserMatches", []):
        similarity = float(user_match.get("Similarity", 0.0))
        user_id = user_match.get("User", {}).get("UserId")
        if user_id and similarity >= threshold and (best is None or similarity > best.similarity):
            best = Match(tier, user_id, similarity)
    return best


def _closest(answers: dict[str, dict[str, Any]], thresholds: Thresholds) -> Match | None:
    """The best candidate below its tier's threshold, at least CLOSEST_FLOOR (blacklist wins ties)."""
    best: Match | None = None
    for tier in (BLACKLIST, WHITELIST):
        for user_match in answers[tier].get("UserMatches", []):
            similarity = float(user_match.get("Similarity", 0.0))
            user_id = user_match.get("User", {}).get("UserId")
            if (
                user_id
                and CLOSEST_FLOOR <= similarity < thresholds.of(tier)
                and (best is None or similarity > best.similarity)
            ):
                best = Match(tier, user_id, similarity)
    return best


def search_threshold(threshold: float) -> float:
    """The similarity a tier is searched at: low enough to see the closest candidate too."""
    return min(threshold, CLOSEST_FLOOR)


def _matched_face(
    box: BoundingBox, answers: dict[str, dict[str, Any]], thresholds: Thresholds
) -> Face:
    """One face decided from each tier's SearchUsersByImage answer about it.

    A match needs the tier's threshold; an unknown face also gets its closest candidate.
    """
    face = face_verdict(
        box, {tier: _best_match(tier, answers[tier], thresholds.of(tier)) for tier in TIERS}
    )
    if face.verdict is Verdict.UNKNOWN:
        face = replace(face, closest=_closest(answers, thresholds))
    return face


def _searched_box(response: dict[str, Any]) -> BoundingBox | None:
    detail = response.get("SearchedFace", {}).get("FaceDetail")
    return (
        BoundingBox.from_aws(detail["BoundingBox"]) if detail and "BoundingBox" in detail else None
    )


@dataclass(frozen=True)
class StrangerSearch:
    """Where remembered strangers are searched: a backend and the strangers' collection."""

    backend: FaceBackend
    collection_id: str
    threshold: float = SAME_STRANGER


class Recognizer:
    """Runs recognitions for one account: two collections, thresholds, a time budget.

    With ``strangers``, every face is also searched in the strangers' collection, at the same
    time as the tiers (one more call per searched face); an unknown face then says which
    remembered stranger it is (``Face.stranger``), if any. That search never fails a run.
    """

    def __init__(
        self,
        rekognition: FaceBackend,
        collections: dict[str, str],
        *,
        executor: Executor | None = None,
        max_faces: int = DEFAULT_MAX_FACES,
        time_budget: float = DEFAULT_TIME_BUDGET,
        strangers: StrangerSearch | None = None,
    ) -> None:
        """``collections`` maps each tier to its collection id."""
        self.rekognition = rekognition
        self.collections = collections
        self.executor = executor
        self.max_faces = max_faces
        self.time_budget = time_budget
        self.strangers = strangers

    async def _run[T](self, func: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.executor, func, *args)

    async def _search_both[T](
        self,
        jpeg: bytes,
        thresholds: Thresholds,
        calls: list[int],
        search: Callable[[str, bytes, float], T],
    ) -> dict[str, T]:
        """Search one image in both tiers at once (counting the calls of this run).

        Each tier is searched at ``search_threshold``: its answer may hold a candidate below the
        tier's threshold, which is never a match, only the closest candidate of a stranger.
        """
        calls[0] += len(TIERS)
        # Wait for both even when one fails, so no search keeps retrying unobserved.
        responses = await asyncio.gather(
            *(
                self._run(
                    search, self.collections[tier], jpeg, search_threshold(thresholds.of(tier))
                )
                for tier in TIERS
            ),
            return_exceptions=True,
        )
        for response in responses:
            if isinstance(response, BaseException):
                raise response
        return dict(zip(TIERS, cast("list[T]", responses), strict=True))

    def _search_strangers(
        self, jpeg: bytes, calls: list[int], *, every_face: bool = False
    ) -> asyncio.Task[Any] | None:
        """Start searching ``jpeg`` in the strangers' collection (None: strangers are off).

        The task's answer is SearchFacesByImage's (a list of them with ``every_face``),
        ``_NOBODY_YET`` when the collection does not exist yet, or None when the search failed:
        a failure is logged, never raised, as the alarm does not depend on it.
        """
        search = self.strangers
        if search is None:
            return None
        calls[0] += 1
        method: Callable[[str, bytes, float], Any] = search.backend.search_faces
        if every_face and isinstance(search.backend, SearchesEveryFace):
            method = search.backend.search_faces_every_face

        async def run() -> Any:
            try:
                return await self._run(method, search.collection_id, jpeg, search.threshold)
            except NotFoundError:
                return _NOBODY_YET
            except EngineError as err:
                _LOGGER.warning("Remembered strangers could not be searched: %s", err)
            except Exception:
                # The alarm never depends on the strangers.
                _LOGGER.exception("Remembered strangers could not be searched")
            return None

        return asyncio.ensure_future(run())

    async def _search_tiers_and_strangers[T](
        self,
        jpeg: bytes,
        thresholds: Thresholds,
        calls: list[int],
        search: Callable[[str, bytes, float], T],
        *,
        every_face: bool = False,
    ) -> tuple[dict[str, T], asyncio.Task[Any] | None]:
        """Both tiers' answers, and the strangers' search started beside them (still running).

        When the tiers fail, the strangers' search is dropped with them.
        """
        strangers = self._search_strangers(jpeg, calls, every_face=every_face)
        try:
            return await self._search_both(jpeg, thresholds, calls, search), strangers
        except BaseException:
            _cancel(strangers)
            raise

    @staticmethod
    async def _strangers_answer(task: asyncio.Task[Any] | None) -> Any:
        """The strangers' answer, waiting at most STRANGER_GRACE for it (None: none in time)."""
        if task is None:
            return None
        done, _ = await asyncio.wait({task}, timeout=STRANGER_GRACE)
        if not done:
            task.cancel()
            _LOGGER.debug("Remembered strangers answered too late for this run")
            return None
        return task.result()

    def _with_stranger(self, face: Face, answer: Any, region: BoundingBox | None) -> Face:
        """``face`` with the remembered stranger the strangers' ``answer`` names, if unknown.

        ``region`` is the crop the answer is about (None: the whole frame). The answer counts
        only if the face it searched is this face.
        """
        if not _wants_stranger(face) or answer is None:
            return face
        if answer == _NOBODY_YET:
            return replace(face, stranger_checked=True)
        searched = searched_face(answer)
        if searched is None:
            return face
        if region is not None:
            searched = searched.in_frame(region)
        if searched.overlap(face.box) < MIN_CROP_OVERLAP:
            return face
        threshold = self.strangers.threshold if self.strangers else SAME_STRANGER
        return replace(face, stranger=best_stranger(answer, threshold), stranger_checked=True)

    async def best_frame(self, frames: list[PreparedImage]) -> int:
        """Index of the frame with the most faces, then the largest total face area.

        One DetectFaces call per frame, all at once.
        """
        details = await asyncio.gather(
            *(self._run(self.rekognition.detect_faces, frame.jpeg) for frame in frames)
        )

        def score(index: int) -> tuple[int, float]:
            boxes = [BoundingBox.from_aws(face.get("BoundingBox", {})) for face in details[index]]
            return len(boxes), sum(box.area for box in boxes)

        return max(range(len(frames)), key=score)

    async def recognize(self, data: bytes, thresholds: Thresholds) -> Recognition:
        """Find and classify every face in the image ``data`` (raises BadImageError)."""
        return await self.recognize_prepared(await self._run(prepare, data), thresholds)

    async def recognize_prepared(
        self, prepared: PreparedImage, thresholds: Thresholds
    ) -> Recognition:
        """Find and classify every face of a prepared frame.

        Raises the engine's errors when the service fails, and UnavailableError when the run
        exceeds the time budget (botocore's own timeouts and retries run inside it).
        """
        started = time.monotonic()
        calls = [0]
        try:
            async with asyncio.timeout(self.time_budget):
                faces = await self._faces(prepared, thresholds, calls)
        except TimeoutError as err:
            raise UnavailableError(
                f"Rekognition did not answer within {self.time_budget:.0f} s"
            ) from err
        return Recognition(
            verdict=frame_verdict(faces),
            faces=faces,
            api_calls=calls[0],
            duration=time.monotonic() - started,
        )

    async def _faces(
        self, prepared: PreparedImage, thresholds: Thresholds, calls: list[int]
    ) -> list[Face]:
        if isinstance(self.rekognition, SearchesEveryFace):
            return await self._every_face(self.rekognition, prepared.jpeg, thresholds, calls)
        frame, strangers = await self._search_tiers_and_strangers(
            prepared.jpeg, thresholds, calls, self.rekognition.search_users
        )
        largest = _searched_box(frame[WHITELIST]) or _searched_box(frame[BLACKLIST])
        if largest is None:
            _cancel(strangers)
            return []
        faces = [_matched_face(largest, frame, thresholds)]
        # Both tiers saw the same image, so they report the same unsearched faces.
        unsearched = frame[WHITELIST].get("UnsearchedFaces", [])
        to_search: list[BoundingBox] = []
        for entry in unsearched:
            box = BoundingBox.from_aws(entry.get("FaceDetails", {}).get("BoundingBox", {}))
            reasons = tuple(entry.get("Reasons", []))
            if set(reasons) <= _SEARCHABLE_REASONS and len(to_search) < self.max_faces - 1:
                to_search.append(box)
            else:
                faces.append(face_verdict(box, {}, reasons or ("NOT_SEARCHED",)))
        crops = asyncio.gather(
            *(self._search_crop(prepared, box, thresholds, calls) for box in to_search)
        )
        try:
            if _wants_stranger(faces[0]):
                faces[0] = self._with_stranger(
                    faces[0], await self._strangers_answer(strangers), None
                )
            else:
                _cancel(strangers)
            faces.extend(await crops)
        except BaseException:
            crops.cancel()
            raise
        return faces

    async def _every_face(
        self, backend: SearchesEveryFace, jpeg: bytes, thresholds: Thresholds, calls: list[int]
    ) -> list[Face]:
        """Every face matched in both tiers by a backend that answers for all faces at once."""
        by_tier, strangers = await self._search_tiers_and_strangers(
            jpeg, thresholds, calls, backend.search_every_face, every_face=True
        )
        # Both tiers saw the same image, so their answers list the same faces in the same order.
        faces = [
            _matched_face(box, {tier: by_tier[tier][index] for tier in TIERS}, thresholds)
            for index, answer in enumerate(by_tier[WHITELIST])
            if (box := _searched_box(answer)) is not None
        ]
        if not any(_wants_stranger(face) for face in faces):
            _cancel(strangers)
            return faces
        # The strangers' answers list the same faces in the same order too.
        answers = await self._strangers_answer(strangers)
        return [
            self._with_stranger(
                face,
                answers[index] if isinstance(answers, list) and index < len(answers) else answers,
                None,
            )
            for index, face in enumerate(faces)
        ]

    async def _search_crop(
        self, prepared: PreparedImage, box: BoundingBox, thresholds: Thresholds, calls: list[int]
    ) -> Face:
        """Crop one face that was not the largest and search it in both tiers."""
        region = crop_box(prepared.image, box)
        jpeg = await self._run(crop, prepared.image, region)
        responses, strangers = await self._search_tiers_and_strangers(
            jpeg, thresholds, calls, self.rekognition.search_users
        )
        searched = _searched_box(responses[WHITELIST]) or _searched_box(responses[BLACKLIST])
        # The crop's margin may take in part of a neighbour; the match counts only if the face
        # searched in the crop is the one we cropped for.
        if searched is None or searched.in_frame(region).overlap(box) < MIN_CROP_OVERLAP:
            _cancel(strangers)
            return face_verdict(box, {}, ("NOT_FOUND_IN_CROP",))
        face = _matched_face(box, responses, thresholds)
        if not _wants_stranger(face):
            _cancel(strangers)
            return face
        return self._with_stranger(face, await self._strangers_answer(strangers), region)


def _wants_stranger(face: Face) -> bool:
    """Whether a face is a stranger the strangers' collection can say more about."""
    return face.verdict is Verdict.UNKNOWN and not face.unsearched_reasons


def _cancel(task: asyncio.Task[Any] | None) -> None:
    """Drop a strangers' search nobody waits for (its answer would say nothing new)."""
    if task is not None:
        task.cancel()
