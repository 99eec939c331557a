from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    # No format check: an unknown address just fails to sign in, and strict validators refuse
    # reserved domains such as .test that self-hosted and demo installs use.
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "username"})
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField("Keep me signed in on this device")


class AcceptInviteForm(FlaskForm):
    password = PasswordField("Choose a password", validators=[DataRequired(), Length(min=12, max=200)],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(
        "Repeat the password", validators=[DataRequired(), EqualTo("password", "The passwords differ.")],
        render_kw={"autocomplete": "new-password"}
    )


class ReferralForm(FlaskForm):
    # The email's shape is checked by the service (services/referrals/landing.py), which needs its domain.
    name = StringField("Your name", validators=[DataRequired("Tell us your name."), Length(max=120)],
                       render_kw={"autocomplete": "name"})
    email = EmailField("Work email", validators=[DataRequired("Enter your email address."), Length(max=254)],
                       render_kw={"autocomplete": "email"})
    company = StringField("Company", validators=[Length(max=120)], render_kw={"autocomplete": "organization"})


# Lets password managers offer (and save) a generated password.
NEW = {"autocomplete": "new-password"}


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired("Enter the email address you sign in with."),
                                            Length(max=254)], render_kw={"autocomplete": "email"})


class ResetPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[DataRequired("Choose a new password."),
                                                         Length(max=200)], render_kw=NEW)
    confirm = PasswordField(
        "Repeat the new password", validators=[DataRequired("Repeat the new password."),
                                               EqualTo("password", "The passwords differ.")], render_kw=NEW
    )


class ChangePasswordForm(ResetPasswordForm):
    """The signed-in person's own password change (portal profile and staff account page)."""

    current_password = PasswordField("Current password", validators=[
        DataRequired("Enter your current password."), Length(max=200)],
        render_kw={"autocomplete": "current-password"})
