"""Zone "last visitor" image: the latest frame with faces boxed and labelled."""

from __future__ import annotations

from functools import cache
import io
from pathlib import Path

from PIL import Image, ImageDraw

from homeassistant.components.image import ImageEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import IntruderAlertConfigEntry
from .entity import IntruderAlertZoneEntity, async_add_zone_entities
from .zone import Zone

PARALLEL_UPDATES = 0


@cache
def no_visitor_yet() -> bytes:
    """A dark 640 x 360 JPEG saying "No visitor yet"; made once, blocking."""
    image = Image.new("RGB", (640, 360), (32, 33, 36))
    pen = ImageDraw.Draw(image)
    text = "No visitor yet"
    font = pen.getfont()
    left, top, right, bottom = pen.textbbox((0, 0), text, font=font, font_size=36)
    pen.text(
        ((640 - (right - left)) / 2, (360 - (bottom - top)) / 2),
        text,
        fill=(200, 200, 200),
        font_size=36,
    )
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


async def async_setup_entry(
    hass: HomeAssistant,
    entry: IntruderAlertConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a last-visitor image for each zone."""
    async_add_zone_entities(entry, async_add_entities, lambda zone: LastVisitorImage(hass, zone))


class LastVisitorImage(IntruderAlertZoneEntity, ImageEntity):
    """The annotated snapshot of the zone's last run."""

    _attr_content_type = "image/jpeg"

    def __init__(self, hass: HomeAssistant, zone: Zone) -> None:
        """Describe the image."""
        IntruderAlertZoneEntity.__init__(self, zone, "last_visitor")
        ImageEntity.__init__(self, hass)
        self._path: Path | None = None

    @callback
    def _handle_zone_update(self) -> None:
        outcome = self.zone.last_outcome
        snapshot = outcome.annotated or outcome.snapshot if outcome else None
        if outcome is not None and snapshot is not None and snapshot.path != self._path:
            self._path = snapshot.path
            self._attr_image_last_updated = outcome.time
            # A new token is a new picture URL: browsers would keep showing the cached one.
            self.async_update_token()
        self.async_write_ha_state()

    async def async_image(self) -> bytes | None:
        """The annotated JPEG (or the plain snapshot if recognition failed).

        Before the first run (or once the snapshot was pruned) a picture that says so, not an
        error: dashboards show it as "No visitor yet".
        """
        path = self._path
        if path is not None:
            try:
                return await self.hass.async_add_executor_job(path.read_bytes)
            except FileNotFoundError:
                self._path = None
        return await self.hass.async_add_executor_job(no_visitor_yet)
