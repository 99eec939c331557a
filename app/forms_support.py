"""Attach a service's DomainError to the form field it names, so the page shows it in place."""

from flask import flash

from app.services.errors import DomainError


def attach_error(form, error: DomainError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message] if isinstance(field.errors, list) else [error.message]
    else:
        flash(error.message, "error")
