"""The "Get directions" link: coordinates (or the address) in the template, never for a
confidential place, and a template that cannot make a link is refused in words."""

from __future__ import annotations

import pytest

from directory_data.directions import (
    DEFAULT_TEMPLATE,
    DirectionsTemplateError,
    check_template,
    directions_url,
)


def test_a_place_is_its_coordinates_else_its_address_and_never_when_confidential() -> None:
    point = (28.805, -81.27)
    assert directions_url(DEFAULT_TEMPLATE, point=point, address="100 E 1st St", confidential=False) == (
        "https://www.google.com/maps/dir/?api=1&destination=28.80500,-81.27000")
    assert directions_url("geo:0,0?q={destination}", point=None, address="100 E 1st St, Sanford, FL",
                          confidential=False) == "geo:0,0?q=100%20E%201st%20St%2C%20Sanford%2C%20FL"
    assert directions_url(DEFAULT_TEMPLATE, point=point, address="999 Hidden Way", confidential=True) is None
    assert directions_url(DEFAULT_TEMPLATE, point=None, address=None, confidential=False) is None


@pytest.mark.parametrize("template", [
    "https://maps.example.org/", "https://maps.example.org/{destination}/{destination}",
    "javascript:alert({destination})", "https://maps.example.org/{lat}?q={destination}", "",
    "https://maps.example.org/ q={destination}",
])
def test_a_template_that_cannot_make_a_link_is_refused(template: str) -> None:
    with pytest.raises(DirectionsTemplateError):
        check_template(template)
