"""Image preparation: decode, orient, downscale, crop faces, draw the annotated copy.

Rekognition takes JPEG or PNG up to 5 MB, at least 80 px on each side, and finds faces down to
about 40 px. Frames are re-encoded as JPEG with the longest side capped, which keeps requests
small (fast uploads) and well under the limit.
"""

from __future__ import annotations

from dataclasses import dataclass
import io

from PIL import Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError

from .errors import BadImageError

MAX_REQUEST_BYTES = 5 * 1024 * 1024
MIN_SIDE = 80
MAX_SIDE = 1920
# A crop is padded by this fraction of the face size on every side: Rekognition needs context
# around a face to detect it again.
CROP_MARGIN = 0.6
# Crops are upscaled to at least this many pixels on the shorter side.
MIN_CROP_SIDE = 160
# Most pixels decoded at once, checked from the header before decoding. 24 MP is a 72 MB RGB
# frame (a 4-channel PNG: 96 MB), which a Raspberry Pi can afford next to Home Assistant;
# Pillow's own limit (89 MP, refused only past 179 MP) would let a PNG take about 1 GB on its
# way to RGB. A JPEG counts at the reduced size it is decoded to (see ``decode``), so a 50 MP
# camera frame still passes.
MAX_PIXELS = 24_000_000
ORIENTATION_TAG = 0x0112


@dataclass(frozen=True)
class BoundingBox:
    """A face box as fractions of the image size (Rekognition's convention)."""

    left: float
    top: float
    width: float
    height: float

    @classmethod
    def from_aws(cls, box: dict[str, float]) -> BoundingBox:
        """Build from a Rekognition ``BoundingBox``."""
        return cls(
            left=float(box.get("Left", 0.0)),
            top=float(box.get("Top", 0.0)),
            width=float(box.get("Width", 0.0)),
            height=float(box.get("Height", 0.0)),
        )

    def as_dict(self) -> dict[str, float]:
        """Rounded, for events and responses."""
        return {
            "left": round(self.left, 4),
            "top": round(self.top, 4),
            "width": round(self.width, 4),
            "height": round(self.height, 4),
        }

    @property
    def area(self) -> float:
        """Fraction of the image the box covers."""
        return max(self.width, 0.0) * max(self.height, 0.0)

    def overlap(self, other: BoundingBox) -> float:
        """Intersection over union of two boxes (0 when apart, 1 when equal)."""
        width = min(self.left + self.width, other.left + other.width) - max(self.left, other.left)
        height = min(self.top + self.height, other.top + other.height) - max(self.top, other.top)
        if width <= 0 or height <= 0:
            return 0.0
        shared = width * height
        return shared / (self.area + other.area - shared)

    def in_frame(self, outer: BoundingBox) -> BoundingBox:
        """Map a box found inside ``outer`` (a crop) back into the frame's coordinates."""
        return BoundingBox(
            left=outer.left + self.left * outer.width,
            top=outer.top + self.top * outer.height,
            width=self.width * outer.width,
            height=self.height * outer.height,
        )


@dataclass(frozen=True)
class PreparedImage:
    """A frame ready for Rekognition: the decoded picture and its JPEG bytes."""

    image: Image.Image
    jpeg: bytes

    @property
    def size(self) -> tuple[int, int]:
        """Width and height in pixels."""
        return self.image.size


def decode(data: bytes) -> Image.Image:
    """Decode any image Pillow reads, applying EXIF orientation; refuse anything else.

    The size is checked from the header, before any pixel is decoded. No warning filters are
    touched: they are process-wide, and this runs on executor threads next to other code.
    """
    if not data:
        raise BadImageError("The image is empty.")
    try:
        image = Image.open(io.BytesIO(data))
        width, height = image.size
        # JPEG can decode straight to a reduced size: far faster and smaller for big frames.
        image.draft("RGB", (MAX_SIDE, MAX_SIDE))
        if image.width * image.height > MAX_PIXELS:
            raise BadImageError(
                f"The image has {width}×{height} pixels "
                f"({image.width * image.height / 1_000_000:.0f} megapixels to decode); at most "
                f"{MAX_PIXELS // 1_000_000} megapixels are accepted."
            )
        image.load()
    except BadImageError:
        raise
    except Image.DecompressionBombError as err:
        # Pillow refuses on its own past twice its limit, before we see the size.
        raise BadImageError(
            f"The image has too many pixels ({err}); at most {MAX_PIXELS // 1_000_000} "
            "megapixels are accepted."
        ) from err
    except UnidentifiedImageError as err:
        raise BadImageError("The file is not an image Pillow can read.") from err
    except (OSError, SyntaxError, ValueError) as err:
        raise BadImageError(f"The image is damaged or truncated ({err}).") from err
    return ImageOps.exif_transpose(image).convert("RGB")


def encode_jpeg(image: Image.Image, max_bytes: int = MAX_REQUEST_BYTES) -> bytes:
    """JPEG bytes no larger than ``max_bytes``, lowering quality and then size as needed."""
    quality = 90
    while True:
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=quality)
        if buffer.tell() <= max_bytes:
            return buffer.getvalue()
        if quality > 60:
            quality -= 15
        else:
            image = image.resize((max(1, image.width * 3 // 4), max(1, image.height * 3 // 4)))


def _sendable_as_is(data: bytes, image: Image.Image, max_side: int) -> bool:
    """Whether the original bytes already are what we would send: an upright JPEG in limits."""
    if len(data) > MAX_REQUEST_BYTES or max(image.size) > max_side:
        return False
    try:
        with Image.open(io.BytesIO(data)) as original:
            return (
                original.format == "JPEG"
                and original.mode == "RGB"
                and original.size == image.size
                and original.getexif().get(ORIENTATION_TAG, 1) == 1
            )
    except OSError, ValueError:
        return False


def prepare(data: bytes, max_side: int = MAX_SIDE) -> PreparedImage:
    """Decode, orient and downscale a frame; refuse images too small to hold a face.

    A camera's JPEG that is already upright and within limits is sent as it is: re-encoding it
    would cost time on every alarm and lose quality.
    """
    image = decode(data)
    if min(image.size) < MIN_SIDE:
        raise BadImageError(
            f"The image is {image.width}×{image.height} pixels; Rekognition needs at least "
            f"{MIN_SIDE} on each side."
        )
    if _sendable_as_is(data, image, max_side):
        return PreparedImage(image=image, jpeg=data)
    if max(image.size) > max_side:
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return PreparedImage(image=image, jpeg=encode_jpeg(image))


def crop_box(image: Image.Image, face: BoundingBox, margin: float = CROP_MARGIN) -> BoundingBox:
    """The region to crop around ``face``: padded, square-ish, clamped to the image."""
    pad_x, pad_y = face.width * margin, face.height * margin
    left = max(0.0, face.left - pad_x)
    top = max(0.0, face.top - pad_y)
    right = min(1.0, face.left + face.width + pad_x)
    bottom = min(1.0, face.top + face.height + pad_y)
    # Keep at least MIN_SIDE pixels of the original where the image allows it.
    min_w = min(1.0, MIN_SIDE / image.width)
    min_h = min(1.0, MIN_SIDE / image.height)
    if right - left < min_w:
        # Widen around the face, sliding the window back inside at an edge.
        left = min(max(0.0, (left + right - min_w) / 2), 1.0 - min_w)
        right = left + min_w
    if bottom - top < min_h:
        top = min(max(0.0, (top + bottom - min_h) / 2), 1.0 - min_h)
        bottom = top + min_h
    return BoundingBox(left=left, top=top, width=right - left, height=bottom - top)


def crop(image: Image.Image, region: BoundingBox) -> bytes:
    """JPEG of ``region`` of ``image``, upscaled so its shorter side is at least MIN_CROP_SIDE."""
    pixels = (
        round(region.left * image.width),
        round(region.top * image.height),
        round((region.left + region.width) * image.width),
        round((region.top + region.height) * image.height),
    )
    part = image.crop(pixels)
    shorter = min(part.size)
    if shorter < MIN_CROP_SIDE:
        factor = MIN_CROP_SIDE / max(shorter, 1)
        part = part.resize(
            (max(MIN_SIDE, round(part.width * factor)), max(MIN_SIDE, round(part.height * factor))),
            Image.Resampling.LANCZOS,
        )
    return encode_jpeg(part)


# Box colours per verdict: red for intruders, amber for strangers, green for people who belong.
VERDICT_COLORS = {
    "blacklisted": (229, 57, 53),
    "unknown": (255, 179, 0),
    "known": (67, 160, 71),
}
# Labels shrink down to this font size (pixels) to fit a narrow frame, then lose characters.
MIN_LABEL_FONT = 8


@dataclass(frozen=True)
class LabelPlacement:
    """Where one face's label goes: its text, font, and background, all inside the image."""

    text: str
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont
    # Where the text is drawn (Pillow's anchor), and the filled background behind it.
    origin: tuple[float, float]
    background: tuple[float, float, float, float]


def place_label(
    pen: ImageDraw.ImageDraw,
    label: str,
    face: tuple[float, float, float, float],
    size: tuple[int, int],
    *,
    font_size: int,
    padding: int,
) -> LabelPlacement:
    """Put ``label`` above the face box, else below it, else inside its top: never cut off.

    Shifted left at the right edge (and right at the left edge); a label wider than the image
    gets a smaller font, and only past the smallest one loses characters at its end ("…").
    """
    width, height = size
    x0, y0, _x1, y1 = face
    text = label
    font_size = max(font_size, MIN_LABEL_FONT)
    while True:
        font = ImageFont.load_default(size=font_size)
        left, top, right, bottom = pen.textbbox((0, 0), text, font=font)
        box_width, box_height = right - left + 2 * padding, bottom - top + 2 * padding
        if box_width <= width or (font_size <= MIN_LABEL_FONT and len(text) <= 1):
            break
        if font_size > MIN_LABEL_FONT:
            font_size = max(MIN_LABEL_FONT, round(font_size * 0.85))
        else:
            text = text[:-2] + "…" if len(text) > 2 else text[:1]
    label_left = min(max(x0, 0.0), max(width - box_width, 0))
    if y0 >= box_height:
        label_top = y0 - box_height
    elif y1 + box_height <= height:
        label_top = y1
    else:
        label_top = min(max(y0, 0.0), max(height - box_height, 0))
    return LabelPlacement(
        text=text,
        font=font,
        origin=(label_left + padding - left, label_top + padding - top),
        # Pillow's rectangles include their last row and column.
        background=(label_left, label_top, label_left + box_width - 1, label_top + box_height - 1),
    )


def annotate(image: Image.Image, labels: list[tuple[BoundingBox, str, str]]) -> bytes:
    """JPEG of ``image`` with each face boxed in its verdict's colour and labelled.

    Every label stays whole inside the image, whatever the face's place and the name's length.
    """
    canvas = image.copy()
    pen = ImageDraw.Draw(canvas)
    line = max(2, round(min(canvas.size) / 200))
    font_size = max(12, round(min(canvas.size) / 30))
    for box, verdict, label in labels:
        color = VERDICT_COLORS.get(verdict, (255, 179, 0))
        x0, y0 = box.left * canvas.width, box.top * canvas.height
        x1, y1 = x0 + box.width * canvas.width, y0 + box.height * canvas.height
        pen.rectangle((x0, y0, x1, y1), outline=color, width=line)
        placed = place_label(
            pen, label, (x0, y0, x1, y1), canvas.size, font_size=font_size, padding=line
        )
        pen.rectangle(placed.background, fill=color)
        pen.text(placed.origin, placed.text, fill="white", font=placed.font)
    return encode_jpeg(canvas)
