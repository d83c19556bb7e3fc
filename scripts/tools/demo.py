"""Bring a running development Home Assistant to a ready demo, through its own REST API.

Run by scripts/develop after Home Assistant answers: onboarding, a camera that shows real face
photos, an Intruder Alert account (offline, or Rekognition when AWS_* credentials are set) with
one person in each tier, a zone whose PIR is a simulated GPIO pin, HA's SMTP integration pointed
at the console mail server, and the alert blueprints as automations. Idempotent: a second run
only prints how to use the demo.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
import shutil
import sys
import time
from typing import Any
import urllib.error
import urllib.request
import zipfile

from PIL import Image

URL = "http://127.0.0.1:8123"
CLIENT = URL + "/"
USER, PASSWORD = "demo", "demo-intruder"
ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "config"
MEDIA = CONFIG / "media" / "demo"


def call(
    method: str, path: str, body: Any = None, token: str | None = None, form: bool = False
) -> Any:
    data = None
    headers = {}
    if body is not None:
        if form:
            data = "&".join(f"{k}={urllib.request.quote(str(v))}" for k, v in body.items()).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(URL + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            text = response.read().decode()
    except urllib.error.HTTPError as err:
        raise SystemExit(f"{method} {path} → {err.code}: {err.read().decode()[:300]}") from err
    return json.loads(text) if text else None


def wait_for_home_assistant() -> None:
    for _ in range(300):
        try:
            urllib.request.urlopen(URL + "/api/onboarding", timeout=2)
        except urllib.error.URLError, OSError:
            time.sleep(1)
        else:
            return
    raise SystemExit("Home Assistant did not start")


def token() -> str:
    steps = {step["step"]: step["done"] for step in call("GET", "/api/onboarding")}
    if not steps.get("user"):
        code = call(
            "POST",
            "/api/onboarding/users",
            {
                "client_id": CLIENT,
                "name": "Demo",
                "username": USER,
                "password": PASSWORD,
                "language": "en",
            },
        )["auth_code"]
    else:
        flow = call(
            "POST",
            "/auth/login_flow",
            {"client_id": CLIENT, "handler": ["homeassistant", None], "redirect_uri": CLIENT},
        )
        code = call(
            "POST",
            f"/auth/login_flow/{flow['flow_id']}",
            {"client_id": CLIENT, "username": USER, "password": PASSWORD},
        )["result"]
    access = call(
        "POST",
        "/auth/token",
        {"grant_type": "authorization_code", "code": code, "client_id": CLIENT},
        form=True,
    )["access_token"]
    for step, body in (
        ("core_config", {}),
        ("analytics", {}),
        ("integration", {"client_id": CLIENT, "redirect_uri": CLIENT}),
    ):
        if not steps.get(step):
            call("POST", f"/api/onboarding/{step}", body, access)
    return str(access)


def flow(
    token_: str, handler: Any, *steps: dict[str, Any], subentry: bool = False
) -> dict[str, Any]:
    base = (
        "/api/config/config_entries/subentries/flow"
        if subentry
        else "/api/config/config_entries/flow"
    )
    result = call("POST", base, {"handler": handler}, token_)
    for step in steps:
        result = call("POST", f"{base}/{result['flow_id']}", step, token_)
        if result.get("errors"):
            raise SystemExit(f"{handler}: {result['errors']}")
    return dict(result)


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


def wait_until_running(access: str) -> None:
    """Onboarding answers while integrations still load; flows need them loaded."""
    for _ in range(300):
        if call("GET", "/api/config", token=access).get("state") == "RUNNING":
            return
        time.sleep(1)
    raise SystemExit("Home Assistant did not finish starting")


def main() -> None:
    wait_for_home_assistant()
    access = token()
    wait_until_running(access)
    entries = {
        entry["domain"]: entry
        for entry in call("GET", "/api/config/config_entries/entry", token=access)
    }
    if "intruder_alert" in entries:
        print_usage()
        return
    files = photos()
    flow(access, "local_file", {"name": "Demo door", "file_path": str(files["visitor"])})
    if os.environ.get("AWS_ACCESS_KEY_ID") and os.environ.get("AWS_SECRET_ACCESS_KEY"):
        account = flow(
            access,
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
        account = flow(access, "intruder_alert", {"next_step_id": "local"}, {})
    entry_id = account["result"]["entry_id"]
    flow(
        access,
        [entry_id, "zone"],
        {"name": "Front door", "motion_source": "gpio", "camera_source": "entity"},
        {"motion_pin": 17, "gpio_backend": "mock"},
        {"camera_entity": "camera.demo_door"},
        {"recognize_on_motion": True, "cooldown": 5, "frames": 1, "burst_interval": 0.5},
        subentry=True,
    )
    time.sleep(3)  # the account reloads with its new zone
    call(
        "POST",
        "/api/services/intruder_alert/enroll_face",
        {"tier": "whitelist", "name": "Grace Hopper", "image_path": str(files["grace"])},
        access,
    )
    call(
        "POST",
        "/api/services/intruder_alert/enroll_face",
        {"tier": "blacklist", "name": "Demo intruder", "image_path": str(files["intruder"])},
        access,
    )
    smtp = flow(
        access,
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
    flow(
        access,
        [smtp["result"]["entry_id"], "recipient"],
        {"recipient": "owner@demo.local", "name": "Owner"},
        subentry=True,
    )
    time.sleep(3)  # the SMTP entry reloads with its recipient
    owner = next(
        state["entity_id"]
        for state in call("GET", "/api/states", token=access)
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
    call("POST", "/api/services/automation/reload", {}, access)
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
    main()
