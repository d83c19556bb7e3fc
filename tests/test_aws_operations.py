"""Every AWS operation the engine calls exists in the botocore that users' Home Assistant installs.

Home Assistant's constraint file pins boto3 and botocore (1.42.97 in 2026.10 and 2026.11); the
manifest follows it, so the operations must be in that botocore's service models.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import botocore
import botocore.session

import homeassistant
from homeassistant.const import __version__ as ha_version

ENGINE = Path(__file__).resolve().parents[1] / "custom_components" / "intruder_alert" / "engine"
SERVICES = {"rekognition": "rekognition", "sts": "sts", "s3": "s3"}


def _called_operations() -> set[tuple[str, str]]:
    """(service, operation) of every ``self._call(self.<service>, "<Operation>", …)``."""
    tree = ast.parse((ENGINE / "rekognition.py").read_text())
    found: set[tuple[str, str]] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "_call"
            and len(node.args) >= 2
            and isinstance(node.args[0], ast.Attribute)
            and isinstance(node.args[1], ast.Constant)
        ):
            found.add((SERVICES[node.args[0].attr], str(node.args[1].value)))
    return found


def _constraint(name: str) -> str:
    constraints = Path(homeassistant.__file__).parent / "package_constraints.txt"
    for line in constraints.read_text().splitlines():
        if line.lower().startswith(f"{name}=="):
            return line.split("==", 1)[1].strip()
    raise AssertionError(f"Home Assistant {ha_version} does not pin {name}")


def test_tests_run_the_botocore_home_assistant_pins() -> None:
    assert botocore.__version__ == _constraint("botocore")
    manifest = json.loads((ENGINE.parent / "manifest.json").read_text())
    assert f"boto3=={_constraint('boto3')}" in manifest["requirements"]


def test_every_called_operation_is_in_the_service_model() -> None:
    operations = _called_operations()
    # The ones the product cannot work without, so the parse above cannot silently find nothing.
    assert {
        ("rekognition", "SearchUsersByImage"),
        ("rekognition", "IndexFaces"),
        ("rekognition", "CreateUser"),
        ("rekognition", "AssociateFaces"),
        ("sts", "GetCallerIdentity"),
    } <= operations
    session = botocore.session.get_session()
    for service, operation in sorted(operations):
        model = session.get_service_model(service)
        assert operation in model.operation_names, f"{service}:{operation} not in botocore"
