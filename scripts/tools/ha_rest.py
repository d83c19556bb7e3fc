"""A small client for a running Home Assistant's REST API: onboarding, login, flows, actions.

Standard library only, except ``ws`` (a websocket command, for what has no REST API, such as
dashboards), which uses aiohttp (Home Assistant's own dependency). Used by the demo
(scripts/tools/demo.py) and the browser tests (browser_tests/), which both drive a real Home
Assistant from outside.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
import json
import time
from typing import Any
import urllib.error
import urllib.parse
import urllib.request


class RestError(RuntimeError):
    """Home Assistant answered with an error, or did not answer in time."""


class HomeAssistantRest:
    """One Home Assistant at ``url``; ``onboard`` signs in and keeps the access token."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self.client_id = self.url + "/"
        self.access_token: str | None = None

    def call(self, method: str, path: str, body: Any = None, form: bool = False) -> Any:
        """One request; JSON in and out (``form`` sends a form, as /auth/token wants)."""
        data = None
        headers = {}
        if body is not None:
            if form:
                data = urllib.parse.urlencode(body).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            else:
                data = json.dumps(body).encode()
                headers["Content-Type"] = "application/json"
        if self.access_token:
            headers["Authorization"] = f"Bearer {self.access_token}"
        request = urllib.request.Request(self.url + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                text = response.read().decode()
        except urllib.error.HTTPError as err:
            raise RestError(f"{method} {path} → {err.code}: {err.read().decode()[:300]}") from err
        return json.loads(text) if text else None

    def wait_until_up(self, seconds: float = 300) -> None:
        """Until the HTTP server answers (onboarding is the first API that does)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/api/onboarding", timeout=2)
            except urllib.error.URLError, OSError:
                time.sleep(0.5)
            else:
                return
        raise RestError(f"Home Assistant did not answer at {self.url}")

    def onboard(self, name: str, username: str, password: str) -> str:
        """Create the owner on a new instance (or log in on an onboarded one); finish onboarding."""
        steps = {step["step"]: step["done"] for step in self.call("GET", "/api/onboarding")}
        if not steps.get("user"):
            code = self.call(
                "POST",
                "/api/onboarding/users",
                {
                    "client_id": self.client_id,
                    "name": name,
                    "username": username,
                    "password": password,
                    "language": "en",
                },
            )["auth_code"]
        else:
            flow = self.call(
                "POST",
                "/auth/login_flow",
                {
                    "client_id": self.client_id,
                    "handler": ["homeassistant", None],
                    "redirect_uri": self.client_id,
                },
            )
            code = self.call(
                "POST",
                f"/auth/login_flow/{flow['flow_id']}",
                {"client_id": self.client_id, "username": username, "password": password},
            )["result"]
        self.access_token = str(
            self.call(
                "POST",
                "/auth/token",
                {"grant_type": "authorization_code", "code": code, "client_id": self.client_id},
                form=True,
            )["access_token"]
        )
        for step, body in (
            ("core_config", {}),
            ("analytics", {}),
            ("integration", {"client_id": self.client_id, "redirect_uri": self.client_id}),
        ):
            if not steps.get(step):
                self.call("POST", f"/api/onboarding/{step}", body)
        return self.access_token

    def wait_until_running(self, seconds: float = 300) -> None:
        """Onboarding answers while integrations still load; flows need them loaded."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.call("GET", "/api/config").get("state") == "RUNNING":
                return
            time.sleep(0.5)
        raise RestError("Home Assistant did not finish starting")

    def flow(self, handler: Any, *steps: dict[str, Any], subentry: bool = False) -> dict[str, Any]:
        """Start a config (or subentry) flow and answer its steps; a step's errors raise."""
        base = (
            "/api/config/config_entries/subentries/flow"
            if subentry
            else "/api/config/config_entries/flow"
        )
        result = self.call("POST", base, {"handler": handler})
        for step in steps:
            result = self.call("POST", f"{base}/{result['flow_id']}", step)
            result = self._after_progress(base, result)
            if result.get("errors"):
                raise RestError(f"{handler}: {result['errors']}")
        return dict(result)

    def _after_progress(self, base: str, result: Any, seconds: float = 900) -> Any:
        """A step that shows progress (an install, say): wait until the flow moves on.

        Home Assistant moves the flow on by itself when the work ends; asking for the flow
        again answers its current step (or 404 once it has ended, e.g. with a new entry).
        """
        deadline = time.monotonic() + seconds
        while result.get("type") == "progress":
            if time.monotonic() > deadline:
                raise RestError(f"flow {result['flow_id']} still in progress after {seconds} s")
            time.sleep(1)
            try:
                result = self.call("GET", f"{base}/{result['flow_id']}")
            except RestError as err:
                if "→ 404" not in str(err):
                    raise
                return {"type": "ended_in_background", "flow_id": result["flow_id"]}
        return result

    def action(self, domain: str, service: str, data: dict[str, Any]) -> Any:
        """Call an action and return its response data."""
        return self.call("POST", f"/api/services/{domain}/{service}?return_response", data)[
            "service_response"
        ]

    def state(self, entity_id: str) -> dict[str, Any]:
        """An entity's state object."""
        return dict(self.call("GET", f"/api/states/{entity_id}"))

    def entries(self, domain: str) -> list[dict[str, Any]]:
        """The config entries of ``domain``."""
        return [
            entry
            for entry in self.call("GET", "/api/config/config_entries/entry")
            if entry["domain"] == domain
        ]

    def wait_for_state(
        self,
        entity_id: str,
        check: Callable[[dict[str, Any]], bool] = lambda state: state["state"] != "unavailable",
        seconds: float = 60,
    ) -> dict[str, Any]:
        """Until the entity exists and ``check`` (by default: it is available) holds; its state."""
        deadline = time.monotonic() + seconds
        last: Any = None
        while time.monotonic() < deadline:
            try:
                last = self.state(entity_id)
            except RestError as err:
                if "→ 404" not in str(err):
                    raise
            else:
                if check(last):
                    return dict(last)
            time.sleep(0.25)
        raise RestError(f"{entity_id} did not get there in {seconds} s (last: {last})")

    def ws(self, message: dict[str, Any], seconds: float = 120) -> Any:
        """One websocket command (``{"type": ..., ...}``, no id) as the signed-in user; its result.

        Runs in a thread of its own, so callers inside another event loop (Playwright's) are fine.
        """
        with ThreadPoolExecutor(1) as thread:
            return thread.submit(asyncio.run, self._ws(message, seconds)).result()

    async def _ws(self, message: dict[str, Any], seconds: float) -> Any:
        import aiohttp  # only ws needs it; the rest is standard library

        url = "ws" + self.url.removeprefix("http") + "/api/websocket"
        async with aiohttp.ClientSession() as session, session.ws_connect(url) as socket:
            await socket.receive_json(timeout=seconds)  # auth_required
            await socket.send_json({"type": "auth", "access_token": self.access_token})
            answer = await socket.receive_json(timeout=seconds)
            if answer.get("type") != "auth_ok":
                raise RestError(f"websocket: {answer}")
            await socket.send_json({**message, "id": 1})
            while True:
                answer = await socket.receive_json(timeout=seconds)
                if answer.get("id") == 1 and answer.get("type") == "result":
                    break
        if not answer["success"]:
            raise RestError(f"{message['type']} → {answer['error']}")
        return answer["result"]
