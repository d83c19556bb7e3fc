"""Bring a running Home Assistant to a ready Intruder Alert demo, through its own API.

``python scripts/tools/demo.py configure CONFIG_DIR`` writes the demo's configuration.yaml (only
into a new configuration directory). ``python scripts/tools/demo.py`` (scripts/develop runs it
once Home Assistant answers) onboards the demo user and sets up the demo: a camera that shows
real face photos, an Intruder Alert account (offline, or Rekognition when AWS_* credentials are
set) with one person in each tier, a zone whose PIR and buzzer are simulated GPIO pins, HA's SMTP
integration pointed at the console mail server, the siren and owner-email blueprints as
automations, and a dashboard whose first view is the zone. Idempotent: a second run only prints
how to use the demo.

Environment: INTRUDER_ALERT_URL (http://127.0.0.1:8123), INTRUDER_ALERT_CONFIG (config/ of this
repository, as Home Assistant sees it), INTRUDER_ALERT_SMTP_PORT (8025). Tests call
``set_up_demo`` on a Home Assistant of their own.
"""

from __future__ import annotations

from collections.abc import Callable
import logging
import os
from pathlib import Path
import re
import shutil
import sys
import time
from typing import Any
import zipfile

from ha_rest import HomeAssistantRest, RestError
from PIL import Image
import yaml

URL = os.environ.get("INTRUDER_ALERT_URL", "http://127.0.0.1:8123")
ROOT = Path(__file__).resolve().parents[2]
CONFIG = Path(os.environ.get("INTRUDER_ALERT_CONFIG", ROOT / "config"))
SMTP_PORT = int(os.environ.get("INTRUDER_ALERT_SMTP_PORT", "8025"))
USER, PASSWORD = "demo", "demo-intruder"
ZONE = "Front door"
# The buzzer sounds this long after an alarm, then turns off again.
SIREN_SECONDS = 5
PANEL_PATH = "/intruder-alert"
# The demo's dashboard, Home Assistant's default: its first view is the zone.
DASHBOARD_PATH = "front-door"

# Only what a user's own Home Assistant has (default_config, automations from the UI) and a quiet
# log: the console shows warnings, errors, Intruder Alert's own messages and the demo's emails.
CONFIGURATION = """\
# The Intruder Alert demo (scripts/develop). Everything else is set up in the UI.
default_config:
automation: !include automations.yaml

logger:
  default: warning
  logs:
    custom_components.intruder_alert: info
"""

# The zone's entities by the integration's translation keys (the ids follow the zone's name).
ZONE_ENTITIES = {
    "image": "last_visitor",
    "verdict": "last_verdict",
    "recognise_now": "recognise_now",
    "simulate_motion": "simulate_motion",
    "siren": "siren",
    "motion": "motion",
    "switch": "recognize_on_motion",
    "event": "recognition",
}


def configure(config: Path) -> None:
    """The demo's configuration.yaml in a new configuration directory; an old one is left alone."""
    config.mkdir(parents=True, exist_ok=True)
    configuration = config / "configuration.yaml"
    if not configuration.exists():
        configuration.write_text(CONFIGURATION)
    elif re.search(r"^demo:", configuration.read_text(), re.MULTILINE):
        print(
            f"[demo] {config} is from an older demo (HA's demo integration, a siren that is on, "
            "INFO logging): stop, delete it and start again for the current demo",
            flush=True,
        )
    (config / "automations.yaml").touch()
    (config / "media").mkdir(exist_ok=True)


def photos(media: Path) -> dict[str, Path]:
    """Real faces from packages: Grace Hopper (matplotlib) and six people (insightface's wheel)."""
    from matplotlib import cbook  # a heavy import, only for a new demo

    media.mkdir(parents=True, exist_ok=True)
    grace = media / "grace_hopper.jpg"
    shutil.copy(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False), grace)
    group = media / "six_people.jpg"
    wheel = next((Path(sys.prefix) / "test-data").glob("insightface-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        group.write_bytes(archive.read("insightface/data/images/t1.jpg"))
    # One person of the group photo is the demo's known intruder: crop their face with dlib.
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    # The package imports Home Assistant's camera, which complains when libturbojpeg is missing:
    # not this script's concern (Home Assistant's own log says so if it matters).
    logging.getLogger("homeassistant.components.camera.img_util").disabled = True
    from custom_components.intruder_alert.engine.local import LocalFaces

    box = LocalFaces().detect_faces(group.read_bytes())[0]["BoundingBox"]
    with Image.open(group) as image:
        left, top = box["Left"] * image.width, box["Top"] * image.height
        width, height = box["Width"] * image.width, box["Height"] * image.height
        image.crop(
            (
                max(0, round(left - width)),
                max(0, round(top - height)),
                min(image.width, round(left + 2 * width)),
                min(image.height, round(top + 2 * height)),
            )
        ).save(media / "intruder.jpg")
    visitor = media / "visitor.jpg"
    shutil.copy(group, visitor)
    return {"grace": grace, "group": group, "intruder": media / "intruder.jpg", "visitor": visitor}


def until[T](get: Callable[[], T], seconds: float = 60) -> T:
    """``get()`` once it stops raising RestError or StopIteration (Home Assistant catching up)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return get()
        except RestError, StopIteration:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.25)


def zone_entities(api: HomeAssistantRest) -> dict[str, str]:
    """The demo zone's entity ids (``ZONE_ENTITIES`` keys), from the entity registry."""
    by_key = {
        entry["translation_key"]: entry["entity_id"]
        for entry in api.ws({"type": "config/entity_registry/list"})
        if entry["platform"] == "intruder_alert" and entry.get("translation_key")
    }
    missing = [key for key in ZONE_ENTITIES.values() if key not in by_key]
    if missing:
        raise RestError(f"the zone has no entities for {missing}")
    return {name: by_key[key] for name, key in ZONE_ENTITIES.items()}


def dashboard(entities: dict[str, str]) -> dict[str, Any]:
    """The demo's dashboard: its first view is the zone."""

    def press(name: str) -> dict[str, Any]:
        return {
            "type": "tile",
            "entity": entities[name],
            "name": {"type": "entity"},
            "hide_state": True,
            "tap_action": {
                "action": "perform-action",
                "perform_action": "button.press",
                "target": {"entity_id": entities[name]},
            },
        }

    def tile(name: str, **options: Any) -> dict[str, Any]:
        # The entity's own name ("Motion"), without the zone's: the heading says which zone.
        return {"type": "tile", "entity": entities[name], "name": {"type": "entity"}, **options}

    return {
        "views": [
            {
                "title": ZONE,
                "path": "zone",
                "icon": "mdi:shield-home",
                "type": "sections",
                "max_columns": 2,
                "sections": [
                    {
                        "type": "grid",
                        "cards": [
                            {"type": "heading", "heading": ZONE, "icon": "mdi:door"},
                            {
                                "type": "picture-entity",
                                "entity": entities["image"],
                                "name": "Last visitor",
                                "show_state": False,
                                "grid_options": {"columns": "full"},
                            },
                        ],
                    },
                    {
                        "type": "grid",
                        "cards": [
                            {"type": "heading", "heading": "Alarm", "icon": "mdi:alarm-light"},
                            tile("verdict", grid_options={"columns": "full"}),
                            press("recognise_now"),
                            press("simulate_motion"),
                            tile("siren"),
                            tile("motion"),
                            tile("switch", grid_options={"columns": "full"}),
                            {
                                "type": "markdown",
                                "grid_options": {"columns": "full"},
                                "content": (
                                    "The camera shows a photo of six people; one of them is on "
                                    "the blacklist, Grace Hopper is on the whitelist. Press "
                                    "**Recognise now** or **Simulate motion**: *Last visitor* "
                                    "shows every face boxed and named, the buzzer sounds for "
                                    f"{SIREN_SECONDS} s and the owner's email appears in the "
                                    "console of `scripts/develop`. The Intruder Alert panel "
                                    "lists the visitors; name strangers and manage people there."
                                ),
                            },
                            {
                                "type": "button",
                                "name": "Intruder Alert panel",
                                "icon": "mdi:shield-account",
                                "show_state": False,
                                "tap_action": {
                                    "action": "navigate",
                                    "navigation_path": PANEL_PATH,
                                },
                                "grid_options": {"columns": "full", "rows": 1},
                            },
                        ],
                    },
                ],
            }
        ],
    }


def set_up_dashboard(api: HomeAssistantRest, entities: dict[str, str]) -> None:
    """The zone's dashboard, the one Home Assistant opens (Settings → Dashboards → Set as default)."""
    api.ws(
        {
            "type": "lovelace/dashboards/create",
            "url_path": DASHBOARD_PATH,
            "title": ZONE,
            "icon": "mdi:shield-home",
            "show_in_sidebar": True,
            "require_admin": False,
        }
    )
    api.ws(
        {"type": "lovelace/config/save", "url_path": DASHBOARD_PATH, "config": dashboard(entities)}
    )
    core = api.ws({"type": "frontend/get_system_data", "key": "core"})["value"] or {}
    api.ws(
        {
            "type": "frontend/set_system_data",
            "key": "core",
            "value": {**core, "default_panel": DASHBOARD_PATH},
        }
    )


def set_up_demo(
    api: HomeAssistantRest,
    config: Path,
    smtp_port: int = SMTP_PORT,
    aws: dict[str, str] | None = None,
) -> dict[str, str]:
    """Set up the demo on an onboarded, running Home Assistant whose configuration is ``config``.

    ``aws`` (access_key_id, secret_access_key, region) uses Rekognition instead of the offline
    backend. Returns the zone's entity ids (``ZONE_ENTITIES`` keys, and ``owner``: the notify
    entity of the owner's email).
    """
    media = config / "media" / "demo"
    files = photos(media)
    api.flow("local_file", {"name": "Demo door", "file_path": str(files["visitor"])})
    if aws:
        account = api.flow(
            "intruder_alert",
            {"next_step_id": "aws"},
            {
                **aws,
                "whitelist_collection": "intruder_alert_demo_whitelist",
                "blacklist_collection": "intruder_alert_demo_blacklist",
            },
        )
    else:
        account = api.flow("intruder_alert", {"next_step_id": "local"}, {})
    entry_id = account["result"]["entry_id"]
    api.flow(
        [entry_id, "zone"],
        {"name": ZONE, "motion_source": "gpio", "camera_source": "entity"},
        {"motion_pin": 17, "gpio_backend": "mock"},
        {"camera_entity": "camera.demo_door"},
        {
            "buzzer_pin": 18,
            "recognize_on_motion": True,
            "cooldown": 5,
            "frames": 1,
            "burst_interval": 0.5,
        },
        subentry=True,
    )
    # The account reloads with its new zone: wait for the zone's entities.
    entities = until(lambda: zone_entities(api))
    for name in ZONE_ENTITIES:
        api.wait_for_state(entities[name], seconds=30)
    for tier, name, photo in (
        ("whitelist", "Grace Hopper", files["grace"]),
        ("blacklist", "Demo intruder", files["intruder"]),
    ):
        api.call(
            "POST",
            "/api/services/intruder_alert/enroll_face",
            {"config_entry_id": entry_id, "tier": tier, "name": name, "image_path": str(photo)},
        )
    smtp = api.flow(
        "smtp",
        {
            "sender": "alarm@demo.local",
            "server": "127.0.0.1",
            "port": smtp_port,
            "encryption": "none",
            "verify_ssl": False,
            "options": {},
        },
    )
    api.flow(
        [smtp["result"]["entry_id"], "recipient"],
        {"recipient": "owner@demo.local", "name": "Owner"},
        subentry=True,
    )
    # The SMTP entry reloads with its recipient.
    owner = until(
        lambda: next(
            entry["entity_id"]
            for entry in api.ws({"type": "config/entity_registry/list"})
            if entry["platform"] == "smtp" and entry["entity_id"].startswith("notify.")
        )
    )
    api.wait_for_state(owner)
    blueprints = config / "blueprints" / "automation" / "intruder_alert"
    blueprints.mkdir(parents=True, exist_ok=True)
    for blueprint in (ROOT / "blueprints" / "automation" / "intruder_alert").glob("*.yaml"):
        shutil.copy(blueprint, blueprints / blueprint.name)
    automations = [
        {
            "id": "intruder_alert_demo_siren",
            "alias": "Demo: siren on intruder",
            "use_blueprint": {
                "path": "intruder_alert/siren_on_intruder.yaml",
                "input": {"siren": entities["siren"], "duration": SIREN_SECONDS},
            },
        },
        {
            "id": "intruder_alert_demo_email_owner",
            "alias": "Demo: email the owner",
            "use_blueprint": {
                "path": "intruder_alert/email_owner.yaml",
                "input": {"recipients": [owner], "interval": 0},
            },
        },
    ]
    (config / "automations.yaml").write_text(
        yaml.safe_dump(automations, sort_keys=False, allow_unicode=True)
    )
    api.call("POST", "/api/services/automation/reload", {})
    api.wait_for_state("automation.demo_siren_on_intruder", lambda state: state["state"] == "on")
    api.wait_for_state("automation.demo_email_the_owner", lambda state: state["state"] == "on")
    set_up_dashboard(api, entities)
    return {**entities, "owner": owner}


def main() -> None:
    api = HomeAssistantRest(URL)
    api.wait_until_up()
    api.onboard("Demo", USER, PASSWORD)
    api.wait_until_running()
    if not api.entries("intruder_alert"):
        aws = None
        if os.environ.get("AWS_ACCESS_KEY_ID") and os.environ.get("AWS_SECRET_ACCESS_KEY"):
            aws = {
                "access_key_id": os.environ["AWS_ACCESS_KEY_ID"],
                "secret_access_key": os.environ["AWS_SECRET_ACCESS_KEY"],
                "region": os.environ.get("AWS_REGION", "us-east-1"),
            }
        set_up_demo(api, CONFIG, SMTP_PORT, aws)
    print_usage()


def print_usage() -> None:
    media = CONFIG / "media" / "demo"
    print(
        f"""
Demo ready at {URL} (user {USER}, password {PASSWORD}).
  The first dashboard, "{ZONE}", is the zone: press "Recognise now" or "Simulate motion", then
  watch Last visitor (faces boxed and named), Last verdict, the buzzer (on for {SIREN_SECONDS} s)
  and the owner's email printed in this console. The sidebar's Intruder Alert panel lists the
  visitors; name strangers and manage people there.
  Show someone else at the door: action local_file.update_file_path on camera.demo_door with
  file_path {media}/grace_hopper.jpg (whitelisted) or {media}/six_people.jpg.
""",
        flush=True,
    )


if __name__ == "__main__":
    try:
        if sys.argv[1:2] == ["configure"]:
            configure(Path(sys.argv[2]) if len(sys.argv) > 2 else CONFIG)
        else:
            main()
    except RestError as err:
        raise SystemExit(str(err)) from err
