"""A local server that speaks Rekognition's JSON protocol, with a small in-memory face store.

boto3 talks to it through ``endpoint_url``; requests are real HTTP with real botocore
serialisation, signing, retries and timeouts. Faces are the solid squares of tests/scenes.py.
Faults are injected per operation: throttling, 5xx, slow answers, dropped connections,
revoked credentials, missing IAM permissions and deleted collections.
"""

from __future__ import annotations

import base64
from collections import Counter, deque
import contextlib
from dataclasses import dataclass, field
import hashlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import io
import json
import re
import socket
import threading
from typing import Any
import urllib.parse
import uuid

from PIL import Image

from .scenes import BACKGROUND, LOOKALIKES, PALETTE

GRID = 4  # detection works on a grid of GRID×GRID pixel cells
# The AWS account id GetCallerIdentity answers with (a made-up one).
ACCOUNT_ID = "123456789012"


@dataclass
class Detected:
    """A face the fake detector found."""

    who: str
    left: float
    top: float
    width: float
    height: float

    @property
    def area(self) -> float:
        return self.width * self.height

    def box(self) -> dict[str, float]:
        return {"Left": self.left, "Top": self.top, "Width": self.width, "Height": self.height}

    def detail(self) -> dict[str, Any]:
        return {"BoundingBox": self.box(), "Confidence": 99.9}


_DETECTED: dict[bytes, list[Detected]] = {}


def detect(data: bytes) -> list[Detected]:
    """Faces of a frame, cached by content.

    Frames seen before are answered from the cache, so an answer with no injected latency costs
    the server next to nothing (benchmarks measure our side).
    """
    key = hashlib.blake2b(data, digest_size=16).digest()
    if key not in _DETECTED:
        if len(_DETECTED) > 256:
            _DETECTED.clear()
        _DETECTED[key] = _detect(data)
    return [Detected(**vars(face)) for face in _DETECTED[key]]


def _detect(data: bytes) -> list[Detected]:
    """Find the coloured squares of a frame and name each by its palette colour."""
    image = Image.open(io.BytesIO(data)).convert("RGB")
    small = image.resize(
        (max(1, image.width // GRID), max(1, image.height // GRID)), Image.Resampling.BOX
    )
    width, height = small.size
    pixels = small.load()
    assert pixels is not None
    seen = [[False] * width for _ in range(height)]
    faces: list[Detected] = []

    def is_face(x: int, y: int) -> bool:
        return sum(abs(c - b) for c, b in zip(pixels[x, y], BACKGROUND, strict=True)) > 120

    for y in range(height):
        for x in range(width):
            if seen[y][x] or not is_face(x, y):
                continue
            stack, cells = [(x, y)], []
            seen[y][x] = True
            while stack:
                cx, cy = stack.pop()
                cells.append((cx, cy))
                for nx, ny in ((cx + 1, cy), (cx - 1, cy), (cx, cy + 1), (cx, cy - 1)):
                    if (
                        0 <= nx < width
                        and 0 <= ny < height
                        and not seen[ny][nx]
                        and is_face(nx, ny)
                    ):
                        seen[ny][nx] = True
                        stack.append((nx, ny))
            if len(cells) < 9:  # under ~12 px: too small to be a face
                continue
            xs, ys = [c[0] for c in cells], [c[1] for c in cells]
            mean = [sum(pixels[c][i] for c in cells) / len(cells) for i in range(3)]
            who = min(
                PALETTE,
                key=lambda name: sum(
                    (m - p) ** 2 for m, p in zip(mean, PALETTE[name], strict=True)
                ),
            )
            faces.append(
                Detected(
                    who,
                    min(xs) / width,
                    min(ys) / height,
                    (max(xs) - min(xs) + 1) / width,
                    (max(ys) - min(ys) + 1) / height,
                )
            )
    return faces


def denied_message(operation: str, collection: str | None) -> str:
    """AWS's AccessDeniedException text: it names the caller's ARN, with the account id."""
    on = (
        f" on resource: arn:aws:rekognition:eu-west-1:{ACCOUNT_ID}:collection/{collection}"
        if collection
        else ""
    )
    return (
        f"User: arn:aws:iam::{ACCOUNT_ID}:user/intruder-alert is not authorized to perform: "
        f"rekognition:{operation}{on} because no identity-based policy allows the "
        f"rekognition:{operation} action"
    )


def similarity(a: str, b: str) -> float:
    if a == b:
        return 99.3
    return LOOKALIKES.get(frozenset({a, b}), 12.0)


class ServiceError(Exception):
    def __init__(self, code: str, message: str = "", status: int = 400) -> None:
        super().__init__(message or code)
        self.code, self.status = code, status


@dataclass
class Fault:
    """Make the next ``count`` calls of ``operation`` ("*" for any) misbehave."""

    operation: str
    kind: str  # throttle | error500 | slow | drop | auth | denied
    count: int = 1
    seconds: float = 0.0


@dataclass
class Collection:
    faces: dict[str, dict[str, Any]] = field(default_factory=dict)  # face id → record
    users: dict[str, str] = field(default_factory=dict)  # user id → status


class FakeRekognition:
    """The in-memory service behind the HTTP server."""

    def __init__(self) -> None:
        self.collections: dict[str, Collection] = {}
        self.calls: Counter[str] = Counter()
        self.faults: deque[Fault] = deque()
        self.latency = 0.0
        self.revoked_keys: set[str] = set()
        self.lock = threading.Lock()
        # Set when the server stops, so slow answers end at once.
        self.stopping = threading.Event()

    def handle(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        method = getattr(self, "op_" + re.sub(r"(?<!^)([A-Z])", r"_\1", operation).lower(), None)
        if method is None:
            raise ServiceError("UnknownOperationException", operation)
        with self.lock:
            return method(params)

    def _collection(self, params: dict[str, Any]) -> Collection:
        cid = params["CollectionId"]
        if cid not in self.collections:
            raise ServiceError(
                "ResourceNotFoundException", f"The collection id: {cid} does not exist"
            )
        return self.collections[cid]

    @staticmethod
    def _image(params: dict[str, Any]) -> bytes:
        image = params["Image"]
        if "Bytes" not in image:
            raise ServiceError("InvalidParameterException", "Only image bytes are supported here")
        data = base64.b64decode(image["Bytes"])
        try:
            Image.open(io.BytesIO(data)).verify()
        except Exception as err:
            raise ServiceError(
                "InvalidImageFormatException", "Request has invalid image format"
            ) from err
        return data

    def op_create_collection(self, params: dict[str, Any]) -> dict[str, Any]:
        cid = params["CollectionId"]
        if cid in self.collections:
            raise ServiceError("ResourceAlreadyExistsException", cid)
        self.collections[cid] = Collection()
        return {
            "StatusCode": 200,
            "CollectionArn": f"aws:rekognition:local:collection/{cid}",
            "FaceModelVersion": "7.0",
        }

    def op_describe_collection(self, params: dict[str, Any]) -> dict[str, Any]:
        collection = self._collection(params)
        return {
            "FaceCount": len(collection.faces),
            "UserCount": len(collection.users),
            "FaceModelVersion": "7.0",
            "CollectionARN": f"arn:aws:rekognition:local:collection/{params['CollectionId']}",
        }

    def op_delete_collection(self, params: dict[str, Any]) -> dict[str, Any]:
        self._collection(params)
        del self.collections[params["CollectionId"]]
        return {"StatusCode": 200}

    def op_index_faces(self, params: dict[str, Any]) -> dict[str, Any]:
        collection = self._collection(params)
        faces = sorted(detect(self._image(params)), key=lambda f: f.area, reverse=True)
        limit = params.get("MaxFaces", 100)
        records, unindexed = [], []
        for index, face in enumerate(faces):
            if index >= limit:
                unindexed.append({"Reasons": ["EXCEEDS_MAX_FACES"], "FaceDetail": face.detail()})
                continue
            face_id = str(uuid.uuid4())
            record = {
                "FaceId": face_id,
                "BoundingBox": face.box(),
                "ImageId": str(uuid.uuid4()),
                "Confidence": 99.9,
                "ExternalImageId": params.get("ExternalImageId", ""),
                "who": face.who,
            }
            collection.faces[face_id] = record
            records.append(
                {
                    "Face": {k: v for k, v in record.items() if k != "who"},
                    "FaceDetail": face.detail(),
                }
            )
        return {"FaceRecords": records, "UnindexedFaces": unindexed, "FaceModelVersion": "7.0"}

    def op_create_user(self, params: dict[str, Any]) -> dict[str, Any]:
        collection = self._collection(params)
        if params["UserId"] in collection.users:
            raise ServiceError("ConflictException", "User already exists")
        collection.users[params["UserId"]] = "CREATED"
        return {}

    def op_associate_faces(self, params: dict[str, Any]) -> dict[str, Any]:
        collection = self._collection(params)
        user_id = params["UserId"]
        if user_id not in collection.users:
            raise ServiceError("ResourceNotFoundException", "User not found")
        associated, failed = [], []
        for face_id in params["FaceIds"]:
            face = collection.faces.get(face_id)
            if face is None:
                failed.append({"FaceId": face_id, "UserId": user_id, "Reasons": ["FACE_NOT_FOUND"]})
            elif face.get("UserId") not in (None, user_id):
                failed.append(
                    {
                        "FaceId": face_id,
                        "UserId": user_id,
                        "Reasons": ["ASSOCIATED_TO_A_DIFFERENT_USER"],
                    }
                )
            else:
                face["UserId"] = user_id
                associated.append({"FaceId": face_id})
        collection.users[user_id] = "ACTIVE"
        return {
            "AssociatedFaces": associated,
            "UnsuccessfulFaceAssociations": failed,
            "UserStatus": "ACTIVE",
        }

    def op_delete_user(self, params: dict[str, Any]) -> dict[str, Any]:
        collection = self._collection(params)
        if collection.users.pop(params["UserId"], None) is None:
            raise ServiceError("ResourceNotFoundException", "User not found")
        for face in collection.faces.values():
            if face.get("UserId") == params["UserId"]:
                face.pop("UserId")
        return {}

    def op_delete_faces(self, params: dict[str, Any]) -> dict[str, Any]:
        collection = self._collection(params)
        deleted = [face_id for face_id in params["FaceIds"] if collection.faces.pop(face_id, None)]
        return {"DeletedFaces": deleted}

    def op_list_users(self, params: dict[str, Any]) -> dict[str, Any]:
        collection = self._collection(params)
        return {
            "Users": [
                {"UserId": uid, "UserStatus": status}
                for uid, status in sorted(collection.users.items())
            ]
        }

    def op_list_faces(self, params: dict[str, Any]) -> dict[str, Any]:
        collection = self._collection(params)
        faces = [
            {k: v for k, v in face.items() if k != "who"}
            for face in collection.faces.values()
            if "UserId" not in params or face.get("UserId") == params["UserId"]
        ]
        return {"Faces": faces, "FaceModelVersion": "7.0"}

    def _user_matches(
        self, collection: Collection, who: str, threshold: float, limit: int
    ) -> list[dict[str, Any]]:
        best: dict[str, float] = {}
        for face in collection.faces.values():
            if (user_id := face.get("UserId")) is not None:
                best[user_id] = max(best.get(user_id, 0.0), similarity(face["who"], who))
        ranked = sorted(((s, u) for u, s in best.items() if s >= threshold), reverse=True)[:limit]
        return [{"Similarity": s, "User": {"UserId": u, "UserStatus": "ACTIVE"}} for s, u in ranked]

    def op_search_users_by_image(self, params: dict[str, Any]) -> dict[str, Any]:
        collection = self._collection(params)
        faces = sorted(detect(self._image(params)), key=lambda f: f.area, reverse=True)
        if not faces:
            return {"UserMatches": [], "FaceModelVersion": "7.0", "UnsearchedFaces": []}
        largest = faces[0]
        return {
            "UserMatches": self._user_matches(
                collection,
                largest.who,
                params.get("UserMatchThreshold", 80.0),
                params.get("MaxUsers", 100),
            ),
            "FaceModelVersion": "7.0",
            "SearchedFace": {"FaceDetail": largest.detail()},
            "UnsearchedFaces": [
                {"FaceDetails": face.detail(), "Reasons": ["FACE_NOT_LARGEST"]}
                for face in faces[1:]
            ],
        }

    def op_detect_faces(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"FaceDetails": [face.detail() for face in detect(self._image(params))]}

    def op_search_faces_by_image(self, params: dict[str, Any]) -> dict[str, Any]:
        """The seed design's call: largest face only, an error when there is none."""
        collection = self._collection(params)
        faces = sorted(detect(self._image(params)), key=lambda f: f.area, reverse=True)
        if not faces:
            raise ServiceError("InvalidParameterException", "There are no faces in the image.")
        largest, threshold = faces[0], params.get("FaceMatchThreshold", 80.0)
        matches = [
            {
                "Similarity": similarity(face["who"], largest.who),
                "Face": {k: v for k, v in face.items() if k != "who"},
            }
            for face in collection.faces.values()
            if similarity(face["who"], largest.who) >= threshold
        ]
        return {
            "SearchedFaceBoundingBox": largest.box(),
            "SearchedFaceConfidence": 99.9,
            "FaceMatches": matches[: params.get("MaxFaces", 100)],
            "FaceModelVersion": "7.0",
        }

    # Fault injection.
    def take_fault(self, operation: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.operation in (operation, "*"):
                    fault.count -= 1
                    if fault.count <= 0:
                        self.faults.remove(fault)
                    return fault
        return None


class _Handler(BaseHTTPRequestHandler):
    server: RekognitionServer
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes: without this, Nagle's algorithm and the
        # client's delayed ACK add 40 ms to every answer (a test-server artefact, not AWS's).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.connections.add(self.connection)

    def finish(self) -> None:
        self.server.connections.discard(self.connection)
        with contextlib.suppress(OSError):  # the client hung up first
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def _reply(
        self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _reply_sts(self, form: dict[str, list[str]]) -> None:
        """STS's query protocol: enough of GetCallerIdentity for the account flow's check."""
        action = form.get("Action", [""])[0]
        self.server.service.calls[action] += 1
        if action != "GetCallerIdentity":
            self.send_error(400, f"unsupported STS action {action}")
            return
        data = (
            '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
            "<GetCallerIdentityResult>"
            f"<Arn>arn:aws:iam::{ACCOUNT_ID}:user/intruder-alert</Arn>"
            "<UserId>AIDAEXAMPLEUSERID</UserId>"
            f"<Account>{ACCOUNT_ID}</Account>"
            "</GetCallerIdentityResult>"
            f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata>"
            "</GetCallerIdentityResponse>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        service = self.server.service
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if "X-Amz-Target" not in self.headers:
            # botocore sends STS here too when AWS_ENDPOINT_URL points at this server.
            self._reply_sts(urllib.parse.parse_qs(body.decode()))
            return
        operation = self.headers.get("X-Amz-Target", ".").split(".", 1)[1]
        service.calls[operation] += 1
        if service.latency:
            service.stopping.wait(service.latency)
        fault = service.take_fault(operation)
        if fault is not None:
            if fault.kind == "slow":
                service.stopping.wait(fault.seconds)
            elif fault.kind == "drop":
                self.close_connection = True
                self.connection.shutdown(2)
                return
            elif fault.kind == "throttle":
                self._reply(400, {"__type": "ThrottlingException", "message": "Rate exceeded"})
                return
            elif fault.kind == "error500":
                self._reply(
                    500, {"__type": "InternalServerError", "message": "Internal server error"}
                )
                return
            elif fault.kind == "denied":
                collection = json.loads(body or b"{}").get("CollectionId")
                self._reply(
                    400,
                    {
                        "__type": "AccessDeniedException",
                        "message": denied_message(operation, collection),
                    },
                )
                return
        access_key = re.search(r"Credential=([^/]+)/", self.headers.get("Authorization", ""))
        if access_key and access_key.group(1) in service.revoked_keys:
            self._reply(
                400,
                {
                    "__type": "UnrecognizedClientException",
                    "message": "The security token included in the request is invalid.",
                },
            )
            return
        try:
            result = service.handle(operation, json.loads(body or b"{}"))
        except ServiceError as err:
            self._reply(err.status, {"__type": err.code, "message": str(err)})
            return
        self._reply(200, result)

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except BrokenPipeError, ConnectionResetError:
            # The client gave up (read timeout) before the slow answer was written.
            self.close_connection = True


class RekognitionServer(ThreadingHTTPServer):
    """Serve FakeRekognition on 127.0.0.1 (a free port) in a background thread."""

    # Handler threads are joined on close, so no test leaves one behind.
    daemon_threads = False
    block_on_close = True

    def __init__(self, service: FakeRekognition | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.service = service or FakeRekognition()
        # Open client connections: botocore keeps them alive, so closing must cut them.
        self.connections: set[Any] = set()
        self._thread = threading.Thread(
            target=self.serve_forever, name="fake-rekognition", daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> RekognitionServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.service.stopping.set()
        self.shutdown()
        for connection in list(self.connections):
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self.server_close()
        self._thread.join()


class RealFacesRekognition(FakeRekognition):
    """The same protocol, with identities decided by the offline backend (dlib) on real photos."""

    def __init__(self) -> None:
        super().__init__()
        from custom_components.intruder_alert.engine.local import LocalFaces

        self.local = LocalFaces()

    def handle(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        from custom_components.intruder_alert.engine.errors import EngineError, NotFoundError

        local, cid = self.local, params.get("CollectionId", "")
        image = base64.b64decode(params["Image"]["Bytes"]) if "Image" in params else b""
        try:
            if operation in ("CreateCollection", "DescribeCollection"):
                info = (
                    local.ensure_collection(cid)
                    if operation == "CreateCollection"
                    else local.describe_collection(cid)
                )
                return {
                    "StatusCode": 200,
                    "CollectionArn": cid,
                    "CollectionARN": cid,
                    "FaceModelVersion": info.face_model_version,
                    "FaceCount": info.face_count,
                    "UserCount": info.user_count,
                }
            if operation == "SearchUsersByImage":
                return local.search_users(cid, image, params.get("UserMatchThreshold", 80.0))
            if operation == "SearchFacesByImage":
                # The strangers' collection: faces of no user, named by ExternalImageId.
                answer = local.search_faces(cid, image, params.get("FaceMatchThreshold", 80.0))
                if "SearchedFaceBoundingBox" not in answer:
                    raise ServiceError(
                        "InvalidParameterException",
                        "There are no faces in the image. Should be at least 1.",
                    )
                answer["FaceMatches"] = answer["FaceMatches"][: params.get("MaxFaces", 100)]
                return answer
            if operation == "DetectFaces":
                return {"FaceDetails": local.detect_faces(image)}
            if operation == "IndexFaces":
                answer = local.index_face(cid, {"Bytes": image}, params.get("ExternalImageId", ""))
                for record in answer["FaceRecords"]:
                    record["Face"]["ExternalImageId"] = params.get("ExternalImageId", "")
                return answer
            if operation == "CreateUser":
                if not local.create_user(cid, params["UserId"]):
                    raise ServiceError("ConflictException", "User already exists")
                return {}
            if operation == "AssociateFaces":
                return local.associate_face(cid, params["UserId"], params["FaceIds"][0])
            if operation == "DeleteUser":
                local.delete_user(cid, params["UserId"])
                return {}
            if operation == "DeleteFaces":
                local.delete_faces(cid, params["FaceIds"])
                return {"DeletedFaces": params["FaceIds"]}
            if operation == "ListUsers":
                return {"Users": local.list_users(cid)}
            if operation == "ListFaces":
                return {"Faces": local.list_faces(cid, params.get("UserId"))}
        except NotFoundError as err:
            raise ServiceError("ResourceNotFoundException", str(err)) from err
        except EngineError as err:
            raise ServiceError("InvalidParameterException", str(err)) from err
        raise ServiceError("UnknownOperationException", operation)
