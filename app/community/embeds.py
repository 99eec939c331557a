"""/embed/<token>: an iframe-friendly leaderboard or community feed page, or the same rows as JSON for
the allowed origins.

Framing and CORS are per embed: `frame-ancestors` lists exactly its allowed origins (no
X-Frame-Options, which cannot name origins) and Access-Control-Allow-Origin echoes an allowed
Origin only, on answers and on the CORS preflight. Each embed has a request limit (429 with
Retry-After); an expired embed answers 404 like a revoked one. The answer is the same for everyone,
so it is public for a minute and has an ETag."""

from flask import abort, current_app, g, jsonify, make_response, render_template, request

from app.community import bp
from app.extensions import db, login_manager
from app.services import clock
from app.services.community import EmbedLimiter, embeds
from app.services.errors import NotFound

CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
       "frame-ancestors {ancestors}")
PERIOD_LABELS = {"week": "This week", "month": "This month", "all_time": "All time"}


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    accepted = request.accept_mimetypes
    return best == "application/json" and accepted[best] > accepted["text/html"]


def _shown(token: str):
    """The live embed of the token (else 404), counted against its rate limit (else 429)."""
    now = clock.utcnow()
    try:
        shown = embeds.embed_for_token(db.session, token=token, secret=current_app.config["SECRET_KEY"],
                                       now=now)
    except NotFound:
        abort(404)
    limiter = current_app.extensions.setdefault(
        "embed_limiter", EmbedLimiter(current_app.config["EMBED_RATE_LIMIT_PER_MINUTE"]))
    wait = limiter.take(shown.id, now=now)
    if wait:
        message = f"Too many requests for this embed; retry in {wait} second{'' if wait == 1 else 's'}."
        response = jsonify(error={"code": "rate_limited", "message": message, "field": None}) \
            if wants_json() else make_response(message, 429, {"Content-Type": "text/plain; charset=utf-8"})
        response.status_code, response.headers["Retry-After"] = 429, str(wait)
        abort(response)
    return shown


@bp.route("/embed/<token>", methods=["OPTIONS"])
def embed_preflight(token: str):
    """A CORS preflight (a fetch with If-None-Match asks one): allowed origins only, else 403."""
    shown = _shown(token)
    origin = (request.headers.get("Origin") or "").lower().rstrip("/")
    if origin not in shown.allowed_origins:
        abort(403)
    response = make_response("", 204)
    response.headers.update({"Access-Control-Allow-Origin": request.headers["Origin"],
                             "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
                             "Access-Control-Allow-Headers": "Accept, If-None-Match",
                             "Access-Control-Max-Age": "600"})
    response.vary.add("Origin")
    return response


@bp.get("/embed/<token>", provide_automatic_options=False)
def embed(token: str):
    shown = _shown(token)
    # Public and the same for everyone: no X-Frame-Options (app/__init__.py; frame-ancestors decides),
    # and the visitor counts as anonymous without their sign-in being loaded (Flask-Login reads
    # g._login_user first), so their session is neither touched nor sent back on a cacheable answer.
    g.frameable = True
    g._login_user = login_manager.anonymous_user()
    if shown.kind == "feed":
        rows = embeds.feed_rows(db.session, embed=shown)
        response = (jsonify(name=shown.name, what="feed", items=[r.as_json() for r in rows]) if wants_json()
                    else make_response(render_template("community/embed_feed.html", embed=shown, items=rows)))
    else:
        rows = embeds.embed_rows(db.session, embed=shown, now=clock.utcnow())
        response = (jsonify(name=shown.name, period=shown.period.value, rows=[vars(r) for r in rows])
                    if wants_json() else make_response(render_template(
                        "community/embed.html", embed=shown, rows=rows,
                        period_label=PERIOD_LABELS[shown.period.value])))
    return _headers(response, shown, embeds.rows_etag(shown, rows), json=wants_json())


@bp.teardown_request
def _forget_visitor(_error):
    """Drop this request's marks: `g` belongs to the app context, which outlives a request in tests
    and scripts (and the next request must load its own visitor)."""
    g.pop("frameable", None)
    g.pop("_login_user", None)


def _headers(response, shown, etag: str, *, json: bool):
    response.headers["Content-Security-Policy"] = CSP.format(
        ancestors=" ".join(shown.allowed_origins) or "'none'")
    response.headers["Cache-Control"] = "public, max-age=60"
    response.vary.update(("Accept", "Origin"))
    origin = request.headers.get("Origin")
    if json and origin and origin.lower().rstrip("/") in shown.allowed_origins:
        response.headers["Access-Control-Allow-Origin"] = origin
    response.set_etag(("j-" if json else "h-") + etag)
    return response.make_conditional(request)
