"""Open Badges 2.0 hosted-verification documents: issuer profile, badge classes, assertions and the
revocation list (https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html).

`links` turns a document kind into its absolute public URL: links("issuer"), links("class",
status=...), links("image", status=...), links("assertion", uid=...), links("revocations"),
links("home"). The edge builds it from PUBLIC_BASE_URL or the request; this module never imports
Flask. No document holds an email in clear: the recipient is a salted sha256 hash.
"""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from app.models import BadgeAssertion, Status
from app.services.badges.assertions import hashed_email

CONTEXT = "https://w3id.org/openbadges/v2"
Links = Callable[..., str]


@dataclass
class Issuer:
    name: str
    email: str


def _iso(moment) -> str:
    return moment.replace(microsecond=0).isoformat() + "Z"


def issuer(who: Issuer, links: Links) -> dict:
    return {"@context": CONTEXT, "type": "Issuer", "id": links("issuer"), "name": who.name,
            "url": links("home"), "email": who.email, "revocationList": links("revocations")}


def badge_class(status: Status, who: Issuer, criteria: str, links: Links) -> dict:
    return {"@context": CONTEXT, "type": "BadgeClass", "id": links("class", status=status.value),
            "name": f"{who.name} {status.label} advocate",
            "description": f"Holds {status.label} status in the {who.name} customer advocacy program.",
            "image": links("image", status=status.value),
            "criteria": {"narrative": criteria}, "issuer": links("issuer")}


def assertion(record: BadgeAssertion, links: Links) -> dict:
    """The hosted assertion. A revoked one (served with 410 Gone) carries only what the spec asks of
    it, its id and `revoked`, plus the reason: no recipient, so nothing links it to a person."""
    if record.revoked:
        return {"@context": CONTEXT, "type": "Assertion", "id": links("assertion", uid=record.uid),
                "revoked": True, "revocationReason": record.revocation_reason}
    return {"@context": CONTEXT, "type": "Assertion", "id": links("assertion", uid=record.uid),
            "recipient": {"type": "email", "hashed": True, "salt": record.salt,
                          "identity": hashed_email(record.advocate.email, record.salt)},
            "badge": links("class", status=record.status.value),
            "issuedOn": _iso(record.issued_at), "verification": {"type": "hosted"},
            "image": links("image", status=record.status.value)}


def revocation_list(records: list[BadgeAssertion], links: Links) -> dict:
    return {"@context": CONTEXT, "type": "RevocationList", "id": links("revocations"),
            "issuer": links("issuer"),
            "revokedAssertions": [{"id": links("assertion", uid=r.uid), "revocationReason":
                                   r.revocation_reason} for r in records]}


def linkedin_url(record: BadgeAssertion, who: Issuer, cert_url: str) -> str:
    """LinkedIn's add-to-profile link for a certification."""
    query = {"startTask": "CERTIFICATION_NAME", "name": f"{who.name} {record.status.label} advocate",
             "organizationName": who.name, "issueYear": record.issued_at.year,
             "issueMonth": record.issued_at.month, "certUrl": cert_url, "certId": record.uid}
    return "https://www.linkedin.com/profile/add?" + urlencode(query)
