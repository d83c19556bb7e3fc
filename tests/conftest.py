"""Shared fixtures: a real Home Assistant, real botocore clients answered by Stubbers."""

from __future__ import annotations

import asyncio
import base64
from collections import defaultdict
from collections.abc import Callable, Generator
import io
from pathlib import Path
import re
import sys
import time
import types
from typing import Any
from unittest.mock import PropertyMock, patch

import boto3
from botocore.stub import Stubber
from PIL import Image, ImageChops
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser

# Import first: pytest-homeassistant-custom-component puts its own custom_components package on
# sys.path, and Home Assistant would answer "Integration not found" for ours.
import custom_components.intruder_alert  # noqa: F401
from custom_components.intruder_alert.const import (
    CONF_ACCESS_KEY_ID,
    CONF_ACCOUNT_ID,
    CONF_BLACKLIST_COLLECTION,
    CONF_ENDPOINT_URL,
    CONF_REGION,
    CONF_SECRET_ACCESS_KEY,
    CONF_WHITELIST_COLLECTION,
    DOMAIN,
)
from custom_components.intruder_alert.engine.aws import AwsSettings
from custom_components.intruder_alert.hardware import picamera
from homeassistant.auth.const import GROUP_ID_USER
from homeassistant.auth.models import Credentials
from homeassistant.components.camera import Camera
from homeassistant.components.camera.const import DATA_COMPONENT as CAMERA_COMPONENT
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component

from .rekognition_server import RealFacesRekognition, RekognitionServer
from .scenes import empty, wall

ACCOUNT_ID = "123456789012"
# An AWS account id as AWS writes it into messages and ARNs: 12 digits on their own. Not 12
# digits inside a longer token (a random S3 key or a ULID can hold such a run by chance).
ACCOUNT_ID_PATTERN = re.compile(r"(?<![0-9A-Za-z])\d{12}(?![0-9A-Za-z])")
ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
REGION = "eu-west-1"
WHITELIST = "intruder_alert_whitelist"
BLACKLIST = "intruder_alert_blacklist"
FACE_MODEL_VERSION = "7.0"

ENTRY_DATA = {
    CONF_ACCESS_KEY_ID: ACCESS_KEY_ID,
    CONF_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
    CONF_REGION: REGION,
    CONF_WHITELIST_COLLECTION: WHITELIST,
    CONF_BLACKLIST_COLLECTION: BLACKLIST,
    CONF_ACCOUNT_ID: ACCOUNT_ID,
}
UNIQUE_ID = f"{ACCOUNT_ID}_{REGION}_{WHITELIST}_{BLACKLIST}"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load integrations from custom_components."""


@pytest.fixture
def entity_registry_enabled_by_default() -> Generator[None]:
    """Register every entity enabled, also those disabled by default (as HA core's fixture).

    For tests that read a disabled-by-default entity (Rekognition calls today, Median face
    size); test_disabled_by_default.py checks that they are disabled without it.
    """
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        new_callable=PropertyMock,
        return_value=True,
    ):
        yield


class AwsStubs:
    """Real boto3 clients, built by the integration's own code, answered by botocore Stubbers.

    Stubber checks every request and response against the real service model, so a wrong
    parameter name or a malformed canned response fails the test. Answers queued before the
    integration has built a client wait until it does, so the client under test is the one
    the integration configured.
    """

    def __init__(self) -> None:
        """Start with no clients."""
        self.clients: dict[str, Any] = {}
        self.stubbers: dict[str, Stubber] = {}
        self._pending: dict[str, list[Callable[[], None]]] = defaultdict(list)

    def attach(self, service: str, client: Any) -> Any:
        """Stub the first client of each service and share it across the test."""
        if service not in self.clients:
            stubber = Stubber(client)
            stubber.activate()
            self.clients[service] = client
            self.stubbers[service] = stubber
            for action in self._pending.pop(service, []):
                action()
        return self.clients[service]

    def _when_built(self, service: str, action: Callable[[], None]) -> None:
        if service in self.clients:
            action()
        else:
            self._pending[service].append(action)

    def add_response(
        self,
        service: str,
        method: str,
        response: dict[str, Any],
        params: dict[str, Any] | None = None,
    ) -> None:
        """Queue one answer of ``service``."""
        self._when_built(
            service, lambda: self.stubbers[service].add_response(method, response, params)
        )

    def error(self, service: str, method: str, code: str, status: int, message: str = "") -> None:
        """Queue an AWS error answer."""
        self._when_built(
            service,
            lambda: self.stubbers[service].add_client_error(
                method,
                service_error_code=code,
                service_message=message or code,
                http_status_code=status,
            ),
        )

    def fail_next(self, service: str, operation: str, error: Exception) -> None:
        """Make the next ``operation`` raise ``error`` before any request is sent.

        For failures a Stubber cannot produce: connection refused, DNS failure, timeouts.
        The hook runs on the first event of a call, before the Stubber sees it.
        """

        def register() -> None:
            events = self.clients[service].meta.events
            event_name = f"provide-client-params.{service}.{operation}"
            unique_id = f"fail-{operation}"

            def raise_once(**_: Any) -> None:
                events.unregister(event_name, unique_id=unique_id)
                raise error

            events.register_first(event_name, raise_once, unique_id=unique_id)

        self._when_built(service, register)

    # Canned answers, each validated by the Stubber against the service model.
    def caller_identity(self, account_id: str = ACCOUNT_ID) -> None:
        """Queue a GetCallerIdentity answer."""
        self.add_response(
            "sts",
            "get_caller_identity",
            {
                "UserId": "AIDAEXAMPLEUSERID",
                "Account": account_id,
                "Arn": f"arn:aws:iam::{account_id}:user/intruder-alert",
            },
        )

    def collection_exists(self, collection_id: str, faces: int = 0) -> None:
        """Queue a DescribeCollection answer."""
        self.add_response(
            "rekognition",
            "describe_collection",
            {
                "FaceCount": faces,
                "UserCount": 0,
                "FaceModelVersion": FACE_MODEL_VERSION,
                "CollectionARN": f"arn:aws:rekognition:{REGION}:{ACCOUNT_ID}:collection/{collection_id}",
            },
            {"CollectionId": collection_id},
        )

    def collection_missing_then_created(self, collection_id: str) -> None:
        """Queue DescribeCollection → not found, then CreateCollection."""
        self.error("rekognition", "describe_collection", "ResourceNotFoundException", 400)
        self.add_response(
            "rekognition",
            "create_collection",
            {
                "StatusCode": 200,
                "CollectionArn": f"aws:rekognition:{REGION}:{ACCOUNT_ID}:collection/{collection_id}",
                "FaceModelVersion": FACE_MODEL_VERSION,
            },
            {"CollectionId": collection_id},
        )

    def account_ok(self, account_id: str = ACCOUNT_ID) -> None:
        """Queue what a successful account check asks."""
        self.caller_identity(account_id)
        self.collection_exists(WHITELIST)
        self.collection_exists(BLACKLIST)

    def setup_ok(self) -> None:
        """Queue what a successful entry setup asks."""
        self.collection_exists(WHITELIST)
        self.collection_exists(BLACKLIST)

    def assert_all_used(self) -> None:
        """Every queued answer was asked for."""
        assert not self._pending, f"answers queued for clients never built: {list(self._pending)}"
        for stubber in self.stubbers.values():
            stubber.assert_no_pending_responses()


@pytest.fixture
def aws() -> Generator[AwsStubs]:
    """Route every boto3 client the integration builds through botocore Stubbers."""
    stubs = AwsStubs()
    original = boto3.session.Session.client

    def client(self: boto3.session.Session, service_name: str, *args: Any, **kwargs: Any) -> Any:
        return stubs.attach(service_name, original(self, service_name, *args, **kwargs))

    with patch.object(boto3.session.Session, "client", client):
        yield stubs
    stubs.assert_all_used()


@pytest.fixture
def config_entry(hass: HomeAssistant) -> MockConfigEntry:
    """An account entry, added to Home Assistant but not set up."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=f"Intruder Alert ({REGION})",
        data=ENTRY_DATA,
        unique_id=UNIQUE_ID,
        entry_id="01JTESTACCOUNT00000000000",
    )
    entry.add_to_hass(hass)
    return entry


@pytest.fixture
async def loaded_entry(
    hass: HomeAssistant, config_entry: MockConfigEntry, aws: AwsStubs
) -> MockConfigEntry:
    """The account entry, set up."""
    aws.setup_ok()
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    return config_entry


@pytest.fixture
def rekognition_server(socket_enabled: None) -> Generator[RekognitionServer]:
    """The local Rekognition protocol server (on 127.0.0.1) with both collections created."""
    with RekognitionServer() as server:
        for collection in (WHITELIST, BLACKLIST):
            server.service.op_create_collection({"CollectionId": collection})
        yield server


@pytest.fixture
def real_faces_server(socket_enabled: None) -> Generator[RekognitionServer]:
    """The Rekognition protocol server deciding identities with dlib, on real photos."""
    with RekognitionServer(RealFacesRekognition()) as server:
        for collection in (WHITELIST, BLACKLIST):
            server.service.handle("CreateCollection", {"CollectionId": collection})
        yield server


def server_settings(server: RekognitionServer, **overrides: Any) -> AwsSettings:
    """Engine settings that reach the local server, with short timeouts for fault tests."""
    values: dict[str, Any] = {
        "access_key_id": ACCESS_KEY_ID,
        "secret_access_key": SECRET_ACCESS_KEY,
        "region": REGION,
        "endpoint_url": server.url,
        "connect_timeout": 1.0,
        "read_timeout": 1.0,
        "max_attempts": 3,
    }
    return AwsSettings(**(values | overrides))


@pytest.fixture
def media_dir(hass: HomeAssistant, tmp_path: Path) -> Path:
    """Home Assistant's media folder, in a temporary directory (allowed for file actions).

    The configuration directory moves there too: snapshots are kept under it.
    """
    hass.config.config_dir = str(tmp_path)
    media = tmp_path / "media"
    media.mkdir()
    hass.config.media_dirs = {"local": str(media)}
    hass.config.allowlist_external_dirs = {str(media)}
    return media


def snapshot_file(hass: HomeAssistant, media_id: str) -> Path:
    """The file behind one of our snapshot media ids (media-source://intruder_alert/…)."""
    entry_id, name = media_id.removeprefix(f"media-source://{DOMAIN}/").split("/")
    return Path(hass.config.path(DOMAIN, "snapshots", entry_id, name))


@pytest.fixture
async def server_entry(
    hass: HomeAssistant, rekognition_server: RekognitionServer, media_dir: Path
) -> MockConfigEntry:
    """An account entry on the local server, set up, with the media folder in a temp dir."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=f"Intruder Alert ({REGION})",
        data={**ENTRY_DATA, CONF_ENDPOINT_URL: rekognition_server.url},
        unique_id=UNIQUE_ID,
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


def enroll_directly(
    server: RekognitionServer, collection: str, who: str, name: str | None = None
) -> None:
    """Put a person in the fake service's collection without going through the integration."""
    from custom_components.intruder_alert.engine.names import user_id_for

    from .scenes import portrait

    service = server.service
    user_id = user_id_for(name or who)
    face = service.op_index_faces(
        {
            "CollectionId": collection,
            "Image": {"Bytes": base64.b64encode(portrait(who)).decode()},
            "MaxFaces": 1,
        }
    )["FaceRecords"][0]["Face"]["FaceId"]
    if user_id not in service.collections[collection].users:
        service.op_create_user({"CollectionId": collection, "UserId": user_id})
    service.op_associate_faces({"CollectionId": collection, "UserId": user_id, "FaceIds": [face]})


class SceneCamera(Camera):
    """A camera entity that shows whatever frame the test puts in front of it."""

    _attr_name = "Front door"
    _attr_unique_id = "test_front_door"

    def __init__(self) -> None:
        super().__init__()
        self.frame: bytes | None = empty()

    async def async_camera_image(
        self, width: int | None = None, height: int | None = None
    ) -> bytes | None:
        return self.frame


@pytest.fixture
async def scene_camera(hass: HomeAssistant) -> SceneCamera:
    """``camera.front_door``, a real camera entity showing test scenes."""
    entity = SceneCamera()
    assert await async_setup_component(hass, "camera", {})
    # Added to the camera component directly: works whether or not the integration's own camera
    # platform loaded the component first.
    await hass.data[CAMERA_COMPONENT].async_add_entities([entity])
    await hass.async_block_till_done()
    return entity


def zone_data(**overrides: Any) -> dict[str, Any]:
    """A zone with an existing motion sensor and camera entity, no cooldown."""
    return {
        "motion_source": "entity",
        "motion_entity": "binary_sensor.hall_motion",
        "camera_source": "entity",
        "camera_entity": "camera.front_door",
        "recognize_on_motion": True,
        "cooldown": 0,
        "frames": 1,
        "burst_interval": 0.2,
    } | overrides


def gpio_zone(**overrides: Any) -> dict[str, Any]:
    """A zone "Porch" with a PIR on simulated GPIO 17 and a buzzer on GPIO 18."""
    return (
        zone_data(
            title="Porch", motion_source="gpio", motion_pin=17, gpio_backend="mock", buzzer_pin=18
        )
        | overrides
    )


@pytest.fixture
def zones() -> list[dict[str, Any]]:
    """The zones the account entry is set up with (tests override this)."""
    return [zone_data()]


@pytest.fixture
async def zone_entry(
    hass: HomeAssistant,
    rekognition_server: RekognitionServer,
    media_dir: Path,
    scene_camera: SceneCamera,
    zones: list[dict[str, Any]],
) -> MockConfigEntry:
    """An account on the local server with zones, set up."""
    hass.states.async_set("binary_sensor.hall_motion", "off")
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=f"Intruder Alert ({REGION})",
        data={**ENTRY_DATA, CONF_ENDPOINT_URL: rekognition_server.url},
        unique_id=UNIQUE_ID,
        subentries_data=[
            ConfigSubentryData(
                data=data,
                subentry_type="zone",
                title=data.pop("title", f"Zone {index}"),
                unique_id=None,
            )
            for index, data in enumerate(dict(zone) for zone in zones)
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


class FakePicamera2:
    """picamera2's surface as the adapter uses it."""

    instances: list[FakePicamera2] = []

    def __init__(self, index: int) -> None:
        self.index = index
        self.config: dict[str, Any] = {}
        self.started = self.closed = False
        FakePicamera2.instances.append(self)

    def create_still_configuration(self, main: dict[str, Any]) -> dict[str, Any]:
        return {"main": main}

    def configure(self, config: dict[str, Any]) -> None:
        self.config = config

    def start(self) -> None:
        self.started = True

    def capture_file(self, target: io.BytesIO, format: str) -> None:  # noqa: A002
        """A live sensor's still: a plain wall, with noise that differs in every still."""
        size = self.config["main"]["size"]
        noise = Image.effect_noise(size, 4)  # around mid-grey
        picture = ImageChops.add(wall(*size).convert("L"), noise, offset=-128)
        picture.convert("RGB").save(target, format=format)

    def stop(self) -> None:
        self.started = False

    def close(self) -> None:
        self.closed = True


@pytest.fixture(name="fake_picamera2")
def fake_picamera2_fixture() -> Generator[type[FakePicamera2]]:
    """picamera2 as on Raspberry Pi OS, with a fake camera behind it."""
    module = types.ModuleType("picamera2")
    module.Picamera2 = FakePicamera2  # type: ignore[attr-defined]
    FakePicamera2.instances = []
    with (
        patch.dict(sys.modules, {"picamera2": module}),
        patch.object(picamera.importlib.util, "find_spec", return_value=object()),
    ):
        yield FakePicamera2


async def wait_until(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    """Let threads, the executor and automations work until ``condition`` holds.

    Not ``async_block_till_done``: automations waiting in a delay would block it for good, and
    gpiozero's callbacks come from its own threads.
    """
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


async def enroll_photo(
    hass: HomeAssistant, media_dir: Path, tier: str, name: str, photo: bytes
) -> dict[str, Any]:
    """Enrol ``name`` from a JPEG through the enroll_face action, as a user would."""
    path = media_dir / f"enrol-{tier}-{len(list(media_dir.iterdir()))}.jpg"
    path.write_bytes(photo)
    response = await hass.services.async_call(
        DOMAIN,
        "enroll_face",
        {"tier": tier, "name": name, "image_path": str(path)},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    return dict(response)


@pytest.fixture
async def user_token(hass: HomeAssistant, local_auth: Any) -> str:
    """An access token of an ordinary (non-admin) Home Assistant user ("users" group)."""
    user = MockUser(groups=[await hass.auth.async_get_group(GROUP_ID_USER)]).add_to_hass(hass)
    assert not user.is_admin
    credential = Credentials(
        id="household-member",
        auth_provider_type="homeassistant",
        auth_provider_id=None,
        data={"username": "household"},
        is_new=False,
    )
    await hass.auth.async_link_user(user, credential)
    refresh = await hass.auth.async_create_refresh_token(
        user, "https://example.invalid/", credential=credential
    )
    return hass.auth.async_create_access_token(refresh)
