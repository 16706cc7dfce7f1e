"""The "Get directions" link of a place: what its QR code holds, for the phone's maps app.

The link is made from a template with one placeholder, ``{destination}``: the place's
coordinates (``28.8050,-81.2700``), or its street address when it has none. The default is a
Google Maps URL (the documented "Maps URLs" form, no API key): one address that the Google Maps
app opens on Android and on an iPhone where it is installed, and a browser opens anywhere else --
a phone's camera offers any ``https`` link, while a ``geo:`` URI is understood by Android only.
A department may set another template, e.g. ``geo:0,0?q={destination}`` (Android's maps apps,
offline ones included) or ``https://maps.apple.com/?daddr={destination}`` (Apple Maps).

A confidential place never has a link: :func:`directions_url` is only ever given a place that
is not confidential, and refuses one that is.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

#: The default template: Google Maps directions to the destination from where the phone is.
DEFAULT_TEMPLATE = "https://www.google.com/maps/dir/?api=1&destination={destination}"
PLACEHOLDER = "{destination}"
#: Schemes a template may use: a web address, or a geo URI.
SCHEMES = ("https", "http", "geo")


class DirectionsTemplateError(ValueError):
    """A directions template that cannot make a link."""


def check_template(template: str) -> str:
    """``template`` if it makes links (an ``https``, ``http`` or ``geo`` address holding
    ``{destination}`` once, and no other braces); :class:`DirectionsTemplateError` otherwise."""
    value = str(template or "").strip()
    if value.count(PLACEHOLDER) != 1 or value.replace(PLACEHOLDER, "").count("{") or "}" in value.replace(PLACEHOLDER, ""):
        raise DirectionsTemplateError(f"directions template {value!r} must hold {PLACEHOLDER} once")
    if urlsplit(value).scheme not in SCHEMES or any(c.isspace() for c in value):
        raise DirectionsTemplateError(
            f"directions template {value!r} must be an https, http or geo address")
    return value


def directions_url(
    template: str, *, point: tuple[float, float] | None, address: str | None, confidential: bool,
) -> str | None:
    """The link to a place at ``point`` (else at ``address``), or None when there is neither or
    the place is confidential."""
    if confidential:
        return None
    if point is not None:
        destination = f"{point[0]:.5f},{point[1]:.5f}"
    elif address:
        destination = quote(" ".join(address.split()), safe="")
    else:
        return None
    return check_template(template).replace(PLACEHOLDER, destination)
