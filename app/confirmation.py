"""Irreversible one-click actions ask first, for every client.

Each action's question is written once, in ACTIONS. A page renders the button with the
`confirm_button` macro (templates/_macros/confirm.html), which puts the question on the form as
`data-confirm…` attributes; static/js/confirm.js asks it in a native <dialog> and, on Confirm,
sends the form with `confirmed=yes`. The route calls `ask_first` before acting: without that field
(no JavaScript, an old page, a script) it renders the confirmation page instead of acting, and that
page's Confirm button sends the same fields again with `confirmed=yes`.
"""

from dataclasses import dataclass

from flask import Response, render_template, request

CONFIRMED = "confirmed"


@dataclass(frozen=True)
class Confirmation:
    title: str
    message: str
    confirm_label: str


ACTIONS = {
    "archive_content": Confirmation(
        "Archive “{title}”?",
        "It leaves the community feed and every feed embed at once and is never exported again. "
        "Its consent history is kept.", "Archive item"),
    "hide_feed_item": Confirmation(
        "Hide this feed item?",
        "“{text}” disappears from the portal's community feed and every feed embed at once. "
        "You can show it again from this list.", "Hide item"),
    "delete_webhook": Confirmation(
        "Delete the webhook endpoint {url}?",
        "Its events waiting to be delivered are dropped and it receives nothing more; its delivery log "
        "goes with it. To receive events there again you would add the endpoint again (new secret).",
        "Delete endpoint"),
    "rotate_webhook_secret": Confirmation(
        "Rotate the signing secret of {url}?",
        "A new secret is shown once. For 24 hours each request is signed with both the new and the old "
        "secret, so the receiver keeps verifying while you give it the new one; after that only the new "
        "secret signs.", "Rotate secret"),
    "revoke_embed": Confirmation(
        "Revoke the embed “{name}”?",
        "Every site showing it gets “not found” from now on. A revoked embed cannot be turned back on: "
        "you would create a new one and give its snippet to the sites.", "Revoke embed"),
    "revoke_key": Confirmation(
        "Revoke the API key “{name}”?",
        "Anything using this key is refused from its next request. A revoked key cannot be turned "
        "back on: you would create a new key and give it to whoever needs it.", "Revoke key"),
    "archive_mission": Confirmation(
        "Archive “{title}”?",
        "Advocates stop seeing it at once; nobody can start it and it cannot be pushed. Attempts "
        "already made are kept, and you can restore it from the archived missions.", "Archive mission"),
    "drop_ask": Confirmation(
        "Drop the ask to {advocate}?",
        "The queued ask for “{mission}” will never be sent. To ask again, push the mission again.",
        "Drop ask"),
    "fulfil_redemption": Confirmation(
        "Mark {reward} for {advocate} as sent?",
        "The advocate is told it is on its way, and the redemption is closed. This cannot be undone.",
        "Mark as sent"),
    "reject_redemption": Confirmation(
        "Reject {reward} for {advocate}?",
        "The redemption is closed, its {points} points go back to the advocate and they see your "
        "reason. This cannot be undone.", "Reject and refund"),
    "renew_invite": Confirmation(
        "Make a new invitation link for {email}?",
        "The link sent earlier stops working at once; only the new link will.", "Make a new link"),
    "deactivate_staff": Confirmation(
        "Deactivate {name}?",
        "They are signed out on every device at once and cannot sign in until an admin reactivates "
        "them; their open invitation stops working.", "Deactivate"),
    "end_sessions": Confirmation(
        "Sign {name} out everywhere?",
        "Every browser and \"keep me signed in\" cookie of theirs stops working at once. Their "
        "password still works, so they can sign in again.", "End all sessions"),
    "lose_referral": Confirmation(
        "Mark the referral of {friend} as lost?",
        "The referral is closed for good: it can no longer be qualified or converted, and no more "
        "points are awarded for it.", "Mark as lost"),
    "cancel_redemption": Confirmation(
        "Cancel {reward}?",
        "Your request is withdrawn and its {points} points go back to your balance. To get it later, "
        "redeem it again.", "Cancel redemption"),
    "clear_lease": Confirmation(
        "Clear the stale lease on {name}?",
        "Its holder stopped renewing the lease, so that scheduler process is gone; its unfinished run "
        "is marked as stopped and the job can run again at once. A live lease cannot be cleared.",
        "Clear lease"),
    "decline_mission": Confirmation(
        "Decline “{title}”?",
        "The mission leaves your list and cannot be started again. There is no penalty.",
        "Decline mission"),
}


def confirmation(kind: str, **names) -> Confirmation:
    """The question for `kind`, with the names filled in (plain text; templates escape it)."""
    template = ACTIONS[kind]
    return Confirmation(template.title.format(**names), template.message.format(**names),
                        template.confirm_label)


def ask_first(kind: str, *, cancel_url: str, **names) -> tuple[str, int] | Response | None:
    """None when this POST was confirmed; otherwise the confirmation page, having done nothing."""
    if request.form.get(CONFIRMED) == "yes":
        return None
    fields = [(name, value) for name, value in request.form.items(multi=True)
              if name not in ("csrf_token", CONFIRMED)]
    return render_template("confirm.html", confirm=confirmation(kind, **names), action=request.path,
                           fields=fields, cancel_url=cancel_url), 200


def init_app(app) -> None:
    app.add_template_global(confirmation, "confirmation")
