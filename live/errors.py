"""Domain errors. Services raise these; live/http/errors.py and live/realtime/acks.py map
them to HTTP statuses and socket acks in one place each."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain said no. ``code`` is the stable machine-readable error."""

    code = "bad_request"
    status = 400

    def __init__(self, detail: str = "", *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(detail or self.code)
        self.detail = detail or self.code
        self.field = field
        if code is not None:
            self.code = code

    def extra(self) -> dict[str, object]:
        """Fields beyond code and detail that a reader's page needs (e.g. how long a mute lasts)."""
        return {}


class Invalid(DomainError):
    code = "invalid"
    status = 400


class Unauthenticated(DomainError):
    code = "unauthenticated"
    status = 401


class BadCredentials(DomainError):
    code = "bad_credentials"
    status = 401


class Forbidden(DomainError):
    code = "forbidden"
    status = 403


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Conflict(DomainError):
    code = "conflict"
    status = 409


class BadTransition(Conflict):
    code = "bad_transition"


class TooManyAttempts(DomainError):
    code = "too_many_attempts"
    status = 429


class RateLimited(DomainError):
    code = "rate_limited"
    status = 429


class Unavailable(DomainError):
    code = "unavailable"
    status = 503


class Gone(DomainError):
    code = "gone"
    status = 410


class TooLarge(DomainError):
    """An upload bigger than its limit."""

    code = "too_large"
    status = 413
