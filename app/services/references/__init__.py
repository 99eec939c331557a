"""References (SPEC §10): advocates' reference profiles (profiles), sales' requests (requests),
matching them with advocates by fit and rest (matching), the chain of asks through the governor
and its timeout sweep (chain), the call's feedback and points (completion), the signed email links
(links) and what staff and advocates read, with the program figures (reports)."""

from app.services.references.chain import answer, ask_next, expire_due, get_request, send_ask
from app.services.references.completion import advocate_feedback, complete, points_for
from app.services.references.links import AnswerLinks, read_token
from app.services.references.matching import WEIGHTS, Match, find_matches, fit, reference_activity
from app.services.references.profiles import normalise_tags, profile_of, set_profile
from app.services.references.reports import (
    ReferenceFigures,
    ask_for,
    asks_of,
    figures,
    request_detail,
    requests_list,
)
from app.services.references.requests import RequestFields, file_request

__all__ = [
    "WEIGHTS", "AnswerLinks", "Match", "ReferenceFigures", "RequestFields", "advocate_feedback", "answer",
    "ask_for",
    "ask_next", "asks_of", "complete", "expire_due", "figures", "file_request", "find_matches", "fit",
    "get_request", "normalise_tags", "points_for", "profile_of", "read_token", "reference_activity",
    "request_detail", "requests_list", "send_ask", "set_profile",
]
