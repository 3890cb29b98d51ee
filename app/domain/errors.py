"""The one error family a user ever sees. Each carries a Danish message and, where it applies,
the field it concerns, so a form can show it next to that field and the API can name it."""

from typing import Any


class DomainError(Exception):
    """A rule said no. ``message`` is for the user, in Danish."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(DomainError):
    status_code = 422


class NotFound(DomainError):
    status_code = 404


class Forbidden(DomainError):
    status_code = 403


class NotAllowedNow(DomainError):
    """The action is allowed for this user, but not in the object's current state."""

    status_code = 409


class Conflict(DomainError):
    """A save was based on a version that someone else has since changed."""

    status_code = 409

    def __init__(self, message: str, *, current: dict[str, Any], field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.current = current
