"""engine/quality.py on real pictures: black, covered and frozen frames, and usable faces.

The faces' boxes come from dlib (the offline backend), as a real run's would.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
import io

from PIL import Image, ImageFilter
import pytest

from custom_components.intruder_alert.engine.images import BoundingBox
from custom_components.intruder_alert.engine.local import LocalFaces
from custom_components.intruder_alert.engine.quality import (
    USABLE_FACE_PIXELS,
    CameraProblem,
    CameraWatch,
    FaceQuality,
    RunFaces,
    check_frame,
    face_quality,
    run_faces,
)

from .faces import grace_hopper, group_of_six, jpeg, rescaled
from .scenes import Person, empty, portrait, scene


def darkened(image: Image.Image, factor: float) -> Image.Image:
    """The same scene with far less light (no infrared at night)."""
    return Image.eval(image, lambda value: round(value * factor))


def blurred(image: Image.Image, radius: float) -> Image.Image:
    return image.filter(ImageFilter.GaussianBlur(radius))


def lamp_in_the_dark() -> Image.Image:
    """A room with almost no light but one lit lamp."""
    image = darkened(grace_hopper(), 0.05)
    image.paste((255, 240, 200), (380, 60, 480, 160))
    return image


def decoded(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data)).convert("RGB")


@cache
def _detector() -> LocalFaces:
    return LocalFaces()


def boxes(image: Image.Image) -> list[BoundingBox]:
    """Where dlib finds faces in ``image``, as Rekognition-style boxes."""
    return [
        BoundingBox.from_aws(face["BoundingBox"]) for face in _detector().detect_faces(jpeg(image))
    ]


@pytest.mark.parametrize(
    ("name", "picture"),
    [
        ("portrait", grace_hopper),
        ("group", group_of_six),
        ("dim room", lambda: darkened(group_of_six(), 0.15)),
        ("dark room with a lamp", lamp_in_the_dark),
        ("slightly out of focus", lambda: blurred(group_of_six(), 10)),
        ("test scene with a face", lambda: decoded(portrait("alice"))),
        ("empty test scene", lambda: decoded(empty())),
    ],
)
def test_pictures_a_camera_can_see(name: str, picture: Callable[[], Image.Image]) -> None:
    """Real scenes, dim ones and the test scenes' textured wall are no camera problem."""
    check = check_frame(picture())
    assert check.problem is None, check.measures()


@pytest.mark.parametrize(
    ("picture", "problem"),
    [
        (lambda: Image.new("RGB", (640, 480)), CameraProblem.BLACK),
        (lambda: darkened(group_of_six(), 0.05), CameraProblem.BLACK),
        (lambda: darkened(grace_hopper(), 0.1), CameraProblem.BLACK),
        # A hand or tape on the lens: one colour, a little shading.
        (
            lambda: Image.radial_gradient("L").resize((640, 480)).point(lambda v: 90 + v // 6),
            CameraProblem.COVERED,
        ),
        (lambda: Image.new("RGB", (640, 480), (128, 110, 95)), CameraProblem.COVERED),
        # Pressed against the lens, or far out of focus: the shapes are there, the detail not.
        (lambda: blurred(group_of_six(), 40), CameraProblem.COVERED),
        # A covered lens at night: the sensor's gain shows only its noise.
        (lambda: Image.effect_noise((640, 480), 20), CameraProblem.COVERED),
    ],
)
def test_pictures_that_show_a_problem(
    picture: Callable[[], Image.Image], problem: CameraProblem
) -> None:
    """Black and covered are told from one frame; the reason is the first that applies."""
    check = check_frame(picture().convert("RGB"))
    assert check.problem is problem, check.measures()
    assert set(check.measures()) == {"brightness", "contrast", "detail"}


def test_frozen_takes_three_identical_frames() -> None:
    """The same picture three times in a row is frozen; a live camera's noise is not."""
    watch = CameraWatch()
    still = check_frame(decoded(jpeg(group_of_six())))
    assert watch.add_frame(still) is None
    assert watch.add_frame(check_frame(decoded(jpeg(group_of_six())))) is None
    assert watch.add_frame(check_frame(decoded(jpeg(group_of_six())))) is CameraProblem.FROZEN
    assert watch.add_frame(still) is CameraProblem.FROZEN
    # A new picture clears it, and it takes three again.
    moved = check_frame(decoded(jpeg(group_of_six().rotate(1))))
    assert watch.add_frame(moved) is None
    assert watch.add_frame(moved) is None
    assert watch.add_frame(moved) is CameraProblem.FROZEN

    # A live sensor: the same still scene, with a little noise in each frame.
    live = CameraWatch()
    for _ in range(4):
        noise = Image.effect_noise(group_of_six().size, 3).convert("RGB")
        frame = Image.blend(group_of_six(), noise, 0.03)
        assert live.add_frame(check_frame(decoded(jpeg(frame)))) is None


def test_black_and_covered_win_over_frozen() -> None:
    """A frozen black picture says black: the more telling reason."""
    watch = CameraWatch()
    black = check_frame(Image.new("RGB", (320, 240)))
    assert [watch.add_frame(black) for _ in range(3)] == [CameraProblem.BLACK] * 3


def test_frames_of_another_size_are_not_the_same_picture() -> None:
    small = check_frame(Image.new("RGB", (320, 240), "white"))
    large = check_frame(Image.new("RGB", (640, 360), "white"))
    assert not small.same_picture(large)


def test_tiny_frames_are_measured() -> None:
    """A frame too small for edges has no detail (callers refuse such frames anyway)."""
    assert check_frame(Image.new("RGB", (2, 2), "white")).detail == 0.0


def test_sharp_large_faces_are_usable() -> None:
    """Grace Hopper's portrait and each guest of the group photo are large and sharp."""
    image = grace_hopper()
    [face] = [face_quality(image, box) for box in boxes(image)]
    assert face.usable
    assert 200 <= face.pixels <= 230
    group = group_of_six()
    qualities = [face_quality(group, box) for box in boxes(group)]
    assert len(qualities) == 6
    assert all(quality.usable for quality in qualities)
    assert all(80 <= quality.pixels <= 130 for quality in qualities)


def test_dim_faces_are_not_punished_for_being_dim() -> None:
    """Sharpness is relative to the face's own contrast: a dim infrared face stays usable."""
    image = grace_hopper()
    [box] = boxes(image)
    bright = face_quality(image, box)
    dim = face_quality(darkened(image, 0.3), box)
    assert dim.usable
    assert dim.sharpness == pytest.approx(bright.sharpness, rel=0.2)


def test_blurred_and_small_faces_are_not_usable() -> None:
    """Motion or focus blur, and faces under 50 pixels, are not usable."""
    group = group_of_six()
    boxes_in_group = boxes(group)
    soft = blurred(group, 3)
    assert not any(face_quality(soft, box).usable for box in boxes_in_group)
    assert all(face_quality(soft, box).sharpness < 10 for box in boxes_in_group)
    small = rescaled(group, 0.3)
    qualities = [face_quality(small, box) for box in boxes(small)]
    assert qualities
    assert all(quality.pixels < USABLE_FACE_PIXELS for quality in qualities)
    assert not any(quality.usable for quality in qualities)


def test_boxes_outside_the_frame() -> None:
    """A box reaching past the edge is clipped; one wholly outside measures nothing."""
    image = grace_hopper()
    clipped = face_quality(image, BoundingBox(left=-0.1, top=-0.1, width=0.5, height=0.5))
    assert clipped.pixels == min(round(0.4 * image.width), round(0.4 * image.height))
    assert face_quality(image, BoundingBox(left=1.2, top=0.1, width=0.2, height=0.2)) == (
        FaceQuality(pixels=0, sharpness=0.0)
    )


def test_a_test_scene_face_is_flat() -> None:
    """The test scenes' faces are plain squares: large, but with no detail to recognise."""
    image = decoded(scene([Person("alice", 100, 100, 120)]))
    quality = face_quality(
        image, BoundingBox(left=110 / 640, top=110 / 480, width=0.15, height=0.2)
    )
    assert quality.pixels >= USABLE_FACE_PIXELS
    assert not quality.usable


def test_usable_share_and_median_of_recent_runs() -> None:
    """The share counts runs with any usable face; the median takes each run's largest face."""
    watch = CameraWatch(recent_runs=4)
    assert watch.usable_share is None
    assert watch.median_face_pixels is None
    watch.add_run(run_faces([]))
    assert watch.usable_share == 0.0
    assert watch.median_face_pixels is None
    watch.add_run(run_faces([FaceQuality(40, 30.0), FaceQuality(120, 30.0)]))
    watch.add_run(run_faces([FaceQuality(60, 5.0)]))
    assert watch.usable_share == pytest.approx(33.3)
    assert watch.median_face_pixels == 90
    watch.add_run(RunFaces(usable=True, largest=200))
    watch.add_run(RunFaces(usable=True, largest=210))  # the empty run falls out of the window
    assert len(watch.runs) == 4
    assert watch.usable_share == 75.0
    assert watch.median_face_pixels == 160  # of 60, 120, 200 and 210
