"""The README's IAM policy grants exactly the AWS actions the engine calls."""

from __future__ import annotations

import json
from pathlib import Path
import re

ROOT = Path(__file__).resolve().parents[1]
ENGINE = ROOT / "custom_components" / "intruder_alert" / "engine"
# Rekognition reads an S3 image with the caller's credentials when IndexFaces names one.
IMPLIED = {"s3:GetObject"}
CALL = re.compile(r"self\._call\(\s*self\.(rekognition|sts|s3),\s*\"([A-Za-z]+)\"")


def _called_actions() -> set[str]:
    actions: set[str] = set()
    for source in ENGINE.rglob("*.py"):
        for service, operation in CALL.findall(source.read_text()):
            actions.add(f"{service}:{operation}")
    return actions


def _policy_actions() -> set[str]:
    readme = (ROOT / "README.md").read_text()
    block = readme.split("### IAM policy", 1)[1].split("```json", 1)[1].split("```", 1)[0]
    policy = json.loads(block)
    return {action for statement in policy["Statement"] for action in statement["Action"]}


def test_iam_policy_matches_code() -> None:
    """No action missing (the integration would fail) and none extra (least privilege)."""
    called = _called_actions()
    assert "rekognition:DescribeCollection" in called  # the scan itself works
    assert _policy_actions() == called | IMPLIED
