"""The program's brand colour and how emails show the brand.

The primary colour is the background of buttons, whose text is white (Pico's `--pico-primary-inverse`),
and the colour of links on white; both need WCAG AA contrast (4.5:1) against white, so a colour is
refused below it, with the ratio in the message. "" means the stock colour (DEFAULT_COLOR).
"""

import re
from dataclasses import dataclass

from app.services.errors import ValidationFailed

DEFAULT_COLOR = "#0172ad"  # Pico's light-theme primary, which the stylesheet uses when none is set
TEXT_ON_PRIMARY = "#ffffff"
MIN_CONTRAST = 4.5
_HEX = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")
# Where the public blueprint serves a brand image (app/public/brand.py); emails need it absolute.
IMAGE_PATH = "/brand/{kind}/{token}"
_public = {"base_url": ""}


def normalize_color(value: str) -> str:
    """`#rrggbb` in lower case for a 3- or 6-digit hex colour (with or without #); ValidationFailed else."""
    match = _HEX.fullmatch((value or "").strip())
    if not match:
        raise ValidationFailed("Enter a hex colour such as #0b5cad.", field="brand_color")
    digits = match.group(1).lower()
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    return "#" + digits


def rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _luminance(color: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(v) for v in rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    """The WCAG 2 contrast ratio of two `#rrggbb` colours (1 to 21)."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def check_color(value: str) -> str:
    """The normalized colour, or ValidationFailed (field brand_color) when white text on it fails AA."""
    if value == "":
        return ""
    color = normalize_color(value)
    ratio = contrast(color, TEXT_ON_PRIMARY)
    if ratio < MIN_CONTRAST:
        raise ValidationFailed(
            f"White button text on {color} has a contrast of {ratio:.2f}:1; WCAG AA needs at least "
            f"{MIN_CONTRAST}:1. Choose a darker colour.", field="brand_color")
    return color


def shade(color: str, amount: float) -> str:
    """`color` mixed with black by `amount` (0 to 1): the hover colour."""
    return "#" + "".join(f"{round(v * (1 - amount)):02x}" for v in rgb(color))


def use_public_base_url(url: str | None) -> None:
    """The site's address for absolute links in emails (the app sets PUBLIC_BASE_URL at start-up)."""
    _public["base_url"] = (url or "").rstrip("/")


@dataclass(frozen=True)
class EmailBrand:
    name: str
    color: str
    logo_url: str | None  # absolute, or None without a logo or without PUBLIC_BASE_URL


def for_email(values: dict) -> EmailBrand:
    """How an email shows the brand, from the program's settings values."""
    token, base = values.get("brand_logo") or "", _public["base_url"]
    logo_url = base + IMAGE_PATH.format(kind="logo", token=token) if token and base else None
    return EmailBrand(values["program_name"], values.get("brand_color") or DEFAULT_COLOR, logo_url)
