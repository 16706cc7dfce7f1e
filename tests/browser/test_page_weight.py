"""Every kiosk page, with everything it loads (HTML, CSS, JS, icons), weighs at most 100 KB."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Site

BUDGET = 100 * 1024


@pytest.mark.parametrize("path", ["/", "/search?category=housing", "/search?q=counseling",
                                  "/services/{counseling}", "/referral", "/welcome"])
def test_page_weight(page: Any, site: Site, path: str) -> None:
    sizes: dict[str, int] = {}

    def count(response: Any) -> None:
        sizes[response.url] = len(response.body())

    page.on("response", count)
    page.goto(site.url + path.format(counseling=site.directory.counseling))
    page.wait_for_load_state("networkidle")
    total = sum(sizes.values())
    assert total <= BUDGET, f"{path}: {total} bytes: {sizes}"
    assert len(sizes) <= 4, f"{path}: {sorted(sizes)}"
