"""Forms carry `autocomplete`: sign-in username/current-password, new passwords new-password, a
person's own details name/email/organization, someone else's details, things' names and searches off."""

import importlib
import pkgutil
import re

import pytest
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SearchField, StringField

import app.admin.forms
from app.models import StaffRole
from tests.crawl import crawl
from tests.factories import make_advocate, make_staff

PERSONAL = {"name", "email", "company", "title", "q", "search", "password", "confirm"}


def _form_classes():
    modules = [importlib.import_module("app.public.forms"), importlib.import_module("app.portal.forms")]
    modules += [importlib.import_module(f"app.admin.forms.{m.name}")
                for m in pkgutil.iter_modules(app.admin.forms.__path__)]
    return {cls for module in modules for cls in vars(module).values()
            if isinstance(cls, type) and issubclass(cls, FlaskForm) and cls is not FlaskForm}


def _needs_autocomplete(name, unbound) -> bool:
    kind = unbound.field_class
    if issubclass(kind, (EmailField, PasswordField, SearchField)):
        return True
    return issubclass(kind, StringField) and (name in PERSONAL or "name" in name or "email" in name)


def test_every_email_password_name_or_search_field_says_its_autocomplete():
    missing = [f"{cls.__name__}.{name}" for cls in _form_classes() for name, unbound in vars(cls).items()
               if hasattr(unbound, "field_class") and _needs_autocomplete(name, unbound)
               and "autocomplete" not in (unbound.kwargs.get("render_kw") or {})]
    assert missing == [], "\n".join(missing)


def _inputs(html):
    return re.findall(r"<input\b[^>]*>", html)


def _lacking(pages):
    bad = []
    for url, html in pages.items():
        for tag in _inputs(html):
            kind = re.search(r'type="(\w+)"', tag)
            name = re.search(r'name="([\w-]+)"', tag)
            typed = kind and kind.group(1) in ("email", "password", "search")
            named = name and (name.group(1) in PERSONAL or "name" in name.group(1))
            if (typed or (named and kind and kind.group(1) == "text")) and "autocomplete=" not in tag:
                bad.append(f"{url}: {tag}")
    return bad


def test_sign_in_offers_the_saved_login(client):
    page = client.get("/login").get_data(as_text=True)
    assert re.search(r'<input[^>]*autocomplete="username"[^>]*type="email"|<input[^>]*type="email"'
                     r'[^>]*autocomplete="username"', page)
    assert re.search(r'<input[^>]*autocomplete="current-password"[^>]*type="password"', page)
    assert 'autocomplete="email"' in client.get("/password/forgot").get_data(as_text=True)


@pytest.mark.parametrize("who", ["admin", "advocate"])
def test_every_input_on_every_form_page_has_autocomplete(session, login, client, who):
    user = make_advocate(session) if who == "advocate" else make_staff(session, role=StaffRole.ADMIN)
    session.commit()
    login(user)
    area = "/portal" if who == "advocate" else "/admin"
    pages = crawl(client, area + "/", area)
    assert sum(bool(_inputs(html)) for html in pages.values()) > 3
    assert _lacking(pages) == [], "\n".join(_lacking(pages))
