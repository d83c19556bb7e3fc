"""Snapshots as a media source, so an email automation can attach them; never browsable.

``media-source://intruder_alert/<entry id>/<snapshot>`` resolves to the file (HA's SMTP
``send_message`` reads it from there) and to the admin-only view below. Browsing is refused:
the media browser is open to every user, and snapshots are faces.
"""

from __future__ import annotations

import asyncio
from http import HTTPStatus
from pathlib import Path

from aiohttp import web

from homeassistant.components.http.const import KEY_HASS_USER
from homeassistant.components.media_player.errors import BrowseError
from homeassistant.components.media_source import (
    BrowseMediaSource,
    MediaSource,
    MediaSourceItem,
    PlayMedia,
    Unresolvable,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers.http import KEY_HASS, HomeAssistantView

from .const import DOMAIN
from .snapshots import SnapshotStore

SNAPSHOT_URL = f"/api/{DOMAIN}/snapshots/{{entry_id}}/{{name}}"
ANNOTATED_SUFFIX = "_annotated.jpg"
# Drawing the boxes takes well under a second even on a Raspberry Pi.
ANNOTATED_WAIT_SECONDS = 3.0


async def async_get_media_source(hass: HomeAssistant) -> SnapshotMediaSource:
    """The snapshots of every Intruder Alert account."""
    return SnapshotMediaSource(hass)


def _store(hass: HomeAssistant, entry_id: str) -> SnapshotStore | None:
    entry = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN or entry.state is not ConfigEntryState.LOADED:
        return None
    store: SnapshotStore = entry.runtime_data.snapshots
    return store


async def _async_path(hass: HomeAssistant, entry_id: str, name: str) -> Path | None:
    """The snapshot's file; an annotated copy still being drawn is waited for briefly.

    The event fires before the annotated copy is written (the alarm goes first), so an
    automation that asks for ``annotated_media_id`` at once waits for it here.
    """
    if (store := _store(hass, entry_id)) is None:
        return None
    path = await hass.async_add_executor_job(store.path_of, name)
    original = name.removesuffix(ANNOTATED_SUFFIX) + ".jpg"
    if path is not None or not name.endswith(ANNOTATED_SUFFIX):
        return path
    if await hass.async_add_executor_job(store.path_of, original) is None:
        return None
    deadline = hass.loop.time() + ANNOTATED_WAIT_SECONDS
    while path is None and hass.loop.time() < deadline:
        await asyncio.sleep(0.1)
        path = await hass.async_add_executor_job(store.path_of, name)
    return path


class SnapshotMediaSource(MediaSource):
    """Resolves snapshot ids; refuses to list them."""

    name = "Intruder Alert"

    def __init__(self, hass: HomeAssistant) -> None:
        """Serve ``hass``'s accounts."""
        super().__init__(DOMAIN)
        self.hass = hass

    async def async_resolve_media(self, item: MediaSourceItem) -> PlayMedia:
        """The snapshot's file (for attachments) and its admin-only URL."""
        entry_id, _, name = item.identifier.partition("/")
        if (path := await _async_path(self.hass, entry_id, name)) is None:
            raise Unresolvable(
                translation_domain=DOMAIN,
                translation_key="snapshot_not_found",
                translation_placeholders={"name": name},
            )
        return PlayMedia(SNAPSHOT_URL.format(entry_id=entry_id, name=name), "image/jpeg", path=path)

    async def async_browse_media(self, item: MediaSourceItem) -> BrowseMediaSource:
        """Not listed here: every user can open the media browser."""
        raise BrowseError(translation_domain=DOMAIN, translation_key="snapshots_not_browsable")


class SnapshotView(HomeAssistantView):
    """A snapshot's image, for signed-in administrators only."""

    url = SNAPSHOT_URL
    name = f"api:{DOMAIN}:snapshot"
    requires_auth = True

    async def get(self, request: web.Request, entry_id: str, name: str) -> web.StreamResponse:
        """Send the JPEG; anyone but an administrator is refused."""
        if not request[KEY_HASS_USER].is_admin:
            return web.Response(status=HTTPStatus.FORBIDDEN)
        if (path := await _async_path(request.app[KEY_HASS], entry_id, name)) is None:
            return web.Response(status=HTTPStatus.NOT_FOUND)
        return web.FileResponse(path, headers={"Cache-Control": "private, no-store"})
