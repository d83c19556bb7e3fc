"""Image preparation: orientation, size limits, crops, refusals, annotation."""

from __future__ import annotations

import io
import struct
from typing import Any
import warnings
import zlib

from PIL import Image, ImageDraw
import pytest

from custom_components.intruder_alert.engine.errors import BadImageError
from custom_components.intruder_alert.engine.images import (
    MAX_PIXELS,
    MAX_SIDE,
    MIN_CROP_SIDE,
    BoundingBox,
    annotate,
    crop,
    crop_box,
    decode,
    encode_jpeg,
    place_label,
    prepare,
)

from .scenes import PALETTE, Person, scene


def _jpeg(image: Image.Image, **save: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", **save)
    return buffer.getvalue()


def test_exif_orientation_is_applied() -> None:
    """A portrait photo stored sideways with an EXIF rotation comes out upright."""
    stored = Image.new("RGB", (400, 200), (0, 0, 0))
    stored.paste(PALETTE["alice"], (0, 0, 100, 200))  # a red band on the stored left edge
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    image = decode(_jpeg(stored, exif=exif.tobytes()))
    assert image.size == (200, 400)
    assert image.getpixel((100, 20))[0] > 200  # the band is now along the top


def test_large_frames_are_downscaled() -> None:
    """A 50-megapixel frame becomes at most MAX_SIDE px wide and a request under 5 MB."""
    big = Image.new("RGB", (8660, 5774), (40, 40, 40))
    prepared = prepare(_jpeg(big, quality=70))
    assert max(prepared.size) == MAX_SIDE
    assert len(prepared.jpeg) < 5 * 1024 * 1024


def test_png_is_reencoded_as_jpeg() -> None:
    """Any format Pillow reads is sent as JPEG."""
    prepared = prepare(scene([Person("bob", 10, 10, 100)], fmt="PNG"))
    assert prepared.jpeg[:2] == b"\xff\xd8"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"just some text", "not an image"),
        (scene([])[:3000], "damaged or truncated"),
        (_jpeg(Image.new("RGB", (60, 200))), "at least 80"),
    ],
)
def test_refusals(data: bytes, message: str) -> None:
    """Empty, non-image, truncated and too-small inputs are refused with a reason."""
    with pytest.raises(BadImageError, match=message):
        prepare(data)


def _png_header(width: int, height: int) -> bytes:
    """A PNG that announces ``width`` by ``height`` pixels and holds no pixels: decoding it would fail."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"")


@pytest.mark.parametrize(
    ("width", "height"),
    [
        (5000, 5000),  # 25 MP: under Pillow's own limit, about 100 MB as RGBA
        # 132 MP: over Pillow's warning limit (89 MP); Pillow warns, the image is refused.
        pytest.param(
            12000,
            11000,
            marks=pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning"),
        ),
        (20000, 20000),  # 400 MP: Pillow refuses it itself
    ],
)
def test_large_images_are_refused_before_decoding(width: int, height: int) -> None:
    """A header announcing more than 24 MP is refused, saying its size, before any decoding."""
    with pytest.raises(BadImageError, match="megapixels") as err:
        prepare(_png_header(width, height))
    assert f"at most {MAX_PIXELS // 1_000_000} megapixels" in str(err.value)
    if width * height < 2 * 89_478_485:
        assert f"{width}×{height}" in str(err.value)


def test_the_limit_counts_what_is_decoded() -> None:
    """A JPEG counts at the reduced size it decodes to; one that cannot be reduced is refused."""
    assert MAX_PIXELS == 24_000_000
    # 30 MP in a strip 1000 px high: JPEG cannot decode it smaller than 1920 px on each side.
    strip = Image.new("L", (30_000, 1_000), 40)
    with pytest.raises(BadImageError, match="30000×1000"):
        prepare(_jpeg(strip, quality=50))
    # A PNG just under the limit passes.
    buffer = io.BytesIO()
    Image.new("L", (6000, 3999), 40).save(buffer, format="PNG")
    assert prepare(buffer.getvalue()).size == (MAX_SIDE, 1280)


def test_decoding_leaves_warning_filters_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Decoding runs on executor threads: it must not swap the process-wide warning filters.

    ``warnings.catch_warnings`` does, for every thread at once, and restores them afterwards
    (possibly over another thread's own change).
    """
    filters = warnings.filters
    seen: list[bool] = []
    load = Image.Image.load

    def watching_load(self: Image.Image) -> Any:
        seen.append(warnings.filters is filters)
        return load(self)

    monkeypatch.setattr(Image.Image, "load", watching_load)
    decode(_jpeg(Image.new("RGB", (200, 200))))
    assert seen
    assert all(seen)
    assert warnings.filters is filters


def test_encode_jpeg_respects_the_byte_limit() -> None:
    """Noise that compresses badly is shrunk until it fits."""
    noise = Image.effect_noise((1200, 1200), 100).convert("RGB")
    assert len(encode_jpeg(noise, max_bytes=100_000)) <= 100_000


def test_crops_keep_context_and_minimum_size() -> None:
    """A small face is cropped with margin and upscaled so Rekognition can find it again."""
    image = Image.new("RGB", (640, 480))
    face = BoundingBox(left=0.9, top=0.9, width=0.05, height=0.05)
    region = crop_box(image, face)
    assert region.left <= face.left
    assert region.top <= face.top
    assert region.left + region.width <= 1.0
    assert region.top + region.height <= 1.0
    assert region.width * 640 >= 80 - 1e-6
    assert region.height * 480 >= 80 - 1e-6
    with Image.open(io.BytesIO(crop(image, region))) as cropped:
        assert min(cropped.size) >= MIN_CROP_SIDE


def test_box_geometry() -> None:
    """Overlap and mapping a box found in a crop back into the frame."""
    a = BoundingBox(0.0, 0.0, 0.5, 0.5)
    assert a.overlap(a) == 1.0
    assert a.overlap(BoundingBox(0.6, 0.6, 0.2, 0.2)) == 0.0
    inner = BoundingBox(0.5, 0.5, 0.5, 0.5).in_frame(BoundingBox(0.2, 0.2, 0.4, 0.4))
    assert inner == BoundingBox(0.4, 0.4, 0.2, 0.2)
    assert BoundingBox.from_aws({"Left": 0.123456}).as_dict() == {
        "left": 0.1235,
        "top": 0.0,
        "width": 0.0,
        "height": 0.0,
    }


def test_annotate_draws_boxes_in_verdict_colours() -> None:
    """Strangers get amber boxes with labels, on a copy of the frame."""
    image = Image.new("RGB", (400, 300), (0, 0, 0))
    boxes = [
        (BoundingBox(0.1, 0.5, 0.2, 0.3), "unknown", "Unknown"),
        (BoundingBox(0.6, 0.02, 0.2, 0.3), "blacklisted", "Eve 99%"),
    ]
    with Image.open(io.BytesIO(annotate(image, boxes))) as drawn:
        red, green, blue = drawn.getpixel((40, 200))  # the amber box's left edge
        assert red > 200
        assert 120 < green < 220
        assert blue < 80
        assert drawn.getpixel((240, 50))[0] > 180  # the red box's left edge
    assert image.getpixel((40, 200)) == (0, 0, 0)


def _inside(rect: tuple[float, float, float, float], size: tuple[int, int]) -> bool:
    left, top, right, bottom = rect
    return left >= 0 and top >= 0 and right <= size[0] and bottom <= size[1]


@pytest.mark.parametrize(
    ("size", "box", "label"),
    [
        # A face at the right edge with a long name: shifted left, whole ("Neighbour F…" was cut).
        ((640, 480), BoundingBox(0.85, 0.4, 0.15, 0.2), "Neighbour Fred Featherstonehaugh 97%"),
        # At the top edge: below the box. At the bottom-left corner: left edge, above the box.
        ((640, 480), BoundingBox(0.3, 0.0, 0.2, 0.2), "Neighbour Fred 97%"),
        ((640, 480), BoundingBox(0.0, 0.8, 0.2, 0.2), "Neighbour Fred 97%"),
        # A face filling the frame: inside it, at its top.
        ((640, 480), BoundingBox(0.0, 0.0, 1.0, 1.0), "Neighbour Fred 97%"),
        # A name wider than the image: a smaller font.
        ((200, 150), BoundingBox(0.6, 0.3, 0.3, 0.4), "Neighbour Fred Featherstonehaugh 97%"),
    ],
)
def test_labels_stay_whole_inside_the_image(
    size: tuple[int, int], box: BoundingBox, label: str
) -> None:
    """Every label is drawn whole and inside the image, wherever the face is."""
    image = Image.new("RGB", size, (0, 0, 0))
    pen = ImageDraw.Draw(image)
    face = (
        box.left * size[0],
        box.top * size[1],
        (box.left + box.width) * size[0],
        (box.top + box.height) * size[1],
    )
    placed = place_label(
        pen, label, face, size, font_size=max(12, round(min(size) / 30)), padding=2
    )
    assert placed.text == label
    assert _inside(placed.background, size)
    ink = pen.textbbox(placed.origin, placed.text, font=placed.font)
    assert _inside(ink, size)
    left, top, right, bottom = placed.background
    assert left <= ink[0]
    assert top <= ink[1]
    assert ink[2] <= right + 1
    assert ink[3] <= bottom + 1
    if box.top > 0.1 and box.top + box.height < 1:
        assert bottom <= face[1]  # above the face when there is room
    elif box.top == 0.0 and box.height < 1:
        assert top >= face[3]  # below it at the top edge
    # Drawn: the label's background is where it was placed (its last column in green).
    with Image.open(io.BytesIO(annotate(image, [(box, "known", label)]))) as drawn:
        red, green, blue = drawn.getpixel((int(right), int((top + bottom) / 2)))
        assert green > 120
        assert max(red, blue) < 130


def test_a_label_too_long_for_any_font_loses_its_end() -> None:
    """On a tiny frame the smallest font still does not fit: the end goes, marked "…"."""
    size = (80, 80)
    pen = ImageDraw.Draw(Image.new("RGB", size))
    label = "Neighbour Fred Featherstonehaugh-Smythe 97%"
    placed = place_label(pen, label, (10.0, 10.0, 40.0, 40.0), size, font_size=12, padding=2)
    assert placed.text.endswith("…")
    assert label.startswith(placed.text[:-1])
    assert _inside(placed.background, size)
    assert _inside(pen.textbbox(placed.origin, placed.text, font=placed.font), size)


def test_upright_jpeg_is_sent_unchanged() -> None:
    """A camera JPEG already within limits is not re-encoded; anything else is."""
    frame = scene([Person("bob", 10, 10, 100)])
    assert prepare(frame).jpeg == frame
    rotated = Image.new("RGB", (400, 200))
    exif = Image.Exif()
    exif[0x0112] = 6
    data = _jpeg(rotated, exif=exif.tobytes())
    assert prepare(data).jpeg != data
