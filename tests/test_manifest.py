"""Packaging rules hassfest and HACS check, and pins kept in step with the tests."""

from __future__ import annotations

import json
from pathlib import Path

from custom_components.intruder_alert.const import GPIO_REQUIREMENTS, LOCAL_REQUIREMENTS
import homeassistant.components
from homeassistant.const import __version__ as ha_version

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "custom_components" / "intruder_alert"


def _manifest() -> dict[str, object]:
    return json.loads((PACKAGE / "manifest.json").read_text())


def test_manifest_keys_sorted_as_hassfest_wants() -> None:
    """Domain and name first, then the rest in alphabetical order, with every required key."""
    keys = list(_manifest())
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])
    for required in (
        "codeowners",
        "config_flow",
        "documentation",
        "integration_type",
        "iot_class",
        "issue_tracker",
        "requirements",
        "version",
    ):
        assert required in keys


def _tested() -> dict[str, str]:
    return {
        line.split("==")[0].lower(): line.strip()
        for line in (ROOT / "requirements_test.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    }


def test_runtime_requirements_are_pinned_and_tested() -> None:
    """Every runtime requirement is pinned, and the tests install exactly that pin.

    That is the manifest's (Home Assistant installs them at load) and those installed on demand:
    the offline backend's and, for zones with GPIO pins, gpiozero and gpiod.
    """
    tested = _tested()
    requirements = _manifest()["requirements"]
    assert isinstance(requirements, list)
    on_demand = [*LOCAL_REQUIREMENTS, *GPIO_REQUIREMENTS]
    assert not {r.partition("==")[0] for r in requirements} & {
        r.partition("==")[0] for r in on_demand
    }, "an on-demand requirement is also in the manifest"
    for requirement in [*requirements, *on_demand]:
        name, _, version = requirement.partition("==")
        assert version, f"{requirement} is not pinned"
        assert tested[name.lower()] == requirement


def _requirements_with_dependencies(domains: list[str]) -> set[str]:
    components = Path(homeassistant.components.__file__).parent
    seen: set[str] = set()
    requirements: set[str] = set()
    while domains:
        domain = domains.pop()
        if domain in seen:
            continue
        seen.add(domain)
        manifest = json.loads((components / domain / "manifest.json").read_text())
        requirements.update(manifest.get("requirements", []))
        domains.extend(manifest.get("dependencies", []))
    return requirements


def test_browser_test_pins_are_home_assistants_own() -> None:
    """The browser tests' Home Assistant finds every package it imports, at its own pins.

    It runs with --skip-pip: the frontend, and the base components whose modules listing the
    actions imports (conversation, assist_pipeline, ...), must come from requirements_test.txt.
    """
    from homeassistant.helpers.service import _base_components

    tested = _tested()
    domains = [*_base_components(), "frontend", "config", "local_file"]
    for requirement in _requirements_with_dependencies(domains):
        assert tested.get(requirement.split("==")[0].lower()) == requirement, requirement


def test_hacs_minimum_is_the_tested_home_assistant() -> None:
    """hacs.json declares the Home Assistant version the tests run against."""
    hacs = json.loads((ROOT / "hacs.json").read_text())
    assert hacs["homeassistant"] == ha_version


def test_translations_are_plain_text() -> None:
    """Custom integrations get no strings.json compilation: no [%key:...] references."""
    text = (PACKAGE / "translations" / "en.json").read_text()
    assert "[%key:" not in text
    assert (PACKAGE / "brand" / "icon.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
