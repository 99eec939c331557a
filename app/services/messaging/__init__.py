"""Messaging: in-app notifications, the email outbox, and re-engagement messages."""

from app.services.messaging.notifications import mark_all_read, notify, recent, recipient_of, unread_count
from app.services.messaging.outbox import (
    Attachment,
    ChannelSender,
    SmtpSender,
    claim,
    claim_due,
    deliver_due,
    due_ids,
    enqueue,
    enqueue_post,
    get_message,
    list_messages,
    release,
    render,
)
from app.services.messaging.reengagement import dedupe_key, send_due

__all__ = [
    "mark_all_read", "notify", "recent", "recipient_of", "unread_count", "Attachment", "ChannelSender",
    "SmtpSender",
    "claim", "claim_due", "deliver_due", "due_ids", "enqueue", "enqueue_post", "get_message", "list_messages",
    "release", "render",
    "dedupe_key", "send_due"
]
