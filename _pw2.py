import sys
sys.path.insert(0, ".")
from pathlib import Path
from playwright.sync_api import sync_playwright, expect
from browser_tests.conftest import CHROMIUM_ARGS
url = Path("/tmp/ui-explore/url").read_text()
with sync_playwright() as p:
    b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
    ctx = b.new_context(viewport={"width": 1280, "height": 900}, locale="en-US", storage_state="/tmp/state.json")
    page = ctx.new_page(); page.set_default_timeout(20000)
    page.goto(url + "/config/integrations/dashboard")
    page.get_by_role("button", name="Add integration").click()
    page.wait_for_timeout(1500)
    page.screenshot(path="/tmp/a1.png")
    page.keyboard.type("Intruder")
    page.wait_for_timeout(1000)
    page.screenshot(path="/tmp/a2.png")
    page.get_by_text("Intruder Alert").first.click()
    page.wait_for_timeout(3000)
    page.screenshot(path="/tmp/a3.png")
