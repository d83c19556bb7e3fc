"""Real face photos shipped inside wheels (no network): Grace Hopper and a group of six."""

from __future__ import annotations

from functools import cache
import io
from pathlib import Path
import sys
import zipfile

from matplotlib import cbook
from PIL import Image, ImageOps


def jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=92)
    return buffer.getvalue()


@cache
def grace_hopper() -> Image.Image:
    """Matplotlib's sample portrait of Grace Hopper (one face)."""
    with Image.open(cbook.get_sample_data("grace_hopper.jpg")) as image:
        return image.convert("RGB")


def mirrored(image: Image.Image) -> Image.Image:
    return ImageOps.mirror(image)


def rescaled(image: Image.Image, factor: float) -> Image.Image:
    return image.resize(
        (round(image.width * factor), round(image.height * factor)), Image.Resampling.LANCZOS
    )


@cache
def group_of_six() -> Image.Image:
    """Insightface's t1.jpg, read from its wheel (downloaded by scripts/setup, never imported)."""
    wheel = next((Path(sys.prefix) / "test-data").glob("insightface-*.whl"))
    with zipfile.ZipFile(wheel) as archive, archive.open("insightface/data/images/t1.jpg") as file:
        return Image.open(io.BytesIO(file.read())).convert("RGB")


def crop(image: Image.Image, box: dict[str, float], margin: float = 0.5) -> Image.Image:
    """One face of a photo, with some context around it."""
    left = (box["Left"] - box["Width"] * margin) * image.width
    top = (box["Top"] - box["Height"] * margin) * image.height
    right = (box["Left"] + box["Width"] * (1 + margin)) * image.width
    bottom = (box["Top"] + box["Height"] * (1 + margin)) * image.height
    return image.crop(
        (
            max(0, round(left)),
            max(0, round(top)),
            min(image.width, round(right)),
            min(image.height, round(bottom)),
        )
    )
