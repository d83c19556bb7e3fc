"""People's photos: the face each person was enrolled from, for the panel's People view.

Face collections keep no photos, so without these the panel could show only names. Every
enrolment through Intruder Alert (the ``enroll_face`` action from a camera, a file or a run's
face; the panel's run faces, uploads and moves: all go through ``services.async_enroll``) keeps
the enrolled face as a small JPEG, cut around the face the service indexed as enrolment crops
faces and at most 240 px on its longest side, in
``<config>/intruder_alert/people/<entry id>/<tier>/<user id>.jpg``: beside the snapshots,
outside Home Assistant's media and ``www`` folders (which other users can reach), served only
through an admin-only view.

One photo per person and tier: **the latest enrolment replaces it**, so the panel shows the
face the person was last enrolled from (how they look now, and after a move the face the new
tier was enrolled from). Removing the person deletes it, moving them deletes the old tier's
(the enrolment in the new tier keeps its own), removing the account deletes them all. Photos of
people removed elsewhere (the AWS console) are deleted the next time the panel lists people.
People enrolled before this version, or outside Intruder Alert, have none.
"""

from __future__ import annotations

from dataclasses import dataclass
import io
from pathlib import Path
import re
import shutil
import uuid

from PIL import Image

from homeassistant.core import HomeAssistant

from .const import DOMAIN, LOGGER, Tier
from .coordinator import IntruderAlertCoordinator
from .engine.errors import EngineError
from .engine.images import BoundingBox, crop_box, decode
from .engine.names import MAX_USER_ID_LENGTH, user_id_for
from .engine.people import Enrolment

PHOTO_SIDE = 240
PHOTO_QUALITY = 85
# Exactly the ids ``engine.names.user_id_for`` makes: letters, digits, "-", "_" and ".XX"
# escapes. Nothing that could leave the folder ("/", "..") and nothing made elsewhere.
USER_ID = re.compile(r"(?:[A-Za-z0-9_-]|\.[0-9A-F]{2})+")
TIERS = frozenset(tier.value for tier in Tier)
SUFFIX = ".jpg"


def people_root(hass: HomeAssistant) -> Path:
    """Where every account keeps its people's photos."""
    return Path(hass.config.path(DOMAIN, "people"))


def photo_jpeg(data: bytes, box: BoundingBox | None) -> bytes:
    """The enrolled face of ``data`` as a JPEG of at most PHOTO_SIDE px; blocking.

    With the indexed face's ``box``, the face is cut out with enrolment's margin; without one
    (a service that did not say where it was) the whole image is made small.
    """
    image = decode(data)
    if box is not None:
        region = crop_box(image, box)
        image = image.crop(
            (
                round(region.left * image.width),
                round(region.top * image.height),
                round((region.left + region.width) * image.width),
                round((region.top + region.height) * image.height),
            )
        )
    image.thumbnail((PHOTO_SIDE, PHOTO_SIDE), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=PHOTO_QUALITY)
    return buffer.getvalue()


@dataclass(frozen=True)
class PeoplePhotos:
    """The people's photos of one account. Blocking methods: call them in the executor."""

    folder: Path

    @classmethod
    def of(cls, hass: HomeAssistant, entry_id: str) -> PeoplePhotos:
        """The photos of account ``entry_id``; nothing is touched on disk."""
        return cls(people_root(hass) / entry_id)

    def path(self, tier: str, user_id: str) -> Path | None:
        """Where the photo of ``user_id`` in ``tier`` goes; None for anything not ours."""
        if tier not in TIERS or len(user_id) > MAX_USER_ID_LENGTH or not USER_ID.fullmatch(user_id):
            return None
        return self.folder / tier / f"{user_id}{SUFFIX}"

    def get(self, tier: str, user_id: str) -> Path | None:
        """The photo file of ``user_id`` in ``tier``, if there is one."""
        path = self.path(tier, user_id)
        return path if path is not None and path.is_file() else None

    def save(self, tier: str, user_id: str, data: bytes, box: BoundingBox | None) -> Path:
        """Keep the enrolled face of ``data`` as the person's photo (replacing theirs)."""
        path = self.path(tier, user_id)
        if path is None:
            raise ValueError(f"not a photo of ours: {tier}/{user_id}")
        jpeg = photo_jpeg(data, box)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written whole under another name first: never half a JPEG under the real one.
        temporary = path.with_name(f"{path.name}.{uuid.uuid4().hex}.part")
        temporary.write_bytes(jpeg)
        temporary.replace(path)
        return path

    def delete(self, tier: str, user_id: str) -> bool:
        """Delete the photo of ``user_id`` in ``tier``; whether there was one."""
        path = self.path(tier, user_id)
        if path is None or not path.is_file():
            return False
        path.unlink(missing_ok=True)
        return True

    def kept(self) -> dict[str, set[str]]:
        """The user ids that have a photo, per tier."""
        found: dict[str, set[str]] = {tier: set() for tier in sorted(TIERS)}
        for tier, ids in found.items():
            folder = self.folder / tier
            if folder.is_dir():
                ids.update(
                    file.stem
                    for file in folder.glob(f"*{SUFFIX}")
                    if USER_ID.fullmatch(file.stem) and file.is_file()
                )
        return found

    def forget_others(self, listed: dict[str, set[str]], older_than: float) -> int:
        """Delete photos of people no longer enrolled (removed elsewhere); how many.

        Only photos written before ``older_than`` (a timestamp taken before ``listed`` was
        asked for): one written since belongs to an enrolment the listing may not show yet.
        """
        forgotten = 0
        for tier, ids in self.kept().items():
            for user_id in ids - listed.get(tier, set()):
                path = self.folder / tier / f"{user_id}{SUFFIX}"
                try:
                    if path.stat().st_mtime < older_than:
                        path.unlink()
                        forgotten += 1
                except OSError as err:
                    LOGGER.warning("Could not delete the photo of a removed person: %s", err)
        return forgotten

    def remove_all(self) -> None:
        """Delete every photo of the account (the account is removed)."""
        shutil.rmtree(self.folder, ignore_errors=True)


def photos_of(coordinator: IntruderAlertCoordinator) -> PeoplePhotos:
    """The people's photos of a loaded account."""
    return PeoplePhotos.of(coordinator.hass, coordinator.config_entry.entry_id)


async def async_keep_photo(
    hass: HomeAssistant,
    coordinator: IntruderAlertCoordinator,
    tier: str,
    enrolment: Enrolment,
    data: bytes,
) -> None:
    """Keep the face just enrolled as the person's photo; a failure is only logged.

    The person is enrolled either way: the panel then shows them without a photo.
    """
    photos = photos_of(coordinator)
    try:
        await hass.async_add_executor_job(
            photos.save, tier, enrolment.user_id, data, enrolment.bounding_box
        )
    except (OSError, ValueError, EngineError) as err:
        LOGGER.warning("The photo of %s could not be kept for the panel: %s", enrolment.name, err)


async def async_forget_photo(
    hass: HomeAssistant, coordinator: IntruderAlertCoordinator, tier: str, name: str
) -> None:
    """Delete the photo of ``name`` in ``tier`` (they were removed); a failure is logged.

    ``name`` was accepted by the removal, so it has a user id.
    """
    photos = photos_of(coordinator)
    try:
        await hass.async_add_executor_job(photos.delete, tier, user_id_for(name))
    except OSError as err:
        LOGGER.warning("The photo of %s could not be deleted: %s", name, err)
