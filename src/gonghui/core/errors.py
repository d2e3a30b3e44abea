"""Domain errors with stable codes and Chinese messages, raised by services."""

from __future__ import annotations

__all__ = ["DomainError", "ConflictError", "NotFound", "PermissionDeniedError"]


class DomainError(Exception):
    """A refused domain action: `code` is stable for integrations, `message` is shown as is."""

    status = 400

    def __init__(self, code: str, message: str, **extra: object) -> None:
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.extra = extra

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, **self.extra}


class ConflictError(DomainError):
    status = 409


class PermissionDeniedError(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404
