"""Show a service's DomainError on the form that caused it, next to the field it names."""

from collections.abc import Callable
from typing import TypeVar

from flask import flash
from flask_wtf import FlaskForm

from app.extensions import db
from app.services.errors import DomainError

T = TypeVar("T")


def attach_error(form, error: DomainError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message] if isinstance(field.errors, list) else [error.message]
    else:
        flash(error.message, "error")


def commit_or_attach(form, action: Callable[[], T]) -> tuple[bool, T | None]:
    """Run one service call as the request's transaction: commit and return (True, result);
    on a DomainError roll back, show the message next to its form field and return (False, None)."""
    try:
        result = action()
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return False, None
    db.session.commit()
    return True, result


class ButtonForm(FlaskForm):
    """A button-only form (confirm, revoke, archive, toggle, start, mark read): just the CSRF token."""
