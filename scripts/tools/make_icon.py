"""Draw the integration's brand icon (brand/icon.png and icon@2x.png)."""

from pathlib import Path

from PIL import Image, ImageDraw

BRAND = Path(__file__).resolve().parents[2] / "custom_components/intruder_alert/brand"


def draw(size: int) -> Image.Image:
    """A shield with a face outline and a red alert dot, on a transparent background."""
    scale = size / 256
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    shield = [(128, 12), (228, 48), (218, 150), (128, 244), (38, 150), (28, 48)]
    pen.polygon([(x * scale, y * scale) for x, y in shield], fill=(3, 169, 244, 255))
    # Face: head and shoulders.
    pen.ellipse([s * scale for s in (96, 62, 160, 130)], fill=(255, 255, 255, 255))
    pen.pieslice([s * scale for s in (70, 138, 186, 250)], 180, 360, fill=(255, 255, 255, 255))
    # Recognition frame corners.
    width = max(1, round(8 * scale))
    for x0, y0, dx, dy in ((80, 52, 1, 1), (176, 52, -1, 1), (80, 142, 1, -1), (176, 142, -1, -1)):
        pen.line(
            [(x0 * scale, y0 * scale), ((x0 + 18 * dx) * scale, y0 * scale)],
            fill="white",
            width=width,
        )
        pen.line(
            [(x0 * scale, y0 * scale), (x0 * scale, (y0 + 18 * dy) * scale)],
            fill="white",
            width=width,
        )
    pen.ellipse([s * scale for s in (186, 14, 242, 70)], fill=(244, 67, 54, 255))
    return image


if __name__ == "__main__":
    BRAND.mkdir(exist_ok=True)
    draw(256).save(BRAND / "icon.png", optimize=True)
    draw(512).save(BRAND / "icon@2x.png", optimize=True)
