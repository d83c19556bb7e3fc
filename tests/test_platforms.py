"""Every platform's entities as a user gets them: registry entries and states (snapshots).

One account on the local Rekognition server with one zone, "Porch", whose PIR is a simulated
GPIO pin, whose camera is the (fake) Raspberry Pi camera and which has a buzzer, so every
platform has entities. Each test loads one platform,
as Home Assistant core's own platform snapshot tests do, with every entity enabled (also the
ones disabled by default: test_disabled_by_default.py is about those).
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion
from syrupy.location import PyTestLocation

from custom_components.intruder_alert import PLATFORMS
from custom_components.intruder_alert.const import CONF_ENDPOINT_URL, DOMAIN, SUBENTRY_ZONE
from homeassistant.config_entries import ConfigSubentryDataWithId
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er

from .conftest import ENTRY_DATA, REGION, UNIQUE_ID, SceneCamera, gpio_zone
from .rekognition_server import RekognitionServer

SNAPSHOT_PLATFORMS = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.CAMERA,
    Platform.EVENT,
    Platform.IMAGE,
    Platform.SENSOR,
    Platform.SIREN,
    Platform.SWITCH,
]
# Fixed ids, so the unique ids in the snapshots are the same on every run.
ENTRY_ID = "01JTESTACCOUNT00000000000"
PORCH_ID = "01JTESTZONEPORCH000000000"


class PlatformSnapshots(HomeAssistantSnapshotExtension):
    """Home Assistant's serializer (registry ids and timestamps left out), in __snapshots__."""

    @classmethod
    def dirname(cls, *, test_location: PyTestLocation) -> str:
        """Next to the repository's other snapshots, not in Home Assistant's ``snapshots``."""
        return str(Path(test_location.filepath).parent / "__snapshots__")


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Snapshots serialized as Home Assistant core's are."""
    return snapshot.use_extension(PlatformSnapshots)


@pytest.fixture(autouse=True)
def fixed_access_tokens() -> Generator[None]:
    """Camera and image access tokens (in their states) are random; make them one number."""
    with patch("random.SystemRandom.getrandbits", return_value=123123123123):
        yield


@pytest.fixture
def porch_entry(
    hass: HomeAssistant,
    rekognition_server: RekognitionServer,
    media_dir: Path,
    scene_camera: SceneCamera,
    fake_picamera2: Any,
) -> MockConfigEntry:
    """The account with the zone "Porch": PIR on simulated GPIO 17, buzzer on GPIO 18, Pi camera.

    A zone on a camera entity has no camera of its own; the Pi camera's zone has one.
    """
    zone = gpio_zone(camera_source="picamera", camera_resolution="800x600")
    title = zone.pop("title")
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=f"Intruder Alert ({REGION})",
        data={**ENTRY_DATA, CONF_ENDPOINT_URL: rekognition_server.url},
        unique_id=UNIQUE_ID,
        entry_id=ENTRY_ID,
        subentries_data=[
            ConfigSubentryDataWithId(
                data=zone,
                subentry_type=SUBENTRY_ZONE,
                title=title,
                unique_id=None,
                subentry_id=PORCH_ID,
            )
        ],
    )
    entry.add_to_hass(hass)
    return entry


async def _setup(hass: HomeAssistant, entry: MockConfigEntry, platforms: list[Platform]) -> None:
    with patch("custom_components.intruder_alert.PLATFORMS", platforms):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize("platform", SNAPSHOT_PLATFORMS, ids=str)
async def test_platform(
    hass: HomeAssistant,
    porch_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    platform: Platform,
) -> None:
    """Each platform's entities: device class, category, translation key, unique id, state."""
    await _setup(hass, porch_entry, [platform])
    await snapshot_platform(hass, entity_registry, snapshot, porch_entry.entry_id)


def test_every_platform_has_a_snapshot() -> None:
    """A platform added to the integration needs its snapshot here too."""
    assert sorted(SNAPSHOT_PLATFORMS) == sorted(PLATFORMS)


async def test_zone_device_is_reached_through_the_account(
    hass: HomeAssistant,
    porch_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    """The zone's device names the account's device as the one it is connected through."""
    # Only a zone platform: the account device exists even when no account entity made it.
    await _setup(hass, porch_entry, [Platform.CAMERA])

    account = device_registry.async_get_device_by_identifier((DOMAIN, ENTRY_ID), ENTRY_ID)
    porch = device_registry.async_get_device_by_identifier((DOMAIN, PORCH_ID), ENTRY_ID)
    assert account is not None
    assert porch is not None
    assert porch.via_device_id == account.id
    assert account.via_device_id is None
    assert (account.name, account.entry_type) == (
        f"Intruder Alert ({REGION})",
        dr.DeviceEntryType.SERVICE,
    )
    assert (porch.name, porch.model) == ("Porch", "Zone")
    camera = entity_registry.async_get("camera.porch_camera")
    assert camera is not None
    assert camera.device_id == porch.id
