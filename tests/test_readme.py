"""The README's IAM policy grants exactly the AWS actions the engine calls, on the right resources."""

from __future__ import annotations

from fnmatch import fnmatchcase
import json
from pathlib import Path
import re
from typing import Any

import botocore.session
from botocore.validate import ParamValidator

from custom_components.intruder_alert.const import (
    DEFAULT_BLACKLIST_COLLECTION,
    DEFAULT_WHITELIST_COLLECTION,
)
from custom_components.intruder_alert.engine.rekognition import PROBE_PREFIX
from custom_components.intruder_alert.engine.strangers import strangers_collection

ROOT = Path(__file__).resolve().parents[1]
ENGINE = ROOT / "custom_components" / "intruder_alert" / "engine"
CALL = re.compile(r"self\._call\(\s*self\.(rekognition|sts|s3),\s*\"([A-Za-z]+)\"")

# The resource type each action takes, from AWS's Service Authorization Reference:
# "Actions, resources, and condition keys for Amazon Rekognition" (docs.aws.amazon.com/
# service-authorization/latest/reference/list_amazonrekognition.html), for Amazon S3
# (list_amazons3.html) and for AWS STS (list_awssecuritytokenservice.html), as of June 2026.
# "collection" is arn:${Partition}:rekognition:${Region}:${Account}:collection/${CollectionId};
# "object" is arn:${Partition}:s3:::${BucketName}/${ObjectName}. An action with no resource type
# in the reference needs "Resource": "*". CreateCollection has none there (only the
# aws:RequestTag/aws:TagKeys condition keys; the reference listed collection* until late 2024),
# and DetectFaces touches no collection.
RESOURCE_TYPES = {
    "rekognition:AssociateFaces": "collection",
    "rekognition:CreateUser": "collection",
    "rekognition:DeleteFaces": "collection",
    "rekognition:DeleteUser": "collection",
    "rekognition:DescribeCollection": "collection",
    "rekognition:IndexFaces": "collection",
    "rekognition:ListFaces": "collection",
    "rekognition:ListUsers": "collection",
    "rekognition:SearchFacesByImage": "collection",
    "rekognition:SearchUsersByImage": "collection",
    "rekognition:CreateCollection": "*",
    "rekognition:DetectFaces": "*",
    "s3:PutObject": "object",
    "s3:DeleteObject": "object",
    "s3:GetObject": "object",
}
# STS API reference, GetCallerIdentity: "No permissions are required to perform this
# operation", even under an explicit deny; a policy naming it grants nothing.
NEEDS_NO_PERMISSION = {"sts:GetCallerIdentity"}
# Rekognition reads an S3 image with the caller's credentials when IndexFaces names one
# (S3Object: "the user must have permission to access the S3 object").
IMPLIED = {"s3:GetObject"}
RESOURCE_PATTERNS = {
    "collection": re.compile(r"^arn:aws:rekognition:REGION:ACCOUNT:collection/[\w.*-]+$"),
    "object": re.compile(r"^arn:aws:s3:::YOUR-BUCKET/[\w./*-]+$"),
    "*": re.compile(r"^\*$"),
}


def _called_actions() -> set[str]:
    actions: set[str] = set()
    for source in ENGINE.rglob("*.py"):
        for service, operation in CALL.findall(source.read_text()):
            actions.add(f"{service}:{operation}")
    return actions


def _readme_json(section: str) -> Any:
    """The first JSON block after the heading ``section``."""
    readme = (ROOT / "README.md").read_text()
    block = readme.split(section, 1)[1].split("```json", 1)[1].split("```", 1)[0]
    return json.loads(block)


def _statements() -> list[dict[str, Any]]:
    statements = _readme_json("### IAM policy")["Statement"]
    for statement in statements:
        assert statement["Effect"] == "Allow"
        for key in ("Action", "Resource"):
            if isinstance(statement[key], str):
                statement[key] = [statement[key]]
    return list(statements)


def test_iam_policy_matches_code() -> None:
    """No action missing (the integration would fail) and none extra (least privilege)."""
    called = _called_actions()
    assert "rekognition:DescribeCollection" in called  # the scan itself works
    assert "sts:GetCallerIdentity" in called
    granted = [action for statement in _statements() for action in statement["Action"]]
    assert len(granted) == len(set(granted)), "an action is granted twice"
    assert set(granted) == (called - NEEDS_NO_PERMISSION) | IMPLIED


def test_iam_policy_resources_match_the_reference() -> None:
    """Each action is granted on the resource type AWS's reference gives it, nothing wider."""
    assert set(RESOURCE_TYPES) >= (_called_actions() - NEEDS_NO_PERMISSION) | IMPLIED
    for statement in _statements():
        kinds = {RESOURCE_TYPES[action] for action in statement["Action"]}
        assert len(kinds) == 1, f"{statement['Sid']} mixes resource types {kinds}"
        [kind] = kinds
        for resource in statement["Resource"]:
            assert RESOURCE_PATTERNS[kind].match(resource), (statement["Sid"], resource)


def test_iam_policy_covers_what_the_integration_touches() -> None:
    """The default collections and every key the integration writes fall under the policy."""
    resources = {
        RESOURCE_TYPES[action]: statement["Resource"]
        for statement in _statements()
        for action in statement["Action"]
    }
    for collection in (
        DEFAULT_WHITELIST_COLLECTION,
        DEFAULT_BLACKLIST_COLLECTION,
        strangers_collection(DEFAULT_WHITELIST_COLLECTION),
    ):
        arn = f"arn:aws:rekognition:REGION:ACCOUNT:collection/{collection}"
        assert any(fnmatchcase(arn, pattern) for pattern in resources["collection"])
    for key in (f"{PROBE_PREFIX}probe", f"{PROBE_PREFIX}enrol/0123abcd.jpg"):
        arn = f"arn:aws:s3:::YOUR-BUCKET/{key}"
        assert any(fnmatchcase(arn, pattern) for pattern in resources["object"])
    assert not any(
        fnmatchcase("arn:aws:s3:::YOUR-BUCKET/photos/x.jpg", p) for p in resources["object"]
    )


def test_lifecycle_rule_is_valid_for_s3() -> None:
    """The README's lifecycle rule is what PutBucketLifecycleConfiguration accepts."""
    rule = _readme_json("file://lifecycle.json")
    model = botocore.session.get_session().get_service_model("s3")
    shape = model.operation_model("PutBucketLifecycleConfiguration").input_shape
    report = ParamValidator().validate(
        {"Bucket": "YOUR-BUCKET", "LifecycleConfiguration": rule}, shape
    )
    assert not report.has_errors(), report.generate_report()
    [only] = rule["Rules"]
    assert only["Filter"]["Prefix"] == PROBE_PREFIX
    assert only["Expiration"]["Days"] == 1
    assert only["Status"] == "Enabled"
