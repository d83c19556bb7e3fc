"""One recognition run, from frame to event: the part every trigger (motion, action) shares.

Order matters: the frame is saved first, then the cloud is asked, then the annotated copy is
written and the event fired. A failure anywhere after the save still fires an event with the
snapshot (fail-secure).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from homeassistant.util.ulid import ulid_now

from .const import EVENT_INTRUDER_ALERT, LOGGER, EventType, FailMode
from .coordinator import IntruderAlertCoordinator
from .engine.errors import AccessDeniedError, AuthError, EngineError, NotFoundError
from .engine.images import PreparedImage, annotate, crop, crop_box, prepare
from .engine.recognition import Face, Recognition, Verdict, describe_faces
from .issues import (
    RUN,
    async_create_collection_issue,
    async_report_access_denied,
    async_report_access_granted,
)
from .person_rules import async_apply_person_rules
from .snapshots import Snapshot
from .strangers import async_after_event, note_sightings

_EVENT_TYPES = {
    Verdict.KNOWN: EventType.KNOWN_PERSON,
    Verdict.UNKNOWN: EventType.UNKNOWN_PERSON,
    Verdict.BLACKLISTED: EventType.BLACKLISTED_PERSON,
    Verdict.NO_FACE: EventType.NO_FACE,
    Verdict.FAILED: EventType.RECOGNITION_FAILED,
}


@dataclass
class Outcome:
    """What one run found and did."""

    verdict: Verdict
    time: datetime
    zone: str | None = None
    device_id: str | None = None
    faces: list[Face] = field(default_factory=list)
    snapshot: Snapshot | None = None
    annotated: Snapshot | None = None
    reason: str | None = None
    api_calls: int = 0
    duration: float = 0.0
    event_type: EventType | None = None
    # Who decided: "rekognition", "local", or "local_fallback" when the cloud had failed.
    backend: str = "rekognition"
    # Names the run for enrolment ("this face of that run") and for its record on disk.
    run_id: str = field(default_factory=ulid_now)
    # Whether the run fired an event (test calls and "record only" failures do not).
    fired: bool = False
    # Whether one of the run's strangers has been seen often enough lately to be loitering.
    loitering: bool = False
    # Whether the zone was armed when the run started (None: no zone); kept in the run's record.
    armed: bool | None = None

    @property
    def result(self) -> EventType:
        """What the run found, named like the event types (whatever the fail mode fired).

        Known people only, one of them outside their rules: ``person_outside_rules`` (a stranger
        or a blacklisted face in the frame still decides the type).
        """
        if self.verdict is Verdict.KNOWN and any(face.outside_rules for face in self.faces):
            return EventType.PERSON_OUTSIDE_RULES
        if self.verdict is Verdict.UNKNOWN and self.loitering:
            return EventType.LOITERING
        return _EVENT_TYPES[self.verdict]

    @property
    def names(self) -> list[str]:
        """Names of the matched faces."""
        return [face.match.name for face in self.faces if face.match is not None]

    @property
    def summary(self) -> str:
        """Who is who, per face, for emails and notifications.

        "Blacklisted: Eve 99 %; known: Alice; 1 unknown (closest: Bob 82 %)"; "No face";
        "Recognition failed: <reason>".
        """
        if self.verdict is Verdict.FAILED:
            return f"Recognition failed: {self.reason}" if self.reason else "Recognition failed"
        return describe_faces(self.faces) or "No face"

    @property
    def best_similarity(self) -> float | None:
        """Similarity of the face that decided the verdict, if it matched someone."""
        deciding = [face for face in self.faces if face.verdict == self.verdict and face.match]
        return round(deciding[0].match.similarity, 2) if deciding and deciding[0].match else None

    def as_dict(self, entry_id: str) -> dict[str, Any]:
        """Event data and action response (DESIGN.md's contract)."""
        return {
            "type": (self.event_type or self.result).value,
            "run_id": self.run_id,
            "verdict": self.verdict.value,
            "zone": self.zone,
            "device_id": self.device_id,
            "config_entry_id": entry_id,
            "faces": [{"index": index} | face.as_dict() for index, face in enumerate(self.faces)],
            "names": self.names,
            "summary": self.summary,
            "similarity": self.best_similarity,
            "snapshot_path": str(self.snapshot.path) if self.snapshot else None,
            "snapshot_media_id": self.snapshot.media_id if self.snapshot else None,
            "annotated_media_id": self.annotated.media_id if self.annotated else None,
            "reason": self.reason,
            "api_calls": self.api_calls,
            "backend": self.backend,
            "time": self.time.isoformat(),
        }


# A run cut short: by a stop of Home Assistant, or by a reload that could not wait for it.
INTERRUPTED_REASON = (
    "Home Assistant stopped, or Intruder Alert was reloaded, before this frame's recognition "
    "finished"
)


async def async_prepare(hass: HomeAssistant, data: bytes) -> PreparedImage:
    """Decode and shrink a frame in the executor (raises BadImageError)."""
    return await hass.async_add_executor_job(prepare, data)


async def async_run(
    hass: HomeAssistant,
    coordinator: IntruderAlertCoordinator,
    frame: PreparedImage | None,
    *,
    zone: str | None = None,
    device_id: str | None = None,
    fire_event: bool = True,
    failure: str | None = None,
    deadline: float | None = None,
    saved: Snapshot | None = None,
    run_id: str | None = None,
    armed: bool | None = None,
) -> Outcome:
    """Save, recognise, annotate and announce one frame.

    ``frame`` is None when capturing failed; ``failure`` then says why, and the run reports a
    failed recognition without calling the cloud. ``deadline`` (event loop time) bounds the
    recognition and the offline fallback: past it the run is announced as failed, with its
    snapshot. ``saved`` is the frame's snapshot when it was already saved (a burst saves its
    first frame before ranking).
    """
    started = hass.loop.time()
    outcome = Outcome(
        verdict=Verdict.FAILED,
        time=dt_util.utcnow(),
        zone=zone,
        device_id=device_id,
        backend="local" if coordinator.is_local else "rekognition",
        armed=armed,
    )
    if run_id is not None:
        outcome.run_id = run_id
    store = coordinator.snapshots
    if frame is None:
        outcome.reason = failure or "No frame was captured."
    else:
        # The frame and a record saying the run is under way reach the disk before the cloud
        # is asked: if Home Assistant stops now, the next start reports the interrupted run.
        # A disk that cannot take it (full or read-only SD card, permissions) costs the picture,
        # never the alarm: the frame is still recognised and the reason says what happened.
        snapshot: Snapshot | None = saved
        disk_problem: str | None = None
        if snapshot is None:
            try:
                snapshot = await hass.async_add_executor_job(
                    store.save_in_progress,
                    frame.jpeg,
                    zone,
                    device_id,
                    outcome.time,
                    outcome.run_id,
                )
            except OSError as err:
                LOGGER.error("The snapshot could not be saved: %s", err)
                disk_problem = f"The snapshot could not be saved: {err.strerror or err}"
        outcome.snapshot = snapshot
        try:
            async with asyncio.timeout_at(deadline):
                await _async_recognize(hass, coordinator, frame, outcome)
        except TimeoutError:
            LOGGER.warning("No verdict within the alarm budget: the run is reported as failed")
            _apply(outcome, None)
            outcome.backend = "local" if coordinator.is_local else "rekognition"
            outcome.reason = "; ".join(
                filter(
                    None,
                    (
                        outcome.reason,
                        f"No verdict within the alarm budget ({coordinator.alarm_budget:.0f} s)",
                    ),
                )
            )
        # A known person outside their rules (hours, end date, armed) is an alert.
        await async_apply_person_rules(hass, coordinator, outcome)
        if outcome.verdict is not Verdict.FAILED and snapshot is not None:
            outcome.annotated = store.annotated(snapshot)
        if disk_problem is not None:
            outcome.reason = "; ".join(filter(None, (outcome.reason, disk_problem)))
    # Each unknown face: which remembered stranger, how often seen (a test call only looks).
    note_sightings(coordinator, frame, outcome, record=fire_event)
    # The alarm goes first; the annotated copy and the run's record follow it.
    data = _announce(hass, coordinator, outcome, fire_event)
    await _async_after_announce(hass, coordinator, frame, outcome, data)
    # Then a new stranger's face is remembered.
    await async_after_event(hass, coordinator, frame, outcome)
    _log_run(outcome, hass.loop.time() - started)
    return outcome


def _log_run(outcome: Outcome, seconds: float) -> None:
    """The one debug line of a run: where, what, how long, how many calls (no names)."""
    LOGGER.debug(
        "Run %s in %s: %s, %s face(s)%s, recognised in %.2f s, run took %.2f s, %s API "
        "call(s), backend %s, %s",
        outcome.run_id,
        outcome.zone or "(no zone)",
        outcome.verdict.value,
        len(outcome.faces),
        f" ({', '.join(face.verdict.value for face in outcome.faces)})" if outcome.faces else "",
        outcome.duration,
        seconds,
        outcome.api_calls,
        outcome.backend,
        "event fired" if outcome.fired else "no event",
    )


async def _async_recognize(
    hass: HomeAssistant,
    coordinator: IntruderAlertCoordinator,
    frame: PreparedImage,
    outcome: Outcome,
) -> None:
    """The account's backend, then (when it fails and the option is on) this device's."""
    try:
        result = await coordinator.recognizer.recognize_prepared(frame, coordinator.thresholds)
    except EngineError as err:
        outcome.reason = str(err)
        _handle_engine_failure(hass, coordinator, err)
        fallback = await _async_fallback(coordinator, frame, err)
        if fallback is not None:
            _apply(outcome, fallback)
            outcome.backend = "local_fallback"
    except Exception as err:  # noqa: BLE001 - fail-secure: an alarm must never be lost
        LOGGER.exception("Unexpected error during recognition")
        outcome.reason = f"Unexpected error: {err!r}"
    else:
        _apply(outcome, result)
        if not coordinator.is_local:
            # AWS answered the searches: a permission it refused to an earlier run is granted.
            entry = coordinator.config_entry
            async_report_access_granted(hass, entry.entry_id, entry.title, RUN)


async def _async_after_announce(
    hass: HomeAssistant,
    coordinator: IntruderAlertCoordinator,
    frame: PreparedImage | None,
    outcome: Outcome,
    data: dict[str, Any],
) -> None:
    """The annotated copy and the run's record; a failure here is logged, the alarm is out."""
    if outcome.snapshot is None:
        return
    try:
        if frame is not None and outcome.annotated is not None:
            await _async_keep_images(hass, coordinator, frame, outcome.annotated, outcome)
    except Exception:  # noqa: BLE001 - the event already went out; keep the record below
        LOGGER.exception("The annotated copy of %s could not be made", outcome.snapshot.path.name)
        outcome.annotated = None
    try:
        # Marks the run done: without it the next start would report it again (twice an alarm,
        # never none).
        await hass.async_add_executor_job(
            coordinator.snapshots.write_record, outcome.snapshot, data | {"armed": outcome.armed}
        )
    except OSError as err:
        LOGGER.error("The record of %s could not be written: %s", outcome.snapshot.path.name, err)


async def async_report_interrupted(
    hass: HomeAssistant, coordinator: IntruderAlertCoordinator
) -> list[Outcome]:
    """Fire a failed event for every run a stop of Home Assistant cut short (fail-secure)."""
    store = coordinator.snapshots
    outcomes = []
    for snapshot, record in await hass.async_add_executor_job(store.in_progress):
        outcome = Outcome(
            verdict=Verdict.FAILED,
            time=dt_util.parse_datetime(record["time"]) or dt_util.utcnow(),
            zone=record.get("zone"),
            device_id=record.get("device_id"),
            snapshot=snapshot,
            reason=INTERRUPTED_REASON,
        )
        if record.get("run_id"):
            outcome.run_id = str(record["run_id"])
        # Alert first, then mark the record: a stop in between repeats the alert, never loses it.
        data = _announce(hass, coordinator, outcome, fire_event=True)
        await hass.async_add_executor_job(store.write_record, snapshot, data)
        for zone in coordinator.zones.values():
            if zone.name == outcome.zone:
                zone.async_set_outcome(outcome)
        outcomes.append(outcome)
    return outcomes


async def _async_fallback(
    coordinator: IntruderAlertCoordinator, frame: PreparedImage, err: EngineError
) -> Recognition | None:
    """Recognise on this device when the cloud failed and the option is on; None otherwise."""
    if coordinator.fallback_recognizer is None:
        return None
    try:
        result = await coordinator.fallback_recognizer.recognize_prepared(
            frame, coordinator.thresholds
        )
    except Exception:  # noqa: BLE001 - both failed: the run stays failed (fail-secure)
        LOGGER.exception("The offline fallback failed too")
        return None
    LOGGER.warning("Recognised on this device because the cloud failed: %s", err)
    return result


def _apply(outcome: Outcome, result: Recognition | None) -> None:
    """Take a recognition's verdict and faces (None: failed, nothing found)."""
    if result is None:
        outcome.verdict = Verdict.FAILED
        outcome.faces = []
        return
    outcome.verdict = result.verdict
    outcome.faces = result.faces
    outcome.api_calls = result.api_calls
    outcome.duration = result.duration


async def _async_keep_images(
    hass: HomeAssistant,
    coordinator: IntruderAlertCoordinator,
    frame: PreparedImage,
    annotated: Snapshot,
    outcome: Outcome,
) -> None:
    """Write the annotated copy and remember the zone's last unknown face (for enrolment)."""

    unknown = [face for face in outcome.faces if face.verdict is Verdict.UNKNOWN]

    def work() -> bytes | None:
        labels = [(face.box, face.verdict.value, face.label) for face in outcome.faces]
        coordinator.snapshots.write(annotated, annotate(frame.image, labels))
        if len(unknown) != 1:
            return None
        return crop(frame.image, crop_box(frame.image, unknown[0].box))

    unknown_face = await hass.async_add_executor_job(work)
    if unknown:
        # With several strangers in the frame the zone shortcut cannot know which one is meant:
        # None makes enrolment ask for the run and the face instead of guessing.
        coordinator.last_unknown_faces[outcome.zone] = unknown_face
    coordinator.async_update_listeners()


def _handle_engine_failure(
    hass: HomeAssistant, coordinator: IntruderAlertCoordinator, err: EngineError
) -> None:
    LOGGER.warning("Recognition failed: %s", err)
    if isinstance(err, AuthError):
        coordinator.config_entry.async_start_reauth(hass)
    elif isinstance(err, AccessDeniedError):
        # The run still fails (and alerts); the issue tells the owner which action to allow.
        entry = coordinator.config_entry
        async_report_access_denied(hass, entry.entry_id, entry.title, RUN, err.permission)
    elif isinstance(err, NotFoundError):
        entry = coordinator.config_entry
        async_create_collection_issue(hass, entry.entry_id, entry.title, str(err))


def _announce(
    hass: HomeAssistant, coordinator: IntruderAlertCoordinator, outcome: Outcome, fire_event: bool
) -> dict[str, Any]:
    """Fire the bus event (per the fail mode), let the entities update; return the event data."""
    event_type: EventType | None = outcome.result
    if outcome.verdict is Verdict.FAILED:
        match coordinator.fail_mode:
            case FailMode.UNKNOWN:
                event_type = EventType.UNKNOWN_PERSON
            case FailMode.QUIET:
                event_type = None
    outcome.event_type = event_type
    data = outcome.as_dict(coordinator.config_entry.entry_id)
    if fire_event and event_type is not None:
        hass.bus.async_fire(EVENT_INTRUDER_ALERT, data)
        outcome.fired = True
    coordinator.async_update_listeners()
    return data
