"""Staff sign-in helpers for the admin request tests."""

import pytest

from app.models import StaffRole
from tests.factories import make_advocate, make_staff


@pytest.fixture
def as_role(session, login):
    """Sign in a new staff user with `role` (or an advocate for role="advocate"); returns the user."""

    def sign_in(role):
        user = make_advocate(session) if role == "advocate" else make_staff(session, role=StaffRole(role))
        session.commit()
        login(user)
        return user

    return sign_in
