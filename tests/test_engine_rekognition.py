"""Every engine operation against botocore Stubbers (requests and answers checked by the model)."""

from __future__ import annotations

from collections.abc import Generator
from datetime import date
import logging
import traceback
from typing import Any

from botocore.exceptions import ReadTimeoutError
from botocore.stub import ANY, Stubber
import pytest

from custom_components.intruder_alert.engine.aws import AwsSettings
from custom_components.intruder_alert.engine.errors import (
    AccessDeniedError,
    AuthError,
    BadImageError,
    EnrolmentError,
    InvalidRequestError,
    NotFoundError,
    UnavailableError,
)
from custom_components.intruder_alert.engine.people import People
from custom_components.intruder_alert.engine.rekognition import Rekognition
from custom_components.intruder_alert.engine.usage import ApiUsage

from .conftest import ACCOUNT_ID_PATTERN
from .scenes import portrait

COLLECTIONS = {"whitelist": "wl", "blacklist": "bl"}


class StartsWith(str):
    """A Stubber parameter matcher: any string with this prefix."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and other.startswith(self)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = str.__hash__


BOX = {"Width": 0.3, "Height": 0.4, "Left": 0.1, "Top": 0.2}


@pytest.fixture
def rekognition() -> Generator[tuple[Rekognition, Stubber, Stubber]]:
    """An engine with stubbed Rekognition and S3 clients."""
    engine = Rekognition(
        AwsSettings(access_key_id="AKIA", secret_access_key="s", region="eu-west-1")
    )
    stub = Stubber(engine.rekognition)
    s3 = Stubber(engine.s3)
    with stub, s3:
        yield engine, stub, s3
        stub.assert_no_pending_responses()
        s3.assert_no_pending_responses()


def _face_record(face_id: str) -> dict[str, Any]:
    return {
        "Face": {"FaceId": face_id, "BoundingBox": BOX, "ImageId": "0" * 36},
        "FaceDetail": {"BoundingBox": BOX},
    }


def test_search_users(rekognition: tuple[Rekognition, Stubber, Stubber]) -> None:
    """SearchUsersByImage asks for the best user above the tier threshold, no quality filter."""
    engine, stub, _ = rekognition
    answer = {
        "UserMatches": [{"Similarity": 97.0, "User": {"UserId": "Alice", "UserStatus": "ACTIVE"}}],
        "FaceModelVersion": "7.0",
        "SearchedFace": {"FaceDetail": {"BoundingBox": BOX}},
        "UnsearchedFaces": [{"FaceDetails": {"BoundingBox": BOX}, "Reasons": ["FACE_NOT_LARGEST"]}],
    }
    stub.add_response(
        "search_users_by_image",
        answer,
        {
            "CollectionId": "wl",
            "Image": {"Bytes": b"jpeg"},
            "UserMatchThreshold": 90.0,
            "MaxUsers": 1,
            "QualityFilter": "NONE",
        },
    )
    assert engine.search_users("wl", b"jpeg", 90.0) == answer
    assert engine.usage.total() == {"SearchUsersByImage": 1}


def test_search_users_without_face(rekognition: tuple[Rekognition, Stubber, Stubber]) -> None:
    """An InvalidParameterException about faces means an empty frame, not an error."""
    engine, stub, _ = rekognition
    stub.add_client_error(
        "search_users_by_image", "InvalidParameterException", "There are no faces in the image"
    )
    assert engine.search_users("wl", b"jpeg", 90.0) == {"UserMatches": [], "UnsearchedFaces": []}
    stub.add_client_error("search_users_by_image", "InvalidParameterException", "Bad threshold")
    with pytest.raises(InvalidRequestError):
        engine.search_users("wl", b"jpeg", 90.0)


@pytest.mark.parametrize(
    ("code", "status", "error"),
    [
        ("UnrecognizedClientException", 400, AuthError),
        ("AccessDeniedException", 400, AccessDeniedError),
        ("ResourceNotFoundException", 400, NotFoundError),
        ("ThrottlingException", 400, UnavailableError),
        ("ProvisionedThroughputExceededException", 400, UnavailableError),
        ("InternalServerError", 500, UnavailableError),
        ("InvalidImageFormatException", 400, BadImageError),
        ("ImageTooLargeException", 400, BadImageError),
        ("InvalidS3ObjectException", 400, InvalidRequestError),
    ],
)
def test_error_classes(
    rekognition: tuple[Rekognition, Stubber, Stubber],
    code: str,
    status: int,
    error: type[Exception],
) -> None:
    """Each error AWS documents for the searches becomes one of the glue's error classes."""
    engine, stub, _ = rekognition
    stub.add_client_error("search_users_by_image", code, code, http_status_code=status)
    with pytest.raises(error):
        engine.search_users("wl", b"jpeg", 90.0)


def test_enroll_with_bytes(rekognition: tuple[Rekognition, Stubber, Stubber]) -> None:
    """IndexFaces (one face, quality filter), CreateUser, AssociateFaces, then count faces."""
    engine, stub, _ = rekognition
    stub.add_response(
        "index_faces",
        {"FaceRecords": [_face_record("f1")], "UnindexedFaces": []},
        {
            "CollectionId": "wl",
            "Image": {"Bytes": ANY},
            "ExternalImageId": "Ana_Mar.C3.ADa",
            "MaxFaces": 1,
            "QualityFilter": "AUTO",
            "DetectionAttributes": ["DEFAULT"],
        },
    )
    stub.add_response("create_user", {}, {"CollectionId": "wl", "UserId": "Ana_Mar.C3.ADa"})
    stub.add_response(
        "associate_faces",
        {
            "AssociatedFaces": [{"FaceId": "f1"}],
            "UnsuccessfulFaceAssociations": [],
            "UserStatus": "ACTIVE",
        },
        {"CollectionId": "wl", "UserId": "Ana_Mar.C3.ADa", "FaceIds": ["f1"]},
    )
    stub.add_response(
        "list_faces",
        {"Faces": [{"FaceId": "f1", "UserId": "Ana_Mar.C3.ADa"}]},
        {"CollectionId": "wl", "MaxResults": 4096, "UserId": "Ana_Mar.C3.ADa"},
    )
    enrolment = People(engine, COLLECTIONS).enroll("whitelist", "  Ana   María ", portrait("alice"))
    assert (enrolment.name, enrolment.face_id, enrolment.new_person, enrolment.faces) == (
        "Ana María",
        "f1",
        True,
        1,
    )


def test_enroll_through_s3_deletes_the_upload(
    rekognition: tuple[Rekognition, Stubber, Stubber],
) -> None:
    """With a bucket: upload, index from S3, delete the object; an existing user gains a face."""
    engine, stub, s3 = rekognition
    s3.add_response(
        "put_object", {}, {"Bucket": "bkt", "Key": ANY, "Body": ANY, "ContentType": "image/jpeg"}
    )
    stub.add_response(
        "index_faces",
        {"FaceRecords": [_face_record("f2")]},
        {
            "CollectionId": "bl",
            "Image": {"S3Object": {"Bucket": "bkt", "Name": ANY}},
            "ExternalImageId": "Eve",
            "MaxFaces": 1,
            "QualityFilter": "AUTO",
            "DetectionAttributes": ["DEFAULT"],
        },
    )
    s3.add_response("delete_object", {}, {"Bucket": "bkt", "Key": ANY})
    stub.add_client_error("create_user", "ConflictException", "exists")
    stub.add_response("associate_faces", {"AssociatedFaces": [{"FaceId": "f2"}]})
    stub.add_response("list_faces", {"Faces": [{"FaceId": "f1"}, {"FaceId": "f2"}]})
    enrolment = People(engine, COLLECTIONS, bucket="bkt").enroll(
        "blacklist", "Eve", portrait("eve")
    )
    assert (enrolment.new_person, enrolment.faces) == (False, 2)


def test_enroll_s3_upload_deleted_when_indexing_fails(
    rekognition: tuple[Rekognition, Stubber, Stubber],
) -> None:
    """The uploaded photo is deleted even when IndexFaces fails."""
    engine, stub, s3 = rekognition
    s3.add_response("put_object", {})
    stub.add_client_error("index_faces", "ThrottlingException", "slow down")
    s3.add_response("delete_object", {})
    with pytest.raises(UnavailableError):
        People(engine, COLLECTIONS, bucket="bkt").enroll("blacklist", "Eve", portrait("eve"))


def test_enroll_refuses_group_photo_and_cleans_up(
    rekognition: tuple[Rekognition, Stubber, Stubber],
) -> None:
    """MaxFaces=1 indexed the largest face of a group: it is deleted and the image refused."""
    engine, stub, _ = rekognition
    stub.add_response(
        "index_faces",
        {
            "FaceRecords": [_face_record("f1")],
            "UnindexedFaces": [
                {"Reasons": ["EXCEEDS_MAX_FACES"], "FaceDetail": {"BoundingBox": BOX}}
            ],
        },
    )
    stub.add_response(
        "delete_faces", {"DeletedFaces": ["f1"]}, {"CollectionId": "wl", "FaceIds": ["f1"]}
    )
    with pytest.raises(EnrolmentError) as err:
        People(engine, COLLECTIONS).enroll("whitelist", "Group", portrait("alice"))
    assert err.value.reason == "several_faces"


def test_enroll_reports_quality_reasons(rekognition: tuple[Rekognition, Stubber, Stubber]) -> None:
    """A face Rekognition would not index is refused with its reasons."""
    engine, stub, _ = rekognition
    stub.add_response(
        "index_faces",
        {"FaceRecords": [], "UnindexedFaces": [{"Reasons": ["LOW_SHARPNESS", "EXTREME_POSE"]}]},
    )
    with pytest.raises(EnrolmentError, match="EXTREME_POSE, LOW_SHARPNESS") as err:
        People(engine, COLLECTIONS).enroll("whitelist", "Blurry", portrait("alice"))
    assert err.value.reason == "face_rejected"


def test_enroll_undoes_a_failed_association(
    rekognition: tuple[Rekognition, Stubber, Stubber],
) -> None:
    """If the face cannot join the person, the face and the user just made are deleted."""
    engine, stub, _ = rekognition
    stub.add_response("index_faces", {"FaceRecords": [_face_record("f1")]})
    stub.add_response("create_user", {})
    stub.add_response(
        "associate_faces",
        {
            "AssociatedFaces": [],
            "UnsuccessfulFaceAssociations": [
                {"FaceId": "f1", "UserId": "Bob", "Reasons": ["LOW_MATCH_CONFIDENCE"]}
            ],
        },
    )
    stub.add_response(
        "delete_faces", {"DeletedFaces": ["f1"]}, {"CollectionId": "wl", "FaceIds": ["f1"]}
    )
    stub.add_response("delete_user", {}, {"CollectionId": "wl", "UserId": "Bob"})
    with pytest.raises(EnrolmentError, match="LOW_MATCH_CONFIDENCE"):
        People(engine, COLLECTIONS).enroll("whitelist", "Bob", portrait("bob"))


def test_remove_and_list(rekognition: tuple[Rekognition, Stubber, Stubber]) -> None:
    """Listing pages through users and faces; removal deletes the user and then the faces."""
    engine, stub, _ = rekognition
    stub.add_response(
        "list_faces",
        {"Faces": [{"FaceId": "f1", "UserId": "Bob"}], "NextToken": "t"},
        {"CollectionId": "bl", "MaxResults": 4096},
    )
    stub.add_response(
        "list_faces",
        {"Faces": [{"FaceId": "f2", "UserId": "Bob"}, {"FaceId": "f3"}]},
        {"CollectionId": "bl", "MaxResults": 4096, "NextToken": "t"},
    )
    stub.add_response(
        "list_users",
        {"Users": [{"UserId": "Bob", "UserStatus": "ACTIVE"}], "NextToken": "u"},
        {"CollectionId": "bl", "MaxResults": 500},
    )
    stub.add_response(
        "list_users",
        {"Users": [{"UserId": "alice", "UserStatus": "CREATED"}]},
        {"CollectionId": "bl", "MaxResults": 500, "NextToken": "u"},
    )
    people = People(engine, COLLECTIONS).list("blacklist")
    assert [(p.name, p.faces, p.status) for p in people] == [
        ("alice", 0, "CREATED"),
        ("Bob", 2, "ACTIVE"),
    ]

    stub.add_response("list_users", {"Users": [{"UserId": "Bob"}]})
    stub.add_response(
        "list_faces",
        {"Faces": [{"FaceId": "f1"}, {"FaceId": "f2"}]},
        {"CollectionId": "bl", "MaxResults": 4096, "UserId": "Bob"},
    )
    stub.add_response("delete_user", {}, {"CollectionId": "bl", "UserId": "Bob"})
    stub.add_response(
        "delete_faces",
        {"DeletedFaces": ["f1", "f2"]},
        {"CollectionId": "bl", "FaceIds": ["f1", "f2"]},
    )
    assert People(engine, COLLECTIONS).remove("blacklist", "Bob") == 2

    stub.add_response("list_users", {"Users": []})
    with pytest.raises(NotFoundError):
        People(engine, COLLECTIONS).remove("blacklist", "Bob")


def test_delete_faces_in_batches(rekognition: tuple[Rekognition, Stubber, Stubber]) -> None:
    """DeleteFaces takes at most 4096 ids a call."""
    engine, stub, _ = rekognition
    ids = [f"{i:08d}-0000-0000-0000-000000000000" for i in range(4100)]
    stub.add_response("delete_faces", {}, {"CollectionId": "wl", "FaceIds": ids[:4096]})
    stub.add_response("delete_faces", {}, {"CollectionId": "wl", "FaceIds": ids[4096:]})
    engine.delete_faces("wl", ids)


def _logged_for_users(caplog: pytest.LogCaptureFixture) -> str:
    """What reaches Home Assistant's log at its default levels (INFO and above).

    Not DEBUG: botocore's debug lines carry request ids and timestamps, 12-digit runs included.
    """
    return "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.INFO)


DENIED = (
    "User: arn:aws:iam::123456789012:user/intruder-alert is not authorized to perform: "
    "rekognition:{0} because no identity-based policy allows the rekognition:{0} action"
)


def test_denied_error_and_its_traceback_name_no_account(
    rekognition: tuple[Rekognition, Stubber, Stubber],
) -> None:
    """The engine error and the AWS error it is chained to (what a traceback shows) redact."""
    engine, stub, _ = rekognition
    stub.add_client_error(
        "search_users_by_image", "AccessDeniedException", DENIED.format("SearchUsersByImage")
    )
    with pytest.raises(AccessDeniedError) as err:
        engine.search_users("wl", b"jpeg", 90.0)
    shown = "".join(traceback.format_exception(err.value))
    assert "rekognition:SearchUsersByImage" in shown
    assert "AccessDeniedException" in shown
    assert not ACCOUNT_ID_PATTERN.search(shown)


def test_refused_calls_are_counted_not_billed(
    rekognition: tuple[Rekognition, Stubber, Stubber],
) -> None:
    """AWS bills the image calls it performs; one refused for IAM or credentials is not."""
    engine, stub, _ = rekognition
    stub.add_client_error(
        "search_users_by_image", "AccessDeniedException", DENIED.format("SearchUsersByImage")
    )
    stub.add_client_error("search_users_by_image", "UnrecognizedClientException", "bad key")
    stub.add_response("search_users_by_image", {"UserMatches": []})
    for _ in range(2):
        with pytest.raises((AccessDeniedError, AuthError)):
            engine.search_users("wl", b"jpeg", 90.0)
    engine.search_users("wl", b"jpeg", 90.0)
    assert engine.usage.total() == {"SearchUsersByImage": 3}
    assert engine.usage.billed_today() == 1


def test_a_refusal_after_midnight_is_not_taken_off_the_new_day() -> None:
    """A call refused after midnight is counted on the new day, unbilled, in one step."""
    day = [date(2026, 1, 1)]
    usage = ApiUsage(today=lambda: day[0])
    usage.record("SearchUsersByImage")
    day[0] = date(2026, 1, 2)
    usage.record("SearchUsersByImage", billed=False)
    usage.record("SearchUsersByImage")
    assert usage.billed_today() == 1


def test_denied_detect_faces_is_said_once(
    rekognition: tuple[Rekognition, Stubber, Stubber], caplog: pytest.LogCaptureFixture
) -> None:
    """Burst ranking without rekognition:DetectFaces: one warning naming it, nothing billed."""
    engine, stub, _ = rekognition
    for _ in range(3):
        stub.add_client_error("detect_faces", "AccessDeniedException", DENIED.format("DetectFaces"))
    for _ in range(3):
        with pytest.raises(AccessDeniedError):
            engine.detect_faces(b"jpeg")
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    assert "rekognition:DetectFaces" in warnings[0].getMessage()
    assert not ACCOUNT_ID_PATTERN.search(_logged_for_users(caplog))
    assert "123456789012" not in caplog.text
    assert engine.usage.total() == {"DetectFaces": 3}
    assert engine.usage.billed_today() == 0
    stub.add_response("detect_faces", {"FaceDetails": [{"BoundingBox": BOX}]})
    assert engine.detect_faces(b"jpeg") == [{"BoundingBox": BOX}]
    assert engine.usage.billed_today() == 1


def _fail_next_put(engine: Rekognition) -> None:
    """The next PutObject times out after botocore's retries, as on a flaky uplink.

    AWS may have stored the object before the answer was lost.
    """
    events = engine.s3.meta.events

    def timed_out(**_: Any) -> None:
        events.unregister("provide-client-params.s3.PutObject", unique_id="timeout")
        raise ReadTimeoutError(endpoint_url="https://bkt.s3.eu-west-1.amazonaws.com")

    events.register_first("provide-client-params.s3.PutObject", timed_out, unique_id="timeout")


def test_enroll_upload_that_timed_out_is_deleted(
    rekognition: tuple[Rekognition, Stubber, Stubber],
) -> None:
    """An upload that timed out may be stored all the same: the delete is still sent."""
    engine, _, s3 = rekognition
    _fail_next_put(engine)
    s3.add_response(
        "delete_object", {}, {"Bucket": "bkt", "Key": StartsWith("intruder-alert/enrol/")}
    )
    with pytest.raises(UnavailableError, match="ReadTimeoutError"):
        People(engine, COLLECTIONS, bucket="bkt").enroll("whitelist", "Ana", portrait("alice"))


def test_enroll_failed_delete_does_not_mask_success(
    rekognition: tuple[Rekognition, Stubber, Stubber], caplog: pytest.LogCaptureFixture
) -> None:
    """The face is indexed: the enrolment stands; the photo left behind is logged (redacted)."""
    engine, stub, s3 = rekognition
    s3.add_response("put_object", {})
    stub.add_response("index_faces", {"FaceRecords": [_face_record("f1")]})
    s3.add_client_error(
        "delete_object",
        "AccessDenied",
        DENIED.format("x").replace("rekognition:x", "s3:DeleteObject"),
        http_status_code=403,
    )
    stub.add_response("create_user", {})
    stub.add_response("associate_faces", {"AssociatedFaces": [{"FaceId": "f1"}]})
    stub.add_response("list_faces", {"Faces": [{"FaceId": "f1"}]})
    enrolment = People(engine, COLLECTIONS, bucket="bkt").enroll(
        "whitelist", "Ana", portrait("alice")
    )
    assert (enrolment.face_id, enrolment.faces) == ("f1", 1)
    [warning] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert "could not be deleted" in warning.getMessage()
    assert "s3:DeleteObject" in warning.getMessage()
    assert "lifecycle" in warning.getMessage()
    assert not ACCOUNT_ID_PATTERN.search(_logged_for_users(caplog))
    assert "123456789012" not in caplog.text


def test_enroll_failed_delete_after_failed_index_raises_the_index_error(
    rekognition: tuple[Rekognition, Stubber, Stubber], caplog: pytest.LogCaptureFixture
) -> None:
    """Two failures: the one that explains the enrolment is raised, the delete's is logged."""
    engine, stub, s3 = rekognition
    s3.add_response("put_object", {})
    stub.add_client_error("index_faces", "ThrottlingException", "slow down")
    s3.add_client_error("delete_object", "SlowDown", "slow down", http_status_code=503)
    with pytest.raises(UnavailableError, match="ThrottlingException"):
        People(engine, COLLECTIONS, bucket="bkt").enroll("whitelist", "Ana", portrait("alice"))
    assert "could not be deleted" in caplog.text


def test_enroll_failed_create_user_deletes_the_face(
    rekognition: tuple[Rekognition, Stubber, Stubber],
) -> None:
    """CreateUser refused after IndexFaces stored the face: the face is deleted again."""
    engine, stub, _ = rekognition
    stub.add_response("index_faces", {"FaceRecords": [_face_record("f1")]})
    stub.add_client_error("create_user", "AccessDeniedException", DENIED.format("CreateUser"))
    stub.add_response(
        "delete_faces", {"DeletedFaces": ["f1"]}, {"CollectionId": "wl", "FaceIds": ["f1"]}
    )
    with pytest.raises(AccessDeniedError) as err:
        People(engine, COLLECTIONS).enroll("whitelist", "Ana", portrait("alice"))
    assert err.value.permission == "rekognition:CreateUser"


def test_enroll_cleanup_failure_is_logged_and_the_rest_still_undone(
    rekognition: tuple[Rekognition, Stubber, Stubber], caplog: pytest.LogCaptureFixture
) -> None:
    """A face that cannot be deleted is logged; the user is still deleted; the reason raised."""
    engine, stub, _ = rekognition
    stub.add_response("index_faces", {"FaceRecords": [_face_record("f1")]})
    stub.add_response("create_user", {})
    stub.add_response(
        "associate_faces",
        {"UnsuccessfulFaceAssociations": [{"FaceId": "f1", "Reasons": ["LOW_QUALITY"]}]},
    )
    stub.add_client_error("delete_faces", "ThrottlingException", "slow down")
    stub.add_response("delete_user", {}, {"CollectionId": "wl", "UserId": "Ana"})
    with pytest.raises(EnrolmentError, match="LOW_QUALITY"):
        People(engine, COLLECTIONS).enroll("whitelist", "Ana", portrait("alice"))
    [warning] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert "face f1" in warning.getMessage()


def test_enroll_group_photo_with_nothing_indexed(
    rekognition: tuple[Rekognition, Stubber, Stubber],
) -> None:
    """A group photo whose faces were all left unindexed: refused, nothing to delete."""
    engine, stub, _ = rekognition
    stub.add_response(
        "index_faces",
        {
            "FaceRecords": [],
            "UnindexedFaces": [
                {"Reasons": ["LOW_QUALITY"], "FaceDetail": {"BoundingBox": BOX}},
                {"Reasons": ["EXCEEDS_MAX_FACES"], "FaceDetail": {"BoundingBox": BOX}},
            ],
        },
    )
    with pytest.raises(EnrolmentError, match="2 faces") as err:
        People(engine, COLLECTIONS).enroll("whitelist", "Group", portrait("alice"))
    assert err.value.reason == "several_faces"
