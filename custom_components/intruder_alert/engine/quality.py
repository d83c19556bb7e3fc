"""Whether a camera can see: tamper checks of a frame, and how usable its faces are.

Everything here is measured on the frame a run recognised, so it works the same for every camera
source. All of it is blocking Pillow work: callers run it in an executor.

Frame checks look at a greyscale thumbnail (at most THUMBNAIL_SIDE pixels a side, every pixel a
box average of the full frame, which also averages sensor noise away):

- **black**: the mean brightness is under BLACK_MAX_MEAN and even the brightest 2 % of the
  picture stays under BLACK_MAX_BRIGHT (0 to 255). A night scene without infrared light, a
  disconnected sensor or a lens cap. A dark scene with one lit lamp is not black.
- **covered**: almost no detail. Either the picture is nearly uniform (brightness standard
  deviation under COVERED_MAX_CONTRAST: tape, paint, a hand in front of the lens, or a covered
  lens at night whose gain shows only noise), or it has no edges (mean absolute Laplacian under
  COVERED_MAX_DETAIL: something right in front of the lens, or a lens badly out of focus). Real
  scenes, even dim ones, measure 5 or more; a hand held in front of the lens about 1.
- **frozen**: the frame is the same picture as the FROZEN_FRAMES - 1 frames before it (mean
  absolute difference of the thumbnails under FROZEN_MAX_DIFFERENCE, that is practically pixel
  for pixel the same). A live sensor never delivers that, not even of a still scene: its noise
  alone changes a few levels of every pixel. A stalled stream or a camera serving a cached still
  does.

A face is **usable** for recognition when the shorter side of its box has at least
USABLE_FACE_PIXELS pixels in the frame as recognised (Amazon Rekognition's recommended face
resolution is 50 x 50 pixels for frames up to 1920 x 1080, which is what a run sends) and its
sharpness is at least USABLE_FACE_SHARPNESS. Sharpness is the face's high-frequency energy
relative to its own contrast (mean absolute Laplacian of the face scaled to SHARPNESS_SIDE
pixels, divided by its brightness standard deviation, times 100), so a dim infrared face is not
punished for being dim, only for being blurred. In-focus faces measure 15 to 60; the same faces
blurred by motion or focus (a Gaussian blur of 3 % of the face's width) measure under 10.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from enum import StrEnum
import statistics

from PIL import Image, ImageChops, ImageFilter, ImageStat

from .images import BoundingBox

THUMBNAIL_SIDE = 160
BLACK_MAX_MEAN = 16.0
BLACK_MAX_BRIGHT = 48
# Share of the picture allowed above BLACK_MAX_BRIGHT in a black frame.
BLACK_BRIGHT_SHARE = 0.02
COVERED_MAX_CONTRAST = 6.0
COVERED_MAX_DETAIL = 1.5
FROZEN_FRAMES = 3
FROZEN_MAX_DIFFERENCE = 0.05
USABLE_FACE_PIXELS = 50
USABLE_FACE_SHARPNESS = 12.0
SHARPNESS_SIDE = 64
# Runs the usable-face share and the median face size look back on.
RECENT_RUNS = 20

# A Laplacian around mid-grey: Pillow clips filter results to 0 to 255.
_LAPLACIAN = ImageFilter.Kernel((3, 3), [0, 1, 0, 1, -4, 1, 0, 1, 0], scale=1, offset=128)


class CameraProblem(StrEnum):
    """Why a camera cannot see, most telling first."""

    BLACK = "black"
    COVERED = "covered"
    FROZEN = "frozen"


def _edge_energy(grey: Image.Image) -> float:
    """Mean absolute Laplacian, without the one-pixel border Pillow leaves unfiltered."""
    if grey.width < 3 or grey.height < 3:
        return 0.0
    edges = grey.filter(_LAPLACIAN).crop((1, 1, grey.width - 1, grey.height - 1))
    counts = edges.histogram()
    total = sum(counts)
    return sum(abs(level - 128) * count for level, count in enumerate(counts)) / total


def _percentile(grey: Image.Image, share: float) -> int:
    """The brightness that ``share`` of the pixels do not exceed."""
    counts = grey.histogram()
    wanted = share * sum(counts)
    seen = 0
    for level, count in enumerate(counts):
        seen += count
        if seen >= wanted:
            return level
    return 255  # pragma: no cover - the counts always reach the total


@dataclass(frozen=True)
class FrameCheck:
    """What one frame's thumbnail measured, and what that says about the camera."""

    brightness: float
    bright: int
    contrast: float
    detail: float
    thumbnail: Image.Image

    @property
    def problem(self) -> CameraProblem | None:
        """Black or covered, judged on this frame alone (frozen needs the ones before)."""
        if self.brightness < BLACK_MAX_MEAN and self.bright < BLACK_MAX_BRIGHT:
            return CameraProblem.BLACK
        if self.contrast < COVERED_MAX_CONTRAST or self.detail < COVERED_MAX_DETAIL:
            return CameraProblem.COVERED
        return None

    def same_picture(self, other: FrameCheck) -> bool:
        """Whether ``other`` shows practically pixel for pixel the same picture."""
        if self.thumbnail.size != other.thumbnail.size:
            return False
        difference = ImageChops.difference(self.thumbnail, other.thumbnail)
        return ImageStat.Stat(difference).mean[0] < FROZEN_MAX_DIFFERENCE

    def measures(self) -> dict[str, float]:
        """The numbers behind the judgement, rounded, for attributes and events."""
        return {
            "brightness": round(self.brightness, 1),
            "contrast": round(self.contrast, 1),
            "detail": round(self.detail, 2),
        }


def check_frame(image: Image.Image) -> FrameCheck:
    """Measure a frame for the black and covered checks and keep its thumbnail for frozen."""
    grey = image.convert("L")
    grey.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.BOX)
    stat = ImageStat.Stat(grey)
    return FrameCheck(
        brightness=stat.mean[0],
        bright=_percentile(grey, 1 - BLACK_BRIGHT_SHARE),
        contrast=stat.stddev[0],
        detail=_edge_energy(grey),
        thumbnail=grey,
    )


@dataclass(frozen=True)
class FaceQuality:
    """How well one face can be recognised."""

    pixels: int
    sharpness: float

    @property
    def usable(self) -> bool:
        """Large and sharp enough (the module's thresholds)."""
        return self.pixels >= USABLE_FACE_PIXELS and self.sharpness >= USABLE_FACE_SHARPNESS


def face_quality(image: Image.Image, box: BoundingBox) -> FaceQuality:
    """Size (shorter side, pixels of ``image``) and sharpness of the face in ``box``."""
    left = max(0, round(box.left * image.width))
    top = max(0, round(box.top * image.height))
    right = min(image.width, round((box.left + box.width) * image.width))
    bottom = min(image.height, round((box.top + box.height) * image.height))
    if right - left < 1 or bottom - top < 1:
        return FaceQuality(pixels=0, sharpness=0.0)
    face = image.crop((left, top, right, bottom)).convert("L")
    face = face.resize((SHARPNESS_SIDE, SHARPNESS_SIDE), Image.Resampling.BILINEAR)
    contrast = ImageStat.Stat(face).stddev[0]
    sharpness = _edge_energy(face) / max(contrast, 1.0) * 100
    return FaceQuality(pixels=min(right - left, bottom - top), sharpness=round(sharpness, 1))


@dataclass(frozen=True)
class RunFaces:
    """The faces of one run, as the usable-face statistics count them."""

    usable: bool
    # The shorter side of the run's largest face, in pixels; None without faces.
    largest: int | None


def run_faces(qualities: list[FaceQuality]) -> RunFaces:
    """A run had a usable face if any of its faces is usable."""
    return RunFaces(
        usable=any(quality.usable for quality in qualities),
        largest=max((quality.pixels for quality in qualities), default=None),
    )


class CameraWatch:
    """One camera's recent frames and runs: its current problem and its face statistics."""

    def __init__(self, recent_runs: int = RECENT_RUNS, frozen_frames: int = FROZEN_FRAMES) -> None:
        """Start with nothing seen."""
        self.runs: deque[RunFaces] = deque(maxlen=recent_runs)
        self._frames: deque[FrameCheck] = deque(maxlen=max(frozen_frames - 1, 1))
        self._frozen_frames = frozen_frames

    def add_frame(self, check: FrameCheck) -> CameraProblem | None:
        """Judge a new frame against the ones before it; its problem, or None if it is fine."""
        frozen = len(self._frames) == self._frozen_frames - 1 and all(
            check.same_picture(previous) for previous in self._frames
        )
        self._frames.append(check)
        if (problem := check.problem) is not None:
            return problem
        return CameraProblem.FROZEN if frozen else None

    def add_run(self, faces: RunFaces) -> None:
        """Count a run whose faces are known (a failed recognition's are not)."""
        self.runs.append(faces)

    @property
    def usable_share(self) -> float | None:
        """Percent of the recent runs with a usable face; None before the first run."""
        if not self.runs:
            return None
        return round(100 * sum(run.usable for run in self.runs) / len(self.runs), 1)

    @property
    def median_face_pixels(self) -> int | None:
        """Median of the recent runs' largest faces (pixels); None before the first face."""
        sizes = [run.largest for run in self.runs if run.largest is not None]
        return round(statistics.median(sizes)) if sizes else None
