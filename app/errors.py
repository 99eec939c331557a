"""App-wide error handling: HTML pages for people, a JSON envelope under /api."""

from urllib.parse import urlsplit

from flask import flash, jsonify, redirect, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.extensions import db
from app.security import safe_next_url
from app.services.errors import DomainError, RateLimited

MESSAGES = {
    400: "The request could not be understood.",
    403: "You do not have access to this page.",
    404: "We could not find that page.",
    405: "That action is not allowed here.",
    413: "That upload is too large.",
    429: "Too many requests. Please wait a moment and try again.",
    500: "Something went wrong on our side. Nothing was changed.",
}

# Envelope codes for plain HTTP errors under /api (DomainErrors carry their own code).
CODES = {400: "malformed", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         409: "conflict", 413: "too_large", 415: "unsupported_media_type", 422: "validation_failed",
         429: "rate_limited", 500: "server_error"}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _json_error(status: int, code: str, message: str, field: str | None = None):
    return jsonify({"error": {"code": code, "message": message, "field": field}}), status


def _page(status: int, message: str | None = None):
    message = message or MESSAGES.get(status, "Something went wrong.")
    if _wants_json():
        return _json_error(status, CODES.get(status, f"http_{status}"), message)
    return render_template("errors/error.html", status=status, message=message), status


def _same_site_referrer() -> str | None:
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host:
        return None
    return safe_next_url(referrer.path + (f"?{referrer.query}" if referrer.query else ""))


def init_app(app) -> None:
    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError):
        db.session.rollback()
        if _wants_json():
            response = _json_error(error.http_status, error.code, error.message, error.field)
            if isinstance(error, RateLimited) and error.retry_after:
                response[0].headers["Retry-After"] = str(error.retry_after)
            return response
        if request.method == "GET":
            return _page(error.http_status, error.message)
        flash(error.message, "error")
        return redirect(_same_site_referrer() or "/")

    @app.errorhandler(CSRFError)
    def _csrf_error(error):
        return _page(400, "Your form expired or was sent from elsewhere. Reload the page and try again.")

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        return _page(error.code or 500, MESSAGES.get(error.code))

    @app.errorhandler(500)
    def _server_error(error):
        db.session.rollback()
        return _page(500)
