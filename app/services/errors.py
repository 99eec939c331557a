"""Domain errors. The edge maps them to a flash message or field error (HTML) or a JSON envelope (API)."""


class DomainError(Exception):
    code = "domain_error"
    http_status = 400

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    code = "not_found"
    http_status = 404


class Forbidden(DomainError):
    code = "forbidden"
    http_status = 403


class Conflict(DomainError):
    code = "conflict"
    http_status = 409


class InvalidTransition(Conflict):
    code = "invalid_transition"


class ValidationFailed(DomainError):
    code = "validation_failed"
    http_status = 422


class RateLimited(DomainError):
    code = "rate_limited"
    http_status = 429

    def __init__(self, message: str, *, field: str | None = None, retry_after: int | None = None):
        super().__init__(message, field=field)
        self.retry_after = retry_after  # seconds, for a Retry-After header


class Unauthorized(DomainError):
    code = "unauthorized"
    http_status = 401
