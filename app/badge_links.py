"""The edge's side of the badges service: absolute public URLs of the Open Badges documents
(PUBLIC_BASE_URL when set, else the request's host) and the issuer named in them."""

from email.utils import parseaddr

from flask import current_app

from app.extensions import db
from app.models import BadgeAssertion
from app.security import external_url
from app.services import badges
from app.services.program import settings as settings_service

ENDPOINTS = {"issuer": "public.badge_issuer", "class": "public.badge_class", "image": "public.badge_image",
             "assertion": "public.badge_assertion", "revocations": "public.badge_revocations",
             "home": "public.index", "page": "public.badge_page"}


def links(kind: str, **values) -> str:
    return external_url(ENDPOINTS[kind], **values)


def issuer() -> badges.Issuer:
    email = current_app.config.get("BADGE_ISSUER_EMAIL") or parseaddr(current_app.config["MAIL_FROM"])[1]
    return badges.Issuer(settings_service.load(db.session).values["program_name"], email)


def linkedin(record: BadgeAssertion, who: badges.Issuer | None = None) -> str:
    return badges.linkedin_url(record, who or issuer(), links("page", uid=record.uid))
