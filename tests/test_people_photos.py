"""People's photos: the enrolled face, kept privately, shown to administrators in People.

A real Home Assistant and the local Rekognition protocol server; enrolments go through every
path the owner has (upload, run face, the enroll_face action, move), the photos are fetched as
the panel fetches them and by an ordinary user.
"""

from __future__ import annotations

import base64
from http import HTTPStatus
import io
import json
import logging
import os
from pathlib import Path
import time
from typing import Any
from unittest.mock import patch

from PIL import Image
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator, WebSocketGenerator

from custom_components.intruder_alert.const import DOMAIN
from custom_components.intruder_alert.engine.images import BoundingBox
from custom_components.intruder_alert.engine.names import user_id_for
from custom_components.intruder_alert.people_photos import PeoplePhotos, photo_jpeg
from custom_components.intruder_alert.pipeline import Outcome, async_prepare, async_run
from homeassistant.core import HomeAssistant

from .conftest import (
    ACCESS_KEY_ID,
    ACCOUNT_ID,
    BLACKLIST,
    SECRET_ACCESS_KEY,
    WHITELIST,
    enroll_directly,
    enroll_photo,
)
from .rekognition_server import RekognitionServer
from .scenes import portrait
from .test_websocket_api import Panel

BASE = f"/api/{DOMAIN}/people"


@pytest.fixture
async def panel(hass: HomeAssistant, hass_ws_client: WebSocketGenerator) -> Panel:
    """An administrator's websocket connection."""
    return Panel(await hass_ws_client(hass))


def photo_file(hass: HomeAssistant, entry: MockConfigEntry, tier: str, name: str) -> Path:
    """Where the photo of ``name`` in ``tier`` is kept."""
    return Path(
        hass.config.path(DOMAIN, "people", entry.entry_id, tier, f"{user_id_for(name)}.jpg")
    )


async def _run(hass: HomeAssistant, entry: MockConfigEntry, frame: bytes) -> Outcome:
    prepared = await async_prepare(hass, frame)
    return await async_run(hass, entry.runtime_data, prepared, zone="Porch", fire_event=False)


async def people_by_name(panel: Panel, tier: str) -> dict[str, dict[str, Any]]:
    """The people command's persons of ``tier``, by name."""
    people = await panel.result("people")
    return {person["name"]: person for person in people[tier]}


def assert_small_jpeg(data: bytes) -> None:
    """A JPEG that decodes, at most 240 px on its longest side."""
    assert data.startswith(b"\xff\xd8")
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        assert image.format == "JPEG"
        assert 0 < max(image.size) <= 240


async def test_upload_enrolment_keeps_a_private_photo(
    hass: HomeAssistant,
    server_entry: MockConfigEntry,
    rekognition_server: RekognitionServer,
    panel: Panel,
    hass_client: ClientSessionGenerator,
    hass_client_no_auth: ClientSessionGenerator,
    user_token: str,
) -> None:
    """An upload's face is kept small, outside media and www, and shown to administrators only."""
    photo = base64.b64encode(portrait("bob")).decode()
    await panel.result("enroll_upload", tier="blacklist", name="Bob Smith", image=photo)
    enroll_directly(rekognition_server, WHITELIST, "alice", "Alice")  # in the AWS console

    kept = photo_file(hass, server_entry, "blacklist", "Bob Smith")
    assert kept.is_file()
    assert_small_jpeg(kept.read_bytes())
    # Private: neither under the media folders nor under www.
    for public in (*hass.config.media_dirs.values(), hass.config.path("www")):
        assert not kept.is_relative_to(public)

    bob = (await people_by_name(panel, "blacklist"))["Bob Smith"]
    assert bob["user_id"] == "Bob_Smith"
    url = bob["thumbnail_url"]
    assert url.startswith(f"{BASE}/{server_entry.entry_id}/blacklist/Bob_Smith?authSig=")
    assert (await people_by_name(panel, "whitelist"))["Alice"]["thumbnail_url"] is None

    response = await (await hass_client_no_auth()).get(url)
    assert response.status == HTTPStatus.OK
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.content_type == "image/jpeg"
    assert_small_jpeg(await response.read())

    path = url.split("?")[0]
    assert (await (await hass_client()).get(path)).status == HTTPStatus.OK
    assert (await (await hass_client_no_auth()).get(path)).status == HTTPStatus.UNAUTHORIZED
    household = await hass_client(access_token=user_token)
    assert (await household.get(path)).status == HTTPStatus.FORBIDDEN

    # Nothing secret in the answer or in where the photo is.
    text = json.dumps(await panel.result("people")) + str(kept)
    for secret in (ACCESS_KEY_ID, SECRET_ACCESS_KEY, ACCOUNT_ID):
        assert secret not in text


async def test_run_face_and_action_enrolments_keep_the_latest_face(
    hass: HomeAssistant,
    server_entry: MockConfigEntry,
    panel: Panel,
    media_dir: Path,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A run's face and the enroll_face action keep a photo; a new enrolment replaces it."""
    run = await _run(hass, server_entry, portrait("carol"))
    await panel.result(
        "enroll_run_face", run_id=run.run_id, face_index=0, tier="whitelist", name="Carol"
    )
    kept = photo_file(hass, server_entry, "whitelist", "Carol")
    first = kept.read_bytes()
    assert_small_jpeg(first)
    carol = (await people_by_name(panel, "whitelist"))["Carol"]
    response = await (await hass_client_no_auth()).get(carol["thumbnail_url"])
    assert response.status == HTTPStatus.OK
    assert await response.read() == first

    # Another face of hers, from a file through the action: the latest one is shown.
    await enroll_photo(hass, media_dir, "whitelist", "Carol", portrait("carol"))
    assert kept.read_bytes() != first
    assert_small_jpeg(kept.read_bytes())
    await enroll_photo(hass, media_dir, "blacklist", "Dave", portrait("dave"))
    assert_small_jpeg(photo_file(hass, server_entry, "blacklist", "Dave").read_bytes())
    # No half-written files are left behind.
    assert not list(kept.parent.glob("*.part"))


async def test_remove_and_move(
    hass: HomeAssistant,
    server_entry: MockConfigEntry,
    panel: Panel,
    hass_client: ClientSessionGenerator,
) -> None:
    """Removing deletes the photo (action and panel); moving leaves it only in the new tier."""
    client = await hass_client()
    entry_id = server_entry.entry_id
    run = await _run(hass, server_entry, portrait("alice"))
    await panel.result(
        "enroll_run_face", run_id=run.run_id, face_index=0, tier="whitelist", name="Alice"
    )
    assert (await client.get(f"{BASE}/{entry_id}/whitelist/Alice")).status == HTTPStatus.OK

    moved = await panel.result("move", name="Alice", from_tier="whitelist", to_tier="blacklist")
    assert moved["to_tier"] == "blacklist"
    assert not photo_file(hass, server_entry, "whitelist", "Alice").exists()
    assert photo_file(hass, server_entry, "blacklist", "Alice").is_file()
    assert (await client.get(f"{BASE}/{entry_id}/whitelist/Alice")).status == HTTPStatus.NOT_FOUND
    assert (await client.get(f"{BASE}/{entry_id}/blacklist/Alice")).status == HTTPStatus.OK
    alice = (await people_by_name(panel, "blacklist"))["Alice"]
    assert "/blacklist/Alice?" in alice["thumbnail_url"]

    # Removed in the panel: gone.
    await panel.result("remove", tier="blacklist", name="Alice")
    assert not photo_file(hass, server_entry, "blacklist", "Alice").exists()
    assert (await client.get(f"{BASE}/{entry_id}/blacklist/Alice")).status == HTTPStatus.NOT_FOUND

    # Removed by the action: gone too.
    photo = base64.b64encode(portrait("bob")).decode()
    await panel.result("enroll_upload", tier="whitelist", name="Bob", image=photo)
    assert photo_file(hass, server_entry, "whitelist", "Bob").is_file()
    await hass.services.async_call(
        DOMAIN, "remove_person", {"tier": "whitelist", "name": "Bob"}, blocking=True
    )
    assert not photo_file(hass, server_entry, "whitelist", "Bob").exists()


async def test_removing_the_account_deletes_its_photos(
    hass: HomeAssistant, server_entry: MockConfigEntry, panel: Panel
) -> None:
    """The account's people's photos go with it."""
    photo = base64.b64encode(portrait("bob")).decode()
    await panel.result("enroll_upload", tier="whitelist", name="Bob", image=photo)
    kept = photo_file(hass, server_entry, "whitelist", "Bob")
    assert kept.is_file()
    assert await hass.config_entries.async_remove(server_entry.entry_id)
    await hass.async_block_till_done()
    assert not kept.exists()
    assert not Path(hass.config.path(DOMAIN, "people", server_entry.entry_id)).exists()


async def test_photos_of_people_removed_elsewhere_are_deleted(
    hass: HomeAssistant,
    server_entry: MockConfigEntry,
    rekognition_server: RekognitionServer,
    panel: Panel,
) -> None:
    """Removed in the AWS console: the next listing deletes the photo (not one just written)."""
    photo = base64.b64encode(portrait("bob")).decode()
    await panel.result("enroll_upload", tier="blacklist", name="Bob", image=photo)
    kept = photo_file(hass, server_entry, "blacklist", "Bob")
    rekognition_server.service.op_delete_user({"CollectionId": BLACKLIST, "UserId": "Bob"})
    # Written after the listing started (an enrolment the listing may not show yet): kept.
    future = time.time() + 3600
    os.utime(kept, (future, future))
    assert (await panel.result("people"))["blacklist"] == []
    assert kept.is_file()
    # Older than the listing: deleted.
    past = time.time() - 3600
    os.utime(kept, (past, past))
    await panel.result("people")
    assert not kept.exists()


async def test_photo_addresses_are_checked(
    hass: HomeAssistant,
    server_entry: MockConfigEntry,
    panel: Panel,
    hass_client: ClientSessionGenerator,
) -> None:
    """Only an existing photo of a loaded account, by a tier and an id of ours, is sent."""
    photo = base64.b64encode(portrait("bob")).decode()
    await panel.result("enroll_upload", tier="whitelist", name="Bob", image=photo)
    secret = Path(hass.config.path("secret.jpg"))
    secret.write_bytes(portrait("bob"))
    client = await hass_client()
    entry_id = server_entry.entry_id
    assert (await client.get(f"{BASE}/{entry_id}/whitelist/Bob")).status == HTTPStatus.OK
    for path in (
        f"{BASE}/nope/whitelist/Bob",
        f"{BASE}/{entry_id}/greylist/Bob",
        f"{BASE}/{entry_id}/whitelist/Carol",
        f"{BASE}/{entry_id}/whitelist/Bob.jpg",
        f"{BASE}/{entry_id}/whitelist/..",
        f"{BASE}/{entry_id}/whitelist/%2E%2E%2F%2E%2E%2F%2E%2E%2F%2E%2E%2Fsecret",
        f"{BASE}/{entry_id}/whitelist/..%2F..%2F..%2F..%2Fsecret",
        f"{BASE}/{entry_id}/..%2F..%2F..%2F..%2Fsecret/x",
        f"{BASE}/{entry_id}/whitelist/{'A' * 129}",
    ):
        response = await client.get(path)
        # Home Assistant's own filter answers 400 to some traversal attempts before the view.
        assert response.status in (HTTPStatus.NOT_FOUND, HTTPStatus.BAD_REQUEST), path

    # A loaded account only.
    await hass.config_entries.async_unload(entry_id)
    assert (await client.get(f"{BASE}/{entry_id}/whitelist/Bob")).status == HTTPStatus.NOT_FOUND


async def test_a_photo_that_cannot_be_kept_does_not_stop_enrolment(
    hass: HomeAssistant,
    server_entry: MockConfigEntry,
    panel: Panel,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A full disk: the person is enrolled and listed without a photo; removal still works."""
    photo = base64.b64encode(portrait("bob")).decode()
    with patch.object(PeoplePhotos, "save", side_effect=OSError("No space left on device")):
        enrolled = await panel.result("enroll_upload", tier="whitelist", name="Bob", image=photo)
    assert enrolled["new_person"] is True
    assert "The photo of Bob could not be kept" in caplog.text
    assert (await people_by_name(panel, "whitelist"))["Bob"]["thumbnail_url"] is None

    await panel.result("enroll_upload", tier="whitelist", name="Bob", image=photo)
    with patch.object(PeoplePhotos, "delete", side_effect=OSError("read-only file system")):
        await panel.result("remove", tier="whitelist", name="Bob")
    assert "The photo of Bob could not be deleted" in caplog.text


def test_photo_is_cut_around_the_face(tmp_path: Path) -> None:
    """With the indexed face's box the face is cut out; without one the whole image shrinks."""
    frame = Image.new("RGB", (1200, 600), (200, 200, 200))
    buffer = io.BytesIO()
    frame.save(buffer, format="JPEG")
    data = buffer.getvalue()
    with Image.open(io.BytesIO(photo_jpeg(data, None))) as whole:
        assert whole.size == (240, 120)
    face = BoundingBox(left=0.45, top=0.4, width=0.1, height=0.2)
    with Image.open(io.BytesIO(photo_jpeg(data, face))) as cut:
        # The face with enrolment's margin: 0.22 × 0.44 of the frame, about square.
        assert max(cut.size) <= 240
        assert abs(cut.width - cut.height) <= 2

    photos = PeoplePhotos(tmp_path)
    with pytest.raises(ValueError, match="not a photo of ours"):
        photos.save("whitelist", "../x", data, None)
    assert photos.path("whitelist", ".2E.2E") == tmp_path / "whitelist" / ".2E.2E.jpg"
    for tier, user_id in (
        ("greylist", "Bob"),
        ("whitelist", ".."),
        ("whitelist", "a/b"),
        ("whitelist", ""),
        ("whitelist", ".2e"),
        ("whitelist", "Bob:1"),
    ):
        assert photos.path(tier, user_id) is None, user_id
        assert photos.get(tier, user_id) is None
        assert photos.delete(tier, user_id) is False
    assert photos.kept() == {"blacklist": set(), "whitelist": set()}
    assert photos.forget_others({}, time.time()) == 0
    photos.remove_all()  # nothing there: harmless


def test_a_photo_that_cannot_be_forgotten_is_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """One photo that cannot be deleted does not stop the listing."""
    photos = PeoplePhotos(tmp_path)
    photos.save("whitelist", "Bob", portrait("bob"), None)
    (tmp_path / "whitelist" / "not ours.jpg").write_bytes(b"")
    assert photos.kept() == {"blacklist": set(), "whitelist": {"Bob"}}
    caplog.set_level(logging.WARNING)
    with patch.object(Path, "unlink", side_effect=PermissionError("denied")):
        assert photos.forget_others({}, time.time() + 60) == 0
    assert "Could not delete the photo of a removed person" in caplog.text
    assert photos.forget_others({"whitelist": {"Bob"}}, time.time() + 60) == 0
    assert photos.forget_others({}, time.time() + 60) == 1
    assert photos.kept() == {"blacklist": set(), "whitelist": set()}
