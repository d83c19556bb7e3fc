import sys
sys.path.insert(0, ".")
from pathlib import Path
from playwright.sync_api import sync_playwright, expect
from browser_tests.conftest import CHROMIUM_ARGS, USER, PASSWORD
url = Path("/tmp/ui-explore/url").read_text()
with sync_playwright() as p:
    b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
    ctx = b.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = ctx.new_page(); page.set_default_timeout(30000)
    page.goto(url)
    page.wait_for_timeout(3000)
    page.screenshot(path="/tmp/s1.png")
    page.get_by_role("textbox", name="Username").fill(USER)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.screenshot(path="/tmp/s2.png")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_timeout(5000)
    page.screenshot(path="/tmp/s3.png")
    ctx.storage_state(path="/tmp/state.json")
