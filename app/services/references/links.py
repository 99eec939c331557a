"""The signed links of a reference ask's email: the advocate answers without signing in. A token
names the ask and its advocate; it works while the ask waits for an answer (answering is a
guarded move, so a link acts once)."""

import hashlib
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer

from app.services.errors import NotFound

SALT = "reference-answer-v1"


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=SALT, signer_kwargs={"digest_method": hashlib.sha256})


@dataclass(frozen=True)
class AnswerLinks:
    """Made at the edge: the app's secret and the public address the email links point at."""

    secret: str
    base_url: str

    def token(self, ask_id: int, advocate_id: int) -> str:
        return _serializer(self.secret).dumps([ask_id, advocate_id])

    def url(self, ask_id: int, advocate_id: int) -> str:
        return f"{self.base_url.rstrip('/')}/reference-answer/{self.token(ask_id, advocate_id)}"


def read_token(secret: str, token: str) -> tuple[int, int]:
    """(ask id, advocate id) of a token; NotFound when it was not signed by us."""
    try:
        ask_id, advocate_id = _serializer(secret).loads(token)
    except (BadSignature, ValueError, TypeError):
        raise NotFound("This link is not valid.") from None
    return int(ask_id), int(advocate_id)
