"""Application factory: the one place where Rallypoint is wired together."""

from pathlib import Path

from flask import Flask, g
from flask_login import current_user

from app import cli, confirmation, errors, security, template_helpers
from app.db import sqlite, transactions
from app.extensions import csrf, db, migrate
from app.services.messaging import notifications
from app.services.people import passwords
from app.services.program import brand as program_brand
from app.services.program import settings as settings_service

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def create_app(config=None) -> Flask:
    app = Flask(__name__, instance_path=str(Path(__file__).resolve().parent.parent / "instance"))
    load_config(app, config)
    register_extensions(app)
    register_blueprints(app)
    errors.init_app(app)
    cli.init_app(app)
    template_helpers.init_app(app)
    confirmation.init_app(app)
    register_request_hooks(app)
    return app


def load_config(app: Flask, config) -> None:
    if config is None:
        from config import config_from_env

        config = config_from_env()
    app.config.from_object(config)
    Path(app.instance_path).mkdir(exist_ok=True)
    Path(app.config["UPLOAD_FOLDER"]).mkdir(parents=True, exist_ok=True)
    passwords.use_profile(app.config["PASSWORD_HASHER"])
    program_brand.use_public_base_url(app.config.get("PUBLIC_BASE_URL"))
    if app.config.get("PROXY_COUNT"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    with app.app_context():
        sqlite.configure(db.engine)
    transactions.init_app(app, lambda: db.session)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    security.init_app(app)


def register_blueprints(app: Flask) -> None:
    from app.admin import bp as admin_bp
    from app.api import bp as api_bp
    from app.community import bp as community_bp
    from app.portal import bp as portal_bp
    from app.public import bp as public_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(community_bp)
    app.register_blueprint(portal_bp, url_prefix="/portal")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(api_bp, url_prefix="/api/v1")


def register_request_hooks(app: Flask) -> None:
    @app.context_processor
    def _program():
        cfg = settings_service.load(db.session)
        g.timezone = cfg.timezone
        unread = 0
        if current_user.is_authenticated:
            unread = notifications.unread_count(db.session, **notifications.recipient_of(current_user))
        return {"program": cfg, "unread_notifications": unread}

    @app.after_request
    def _headers(response):
        for name, value in SECURITY_HEADERS.items():
            if name == "X-Frame-Options" and g.get("frameable"):
                continue  # an embed: its own frame-ancestors names who may frame it
            response.headers.setdefault(name, value)
        if app.config.get("STRICT_TRANSPORT_SECURITY"):  # production only (config.py)
            response.headers.setdefault("Strict-Transport-Security", app.config["STRICT_TRANSPORT_SECURITY"])
        if "text/html" in response.content_type and current_user.is_authenticated:
            response.headers.setdefault("Cache-Control", "no-store")
        return response
