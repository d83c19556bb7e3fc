"""The small set of failures the Home Assistant glue can act on."""

from __future__ import annotations


class EngineError(Exception):
    """Base class of every error the engine raises."""


class AuthError(EngineError):
    """The credentials are invalid, expired or revoked (the glue starts reauth)."""


class AccessDeniedError(EngineError):
    """The credentials are valid but lack an IAM permission."""

    def __init__(self, permission: str, message: str = "") -> None:
        """Remember which permission (``service:Action``) was missing."""
        super().__init__(message or f"Missing permission {permission}")
        self.permission = permission


class NotFoundError(EngineError):
    """A collection (or a person in it) no longer exists."""

    def __init__(self, resource: str, message: str = "") -> None:
        """Remember which resource is missing."""
        super().__init__(message or f"{resource} not found")
        self.resource = resource


class UnavailableError(EngineError):
    """The service could not answer in time: throttling, 5xx, timeouts, no connection."""


class RegionNotSupportedError(EngineError):
    """The service does not exist in the chosen region."""


class BadImageError(EngineError):
    """The image cannot be used: not an image, too small, too large, corrupt."""


class InvalidRequestError(EngineError):
    """The request itself was refused for a reason the caller must fix."""

    def __init__(self, message: str, code: str = "") -> None:
        """Keep AWS's error code, when there is one, next to the message."""
        super().__init__(message)
        self.code = code


class InvalidNameError(InvalidRequestError):
    """A person's name cannot be used (empty, too long, control characters)."""


class ConflictError(InvalidRequestError):
    """The resource already exists or is being changed (Rekognition's ConflictException)."""


class EnrolmentError(EngineError):
    """The image cannot enrol a person: no face, several faces, or faces Rekognition refused."""

    def __init__(self, reason: str, message: str) -> None:
        """``reason`` is a stable key the glue translates; ``message`` says it in English."""
        super().__init__(message)
        self.reason = reason
