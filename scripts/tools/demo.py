"""Bring a running development Home Assistant to a ready demo, through its own REST API.

Run by scripts/develop after Home Assistant answers: onboarding, a camera that shows real face
photos, an Intruder Alert account (offline, or Rekognition when AWS_* credentials are set) with
one person in each tier, a zone whose PIR is a simulated GPIO pin, HA's SMTP integration pointed
at the console mail server, and the alert blueprints as automations. Idempotent: a second run
only prints how to use the demo.
"""

from __future__ import annotations

import os
from pathlib import Path
import shutil
import sys
import time
import zipfile

from ha_rest import HomeAssistantRest, RestError
from PIL import Image

URL = "http://127.0.0.1:8123"
USER, PASSWORD = "demo", "demo-intruder"
ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "config"
MEDIA = CONFIG / "media" / "demo"


def photos() -> dict[str, Path]:
    """Real faces from packages: Grace Hopper (matplotlib) and six people (insightface's wheel)."""
    from matplotlib import cbook

    MEDIA.mkdir(parents=True, exist_ok=True)
    grace = MEDIA / "grace_hopper.jpg"
    shutil.copy(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False), grace)
    group = MEDIA / "six_people.jpg"
    wheel = next((Path(sys.prefix) / "test-data").glob("insightface-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        group.write_bytes(archive.read("insightface/data/images/t1.jpg"))
    # One person of the group photo is the demo's known intruder: crop their face with dlib.
    sys.path.insert(0, str(ROOT))
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
        ).save(MEDIA / "intruder.jpg")
    visitor = MEDIA / "visitor.jpg"
    shutil.copy(group, visitor)
    return {"grace": grace, "group": group, "intruder": MEDIA / "intruder.jpg", "visitor": visitor}


def main() -> None:
    api = HomeAssistantRest(URL)
    api.wait_until_up()
    api.onboard("Demo", USER, PASSWORD)
    api.wait_until_running()
    if api.entries("intruder_alert"):
        print_usage()
        return
    files = photos()
    api.flow("local_file", {"name": "Demo door", "file_path": str(files["visitor"])})
    if os.environ.get("AWS_ACCESS_KEY_ID") and os.environ.get("AWS_SECRET_ACCESS_KEY"):
        account = api.flow(
            "intruder_alert",
            {"next_step_id": "aws"},
            {
                "access_key_id": os.environ["AWS_ACCESS_KEY_ID"],
                "secret_access_key": os.environ["AWS_SECRET_ACCESS_KEY"],
                "region": os.environ.get("AWS_REGION", "us-east-1"),
                "whitelist_collection": "intruder_alert_demo_whitelist",
                "blacklist_collection": "intruder_alert_demo_blacklist",
            },
        )
    else:
        account = api.flow("intruder_alert", {"next_step_id": "local"}, {})
    entry_id = account["result"]["entry_id"]
    api.flow(
        [entry_id, "zone"],
        {"name": "Front door", "motion_source": "gpio", "camera_source": "entity"},
        {"motion_pin": 17, "gpio_backend": "mock"},
        {"camera_entity": "camera.demo_door"},
        {"recognize_on_motion": True, "cooldown": 5, "frames": 1, "burst_interval": 0.5},
        subentry=True,
    )
    time.sleep(3)  # the account reloads with its new zone
    api.call(
        "POST",
        "/api/services/intruder_alert/enroll_face",
        {"tier": "whitelist", "name": "Grace Hopper", "image_path": str(files["grace"])},
    )
    api.call(
        "POST",
        "/api/services/intruder_alert/enroll_face",
        {"tier": "blacklist", "name": "Demo intruder", "image_path": str(files["intruder"])},
    )
    smtp = api.flow(
        "smtp",
        {
            "sender": "alarm@demo.local",
            "server": "127.0.0.1",
            "port": 8025,
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
    time.sleep(3)  # the SMTP entry reloads with its recipient
    owner = next(
        state["entity_id"]
        for state in api.call("GET", "/api/states")
        if state["entity_id"].startswith("notify.") and state["entity_id"].endswith("owner")
    )
    blueprints = CONFIG / "blueprints" / "automation" / "intruder_alert"
    blueprints.mkdir(parents=True, exist_ok=True)
    for blueprint in (ROOT / "blueprints" / "automation" / "intruder_alert").glob("*.yaml"):
        shutil.copy(blueprint, blueprints / blueprint.name)
    (CONFIG / "automations.yaml").write_text(
        "- alias: Demo siren on intruder\n  use_blueprint:\n    path: intruder_alert/siren_on_intruder.yaml\n"
        "    input:\n      siren: siren.siren\n      duration: 10\n"
        "- alias: Demo email the owner\n  use_blueprint:\n    path: intruder_alert/email_owner.yaml\n"
        f"    input:\n      recipients: [{owner}]\n      interval: 0\n"
    )
    api.call("POST", "/api/services/automation/reload", {})
    print_usage()


def print_usage() -> None:
    print(
        f"""
Demo ready at {URL} (user {USER}, password {PASSWORD}).
  Settings → Devices & services → Intruder Alert → Front door:
  press "Simulate motion", then watch Last visitor (boxes and names), Recognition (event),
  the demo siren, and the email printed in this console.
  Show someone else at the door: action local_file.update_file_path on camera.demo_door with
  file_path {MEDIA}/grace_hopper.jpg (whitelisted) or {MEDIA}/six_people.jpg.
"""
    )


if __name__ == "__main__":
    try:
        main()
    except RestError as err:
        raise SystemExit(str(err)) from err
