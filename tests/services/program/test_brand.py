"""The brand colour: WCAG contrast against the white button text, normalized on save."""

import pytest

from app.models import ProgramSetting
from app.services.errors import ValidationFailed
from app.services.program import brand, settings


def test_the_contrast_ratio_matches_wcag():
    assert brand.contrast("#000000", "#ffffff") == pytest.approx(21)
    assert brand.contrast("#ffffff", "#ffffff") == pytest.approx(1)
    assert brand.contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the classic AA grey


@pytest.mark.parametrize(("given", "stored"), [
    ("#0B5CAD", "#0b5cad"), ("0b5cad", "#0b5cad"), ("#036", "#003366"), ("", "")])
def test_a_good_colour_is_normalized(given, stored):
    assert brand.check_color(given) == stored


def test_a_low_contrast_colour_is_refused_with_its_ratio():
    with pytest.raises(ValidationFailed) as caught:
        brand.check_color("#ffd700")
    assert caught.value.field == "brand_color"
    assert "1.40:1" in caught.value.message and "4.5:1" in caught.value.message


@pytest.mark.parametrize("bad", ["blue", "#12345", "#ggg000", "rgb(0,0,0)", "#0b5cad; color: red"])
def test_a_malformed_colour_is_refused(bad):
    with pytest.raises(ValidationFailed, match="hex colour"):
        brand.check_color(bad)


def test_saving_stores_the_normalized_colour_and_refuses_a_pale_one_without_writing(session, now):
    settings.save(session, changes={"brand_color": "#0B5CAD"}, actor_id=None, now=now)
    session.commit()
    assert settings.load(session).brand_color == "#0b5cad"
    with pytest.raises(ValidationFailed):
        settings.save(session, changes={"brand_color": "#7fb3e0"}, actor_id=None, now=now)
    session.rollback()
    assert session.get(ProgramSetting, "brand_color").value == "#0b5cad"


def test_a_stored_image_setting_must_be_a_token(session, now):
    with pytest.raises(ValidationFailed) as caught:
        settings.save(session, changes={"brand_logo": "../../etc/passwd"}, actor_id=None, now=now)
    assert caught.value.field == "brand_logo"


def test_the_email_brand_has_an_absolute_logo_only_with_a_public_address():
    values = {"program_name": "Acme Insiders", "brand_color": "", "brand_logo": "ab" * 16}
    try:
        brand.use_public_base_url("https://advocates.acme.example/")
        with_base = brand.for_email(values)
        brand.use_public_base_url("")
        without = brand.for_email(values)
    finally:
        brand.use_public_base_url("")
    assert with_base.logo_url == f"https://advocates.acme.example/brand/logo/{'ab' * 16}"
    assert with_base.color == brand.DEFAULT_COLOR
    assert without.logo_url is None and without.name == "Acme Insiders"
