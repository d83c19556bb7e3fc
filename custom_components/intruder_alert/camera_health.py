"""A zone's camera health: whether its camera can see, and how usable its faces are.

After every run that captured a frame, the frame is checked in the executor (engine/quality.py):
black, covered or frozen turns the zone's "Camera problem" sensor on, and the moment it turns on
an ``intruder_alert_event`` of type ``camera_problem`` fires, after the run's own event (which
still reports what the frame showed: fail-secure). While the problem lasts no further
``camera_problem`` event fires, even if its reason changes; the next good frame clears it.

The run's faces feed the usable-face share and the median face size of the last RECENT_RUNS
runs. Runs whose recognition failed are left out (their faces are not known), and so are test
calls (``fire_event: false``), which touch neither the sensors nor the events.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .const import EVENT_INTRUDER_ALERT, LOGGER, EventType
from .engine.images import BoundingBox, PreparedImage
from .engine.quality import (
    FROZEN_FRAMES,
    CameraProblem,
    CameraWatch,
    FaceQuality,
    FrameCheck,
    check_frame,
    face_quality,
    run_faces,
)
from .engine.recognition import Verdict

if TYPE_CHECKING:
    from PIL import Image

    from .pipeline import Outcome
    from .zone import Zone


def describe(problem: CameraProblem, check: FrameCheck) -> str:
    """What is wrong, in a sentence, with the measure that says so."""
    match problem:
        case CameraProblem.BLACK:
            return (
                f"The picture is black (mean brightness {check.brightness:.0f} of 255): no light "
                "for the camera (infrared off?), a lens cap or a dead sensor"
            )
        case CameraProblem.COVERED:
            return (
                f"The picture has almost no detail (contrast {check.contrast:.1f}, detail "
                f"{check.detail:.2f}): the lens is covered, blocked or far out of focus"
            )
        case CameraProblem.FROZEN:
            return (
                f"The camera gave the same picture {FROZEN_FRAMES} times in a row: its stream "
                "is stalled or it serves an old still"
            )


def _measure(image: Image.Image, boxes: list[BoundingBox]) -> tuple[FrameCheck, list[FaceQuality]]:
    """The frame's checks and each face's quality. Blocking: runs in the executor."""
    return check_frame(image), [face_quality(image, box) for box in boxes]


class CameraHealth:
    """The zone's camera problem and face statistics, fed by its runs."""

    def __init__(self, hass: HomeAssistant, zone: Zone) -> None:
        """Nothing seen yet: the problem is unknown until the first frame is checked."""
        self.hass = hass
        self.zone = zone
        self.watch = CameraWatch()
        self.checked = False
        self.problem: CameraProblem | None = None
        self.description: str | None = None
        self.measures: dict[str, float] = {}
        self.since: datetime | None = None
        # The last camera_problem event's data and how many fired (for the event entity).
        self.last_event: dict[str, Any] | None = None
        self.events = 0

    async def async_after_run(self, frame: PreparedImage | None, outcome: Outcome) -> None:
        """Check the frame a run recognised; fire ``camera_problem`` when a problem starts.

        Never raises: the run's own event is out already, and this must not undo it.
        """
        if frame is None:
            return
        try:
            check, qualities = await self.hass.async_add_executor_job(
                _measure, frame.image, [face.box for face in outcome.faces]
            )
        except Exception:  # noqa: BLE001 - a measuring bug must not break the zone
            LOGGER.exception("Zone %s: the camera check failed", self.zone.name)
            return
        problem = self.watch.add_frame(check)
        if outcome.verdict is not Verdict.FAILED:
            self.watch.add_run(run_faces(qualities))
        started = problem is not None and self.problem is None
        self.checked = True
        self.measures = check.measures()
        if problem is None:
            if self.problem is not None:
                LOGGER.info("Zone %s: the camera can see again", self.zone.name)
            self.problem = self.description = self.since = None
            return
        self.problem = problem
        self.description = describe(problem, check)
        if started:
            self.since = outcome.time
            LOGGER.warning("Zone %s: camera problem: %s", self.zone.name, self.description)
            self._fire(outcome)

    def _fire(self, outcome: Outcome) -> None:
        data = outcome.as_dict(self.zone.coordinator.config_entry.entry_id) | {
            "type": EventType.CAMERA_PROBLEM.value,
            "problem": str(self.problem),
            "reason": self.description,
            "summary": f"Camera problem: {self.problem}",
            "measures": self.measures,
            "time": dt_util.utcnow().isoformat(),
        }
        self.hass.bus.async_fire(EVENT_INTRUDER_ALERT, data)
        self.last_event = data
        self.events += 1

    def attributes(self) -> dict[str, Any]:
        """The problem sensor's attributes: why, since when, and the frame's measures."""
        return {
            "reason": self.problem,
            "description": self.description,
            "since": self.since.isoformat() if self.since else None,
            **self.measures,
        }
