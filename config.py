"""Configuration classes: values come from the environment, with safe development defaults."""

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _sqlite_url(name: str) -> str:
    return f"sqlite:///{INSTANCE_DIR / name}"


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret-change-me")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", _sqlite_url("rallypoint.db"))
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(INSTANCE_DIR / "uploads"))
    # Hard cap on any request body; the per-file evidence limit is a program setting below this.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 12 * 1024 * 1024))
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None
    INVITE_MAX_AGE_DAYS = int(os.environ.get("INVITE_MAX_AGE_DAYS", 14))
    # Sign-in throttling (also password-change checks and reset requests): attempts allowed for one
    # email from one client address, and for one address over all emails, per window. Nothing is
    # counted per email alone, so nobody can lock the owner out from another address.
    LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", 5))
    LOGIN_MAX_FAILURES_PER_IP = int(os.environ.get("LOGIN_MAX_FAILURES_PER_IP", 100))
    LOGIN_WINDOW_MINUTES = int(os.environ.get("LOGIN_WINDOW_MINUTES", 15))
    # Where emailed links point (e.g. https://advocates.example.com). Set it in production, so a
    # password-reset link never takes its host from a request's Host header.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
    # Referral landing page: submissions per client (keyed hash of the IP) within the window.
    REFERRAL_MAX_PER_CLIENT = 10
    REFERRAL_CLIENT_WINDOW_MINUTES = 60
    # JSON API: requests per key in any 60 seconds (a sliding window counted in the database, so every
    # process agrees; app/services/api_rate.py).
    API_RATE_LIMIT_PER_MINUTE = int(os.environ.get("API_RATE_LIMIT_PER_MINUTE", 600))
    # Requests per embed per minute, counted in each process (a 429 with Retry-After past it).
    EMBED_RATE_LIMIT_PER_MINUTE = int(os.environ.get("EMBED_RATE_LIMIT_PER_MINUTE", 600))
    # How long a write's Idempotency-Key is remembered (its stored response replayed); the purge_api_records
    # job deletes older records. An integration contract with API clients, like the rate limit above.
    API_IDEMPOTENCY_RETENTION_HOURS = int(os.environ.get("API_IDEMPOTENCY_RETENTION_HOURS", 24))
    PASSWORD_HASHER = "argon2"  # noqa: S105 (a profile name, not a secret)
    SCHEDULER_ENABLED = os.environ.get("SCHEDULER_ENABLED", "0") == "1"
    # A running job's lease lasts this long and its heartbeat renews it this often, so a scheduler
    # that dies frees its jobs within one lease; the catch-up check (every SCHEDULER_CATCH_UP_SECONDS)
    # then runs any job whose latest due time went unserved.
    SCHEDULER_LEASE_SECONDS = float(os.environ.get("SCHEDULER_LEASE_SECONDS", 60))
    SCHEDULER_HEARTBEAT_SECONDS = float(os.environ.get("SCHEDULER_HEARTBEAT_SECONDS", 15))
    SCHEDULER_CATCH_UP_SECONDS = float(os.environ.get("SCHEDULER_CATCH_UP_SECONDS", 30))
    # Staging and tests only: every job every N seconds instead of its own interval (0: off).
    SCHEDULER_INTERVAL_SECONDS = int(os.environ.get("SCHEDULER_INTERVAL_SECONDS", 0))
    # Email: without MAIL_SERVER nothing is sent; messages wait in the admin outbox view.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 587))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "1") == "1"
    MAIL_FROM = os.environ.get("MAIL_FROM", "Rallypoint <rallypoint@localhost>")
    # The contact address in the public Open Badges issuer profile (empty: MAIL_FROM's address).
    BADGE_ISSUER_EMAIL = os.environ.get("BADGE_ISSUER_EMAIL", "")
    # Webhooks out: allow endpoints on private, loopback and link-local addresses (tests, an internal
    # receiver on the same network). Off by default: an admin could otherwise aim requests inside.
    WEBHOOKS_ALLOW_PRIVATE = os.environ.get("WEBHOOKS_ALLOW_PRIVATE", "0") == "1"
    # The weekly Slack post: allow any http(s) webhook URL, private and loopback addresses included
    # (a local receiver in tests or staging). Off: only https://hooks.slack.com/services/… is accepted.
    SLACK_ALLOW_PRIVATE = os.environ.get("SLACK_ALLOW_PRIVATE", "0") == "1"
    # Number of proxies in front of the app (for the real client IP used by login throttling).
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", 0))
    # `flask seed demo` (200 accounts sharing a published password) only outside production.
    DEMO_ALLOWED = True
    # The Strict-Transport-Security header's value; empty sends none (development and tests run on
    # plain http://localhost, which a browser must not be told to refuse).
    STRICT_TRANSPORT_SECURITY = ""


class DevelopmentConfig(Config):
    DEBUG = False


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"  # noqa: S105 (tests only)
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    PASSWORD_HASHER = "fast"  # noqa: S105
    MAIL_SERVER = ""  # tests that deliver configure their own server


class ProductionConfig(Config):
    DEMO_ALLOWED = False
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-session"
    PREFERRED_URL_SCHEME = "https"
    # Browsers keep to HTTPS for a year, subdomains included; STRICT_TRANSPORT_SECURITY in the
    # environment replaces it (empty sends none; a short max-age first is the cautious way in).
    HSTS_DEFAULT = "max-age=31536000; includeSubDomains"

    def __init__(self) -> None:
        missing = [name for name in ("SECRET_KEY", "DATABASE_URL") if not os.environ.get(name)]
        if missing:
            raise RuntimeError(f"Production needs {', '.join(missing)} in the environment.")
        self.SECRET_KEY = os.environ["SECRET_KEY"]
        self.SQLALCHEMY_DATABASE_URI = os.environ["DATABASE_URL"]
        self.STRICT_TRANSPORT_SECURITY = os.environ.get("STRICT_TRANSPORT_SECURITY", self.HSTS_DEFAULT)


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def config_from_env():
    name = os.environ.get("RALLYPOINT_ENV", "development")
    cls = CONFIGS[name]
    return cls() if cls is ProductionConfig else cls
