"""Draw docs/images/escalation-notification.png from notifications the escalation blueprint sent.

Runs tests/test_escalation.py's "It's fine" test, which captures what the blueprint sends to the
phones (title, message, actions, and the picture the image URL serves), then lays the question
and the answer's follow-up out as Android notifications and screenshots them in Chromium.

    source scripts/env.sh && in_env python scripts/tools/render_notification.py
"""

from __future__ import annotations

import html
import json
import os
from pathlib import Path
import shutil
import subprocess
import sys
import tempfile
from typing import Any

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "docs" / "images" / "escalation-notification.png"
TEST = "tests/test_escalation.py::test_its_fine_stops_the_ladder_and_offers_add_as"
CAPTURE = "INTRUDER_ALERT_CAPTURE_NOTIFICATION"

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><style>
  body {{ margin: 0; background: #1b1b1f; font-family: Roboto, "Noto Sans", "DejaVu Sans",
         sans-serif; }}
  #shade {{ display: flex; gap: 28px; padding: 28px; width: max-content; }}
  .column {{ width: 400px; }}
  .caption {{ color: #c7c6ca; font-size: 13px; margin: 0 6px 10px; }}
  .card {{ background: #2b2b31; border-radius: 26px; padding: 16px 18px 12px; color: #e4e1e6; }}
  .head {{ display: flex; align-items: center; gap: 8px; font-size: 12px; color: #c7c6ca; }}
  .icon {{ width: 20px; height: 20px; border-radius: 50%; background: #03a9f4;
           display: flex; align-items: center; justify-content: center; }}
  .icon svg {{ width: 13px; height: 13px; fill: white; }}
  .title {{ font-size: 15px; font-weight: 500; margin-top: 10px; }}
  .message {{ font-size: 14px; color: #c7c6ca; margin-top: 3px; line-height: 1.35; }}
  .picture {{ width: 100%; border-radius: 14px; margin-top: 12px; display: block; }}
  .actions {{ display: flex; gap: 22px; margin-top: 10px; padding: 4px 2px; }}
  .action {{ color: #a8c7fa; font-size: 14px; font-weight: 500; }}
</style></head><body><div id="shade">{columns}</div></body></html>
"""

# mdi:home-assistant, the companion app's notification icon.
ICON = (
    '<svg viewBox="0 0 24 24"><path d="M21.8,13H20V21H13V17.67L15.79,14.88L16.5,15C17.66,15 '
    "18.6,14.06 18.6,12.9C18.6,11.74 17.66,10.8 16.5,10.8A2.1,2.1 0 0,0 14.4,12.9L14.5,13.61L13,"
    "15.13V9.65C13.66,9.29 14.1,8.6 14.1,7.8A2.1,2.1 0 0,0 12,5.7A2.1,2.1 0 0,0 9.9,7.8C9.9,8.6 "
    "10.34,9.29 11,9.65V15.13L9.5,13.61L9.6,12.9C9.6,11.74 8.66,10.8 7.5,10.8A2.1,2.1 0 0,0 5.4,"
    "12.9A2.1,2.1 0 0,0 7.5,15L8.21,14.88L11,17.67V21H4V13H2.25C1.83,13 1.42,13 1.42,12.79C1.43,"
    "12.57 1.85,12.15 2.28,11.72L11,3C11.33,2.67 11.67,2.33 12,2.33C12.33,2.33 12.67,2.67 13,3L17,"
    '7V6H19V9L21.78,11.78C22.18,12.18 22.59,12.59 22.6,12.8C22.6,13 22.2,13 21.8,13Z"/></svg>'
)


def capture() -> dict[str, Any]:
    """Run the test with capturing on; return what it captured."""
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "notifications.json"
        subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", TEST],
            cwd=ROOT,
            env=os.environ | {CAPTURE: str(target)},
            check=True,
        )
        captured: dict[str, Any] = json.loads(target.read_text())
        return captured


def card(notification: dict[str, Any], image: str | None, when: str) -> str:
    """One notification as Android draws it, expanded."""
    data = notification["data"]
    picture = (
        f'<img class="picture" src="data:image/jpeg;base64,{image}">'
        if image and data.get("image")
        else ""
    )
    actions = "".join(
        f'<span class="action">{html.escape(action["title"])}</span>'
        for action in data.get("actions", [])
    )
    return (
        '<div class="card"><div class="head">'
        f'<span class="icon">{ICON}</span>Home Assistant · {html.escape(when)}</div>'
        f'<div class="title">{html.escape(notification["title"])}</div>'
        f'<div class="message">{html.escape(notification["message"])}</div>'
        f"{picture}" + (f'<div class="actions">{actions}</div>' if actions else "") + "</div>"
    )


def render(captured: dict[str, Any], output: Path) -> None:
    """Lay the question and its follow-up side by side and screenshot them."""
    question, follow_up = captured["notifications"]
    when = "now"  # as Android labels a notification that just arrived
    columns = (
        '<div class="column"><div class="caption">On every phone: the question</div>'
        f"{card(question, captured['image'], when)}</div>"
        '<div class="column"><div class="caption">After Bob\'s "It\'s fine": the follow-up '
        f"that replaces it</div>{card(follow_up, captured['image'], when)}</div>"
    )
    executable = shutil.which("chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(device_scale_factor=1)
        page.set_content(PAGE.format(columns=columns))
        page.locator("#shade").screenshot(path=str(output))
        browser.close()


def main() -> None:
    """Capture, then draw."""
    render(capture(), OUTPUT)
    print(f"wrote {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
