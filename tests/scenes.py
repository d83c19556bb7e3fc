"""Synthetic frames whose "faces" the local Rekognition server can tell apart.

A face is a solid square of one palette colour on a dark background; the colour is the
person's identity. Two palette entries are look-alikes (similar colours) so thresholds matter.
The background is a dim textured wall, as a camera sees one: a flat frame would be a covered
lens to the camera checks (engine/quality.py). Its texture is far too faint to look like a face.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
import io
import random

from PIL import Image, ImageDraw

BACKGROUND = (24, 24, 24)
PALETTE: dict[str, tuple[int, int, int]] = {
    "alice": (230, 60, 60),
    "bob": (60, 200, 60),
    "carol": (60, 90, 230),
    "dave": (230, 220, 50),
    "eve": (220, 60, 220),
    "mallory": (50, 220, 220),
    "trent": (240, 140, 40),
    "walter": (150, 100, 240),
    # Looks like alice, is not alice.
    "alice_twin": (250, 95, 80),
}
# Similarity the fake service reports between two different identities that look alike.
LOOKALIKES = {frozenset({"alice", "alice_twin"}): 82.0}


@dataclass(frozen=True)
class Person:
    """One face placed in a scene: who, where (pixels), how large."""

    who: str
    left: int
    top: int
    size: int


# The wall's texture: cells of WALL_CELL pixels, each up to WALL_TEXTURE levels off BACKGROUND.
# Around each face the wall is plain for WALL_MARGIN pixels (two JPEG blocks), so the server
# finds exactly the faces, and the same boxes, it finds on a plain background.
WALL_CELL = 8
WALL_TEXTURE = 16
WALL_MARGIN = 16


@cache
def wall(width: int, height: int) -> Image.Image:
    """The background every scene of this size shares (the same texture every time)."""
    pick = random.Random(f"wall {width}x{height}")  # noqa: S311 - a test pattern, not a secret
    cells = Image.new("L", (-(-width // WALL_CELL), -(-height // WALL_CELL)))
    cells.putdata(
        [
            BACKGROUND[0] + pick.randint(-WALL_TEXTURE, WALL_TEXTURE)
            for _ in range(cells.width * cells.height)
        ]
    )
    texture = cells.resize(
        (cells.width * WALL_CELL, cells.height * WALL_CELL), Image.Resampling.NEAREST
    )
    return texture.crop((0, 0, width, height)).convert("RGB")


def scene(people: list[Person], width: int = 640, height: int = 480, fmt: str = "JPEG") -> bytes:
    """Encode a frame holding ``people``."""
    image = wall(width, height).copy()
    pen = ImageDraw.Draw(image)
    for person in people:
        pen.rectangle(
            (
                person.left - WALL_MARGIN,
                person.top - WALL_MARGIN,
                person.left + person.size + WALL_MARGIN,
                person.top + person.size + WALL_MARGIN,
            ),
            fill=BACKGROUND,
        )
    for person in people:
        pen.rectangle(
            (person.left, person.top, person.left + person.size, person.top + person.size),
            fill=PALETTE[person.who],
        )
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def portrait(who: str) -> bytes:
    """A frame with one large face, for enrolment."""
    return scene([Person(who, 220, 140, 200)])


def empty() -> bytes:
    """A frame without faces."""
    return scene([])
