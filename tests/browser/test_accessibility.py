"""axe-core on every page and state, in English and Spanish, portrait and landscape, with larger
text and high contrast: no WCAG 2.2 A/AA violation. A deliberately broken page proves the check
fails when a violation is introduced."""

from __future__ import annotations

from typing import Any, Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from .conftest import LANDSCAPE, PORTRAIT, Site, shot
from .test_patrol import sign_in

WCAG_22_AA = {"runOnly": {"type": "tag", "values": [
    "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]},
    "resultTypes": ["violations"]}
ORIENTATIONS = {"portrait": PORTRAIT, "landscape": LANDSCAPE}
LOCALES = {"en": "en-US", "es": "es-ES"}

_axe = Axe()


def violations(page: Any) -> list[str]:
    """``rule: target`` for every WCAG 2.2 A/AA violation axe finds on ``page``."""
    result = _axe.run(page, options=WCAG_22_AA)
    return [f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in result.response["violations"]]


def check(page: Any, name: str) -> None:
    """No violation on ``page``; a screenshot named ``name`` either way."""
    shot(page, f"axe-{name}")
    found = violations(page)
    assert found == [], f"{name}: {found}"


@pytest.mark.parametrize("orientation", ORIENTATIONS)
@pytest.mark.parametrize("lang", LOCALES)
def test_kiosk_pages(open_context: Callable[..., Any], site: Site, lang: str, orientation: str) -> None:
    page = open_context(viewport=ORIENTATIONS[orientation], locale=LOCALES[lang]).new_page()
    tag = f"{lang}-{orientation}"
    page.goto(site.url + "/")
    assert page.get_attribute("html", "lang") == lang
    check(page, f"home-{tag}")
    page.goto(site.url + "/search?category=housing")
    check(page, f"results-{tag}")
    page.goto(site.url + "/search?q=zzzzqqqq")
    check(page, f"no-results-{tag}")
    page.goto(site.url + "/search?q=food")  # a need the directory has no services for
    expect(page.locator(".scope-notice")).to_be_visible()
    check(page, f"out-of-scope-{tag}")
    page.goto(site.url + "/search?q=I+want+to+kill+myself")
    check(page, f"crisis-results-{tag}")
    page.goto(f"{site.url}/services/{site.directory.counseling}")
    page.get_by_role("button", name="Add to my referral" if lang == "en" else "Agregar a mi referido").tap()
    expect(page.locator(".notice")).to_be_visible()
    check(page, f"detail-{tag}")
    page.goto(f"{site.url}/services/{site.directory.shelter}")
    check(page, f"detail-confidential-{tag}")
    page.goto(site.url + "/referral")
    check(page, f"referral-{tag}")
    page.locator(".make-referral button[type=submit]").tap()
    expect(page.locator(".made svg.qr")).to_be_visible()
    check(page, f"referral-made-{tag}")
    slip = page.locator(".made a[href*='/print']").get_attribute("href").split("?")[0]
    for layout in ("letter", "receipt"):
        page.goto(f"{site.url}{slip}?layout={layout}")
        check(page, f"referral-print-{layout}-{tag}")
    page.goto(site.url + slip.removesuffix("/print"))
    check(page, f"referral-page-{tag}")
    page.goto(site.url + "/r/no-such-referral-token1")
    check(page, f"referral-gone-{tag}")
    page.goto(site.url + "/exit")
    check(page, f"welcome-{tag}")


@pytest.mark.parametrize("mode", ["large", "contrast"])
def test_display_modes(open_context: Callable[..., Any], site: Site, mode: str) -> None:
    page = open_context().new_page()
    page.goto(site.url + "/")
    label = "Larger text" if mode == "large" else "High contrast"
    page.get_by_role("button", name=label).tap()
    expect(page.get_by_role("button", name=label)).to_have_attribute("aria-pressed", "true")
    assert f"mode-{mode}" in (page.get_attribute("html", "class") or "")
    check(page, f"home-{mode}")
    page.goto(site.url + "/search?category=mental-health")
    check(page, f"results-{mode}")
    page.goto(f"{site.url}/services/{site.directory.counseling}")
    check(page, f"detail-{mode}")


def test_idle_countdown_dialog(open_context: Callable[..., Any], quick_site: Site) -> None:
    page = open_context().new_page()
    page.goto(quick_site.url + "/search?category=housing")
    expect(page.locator("#idle-dialog")).to_be_visible(timeout=5000)
    check(page, "idle-dialog")


@pytest.mark.parametrize("lang", LOCALES)
def test_patrol_pages(open_context: Callable[..., Any], site: Site, lang: str) -> None:
    page = open_context(viewport={"width": 1280, "height": 800}, locale=LOCALES[lang]).new_page()
    page.goto(site.url + "/officer/login")
    check(page, f"login-{lang}")
    sign_in_label = {"en": ("Name", "Password", "Sign in", "Sign out"),
                     "es": ("Nombre", "Contraseña", "Entrar", "Salir")}[lang]
    from .conftest import OFFICER

    page.get_by_label(sign_in_label[0]).fill(OFFICER[0])
    page.get_by_label(sign_in_label[1]).fill(OFFICER[1])
    page.get_by_role("button", name=sign_in_label[2]).tap()
    expect(page.get_by_role("button", name=sign_in_label[3])).to_be_visible()
    page.goto(site.url + "/patrol/?category=mental-health&open=0")
    check(page, f"patrol-results-{lang}")
    page.goto(site.url + "/patrol/?q=food")
    expect(page.locator(".scope-notice")).to_be_visible()
    check(page, f"patrol-out-of-scope-{lang}")
    page.goto(f"{site.url}/patrol/services/{site.directory.counseling}")
    page.locator(".add-form button").tap()
    expect(page.locator(".add-form button.added")).to_be_visible()
    check(page, f"patrol-detail-{lang}")
    page.goto(site.url + "/patrol/referral")
    check(page, f"patrol-referral-{lang}")
    page.locator(".make-referral button[type=submit]").tap()
    expect(page.locator("svg.qr")).to_be_visible()
    check(page, f"patrol-qr-{lang}")


def test_an_introduced_violation_is_caught(page: Any, site: Site) -> None:
    page.goto(site.url + "/")
    assert violations(page) == []
    page.evaluate("""() => {
        document.querySelector('label[for=q]').remove();
        document.querySelector('#q').removeAttribute('placeholder');
        document.querySelector('.tile').style.background = '#7a7a7a';
        document.documentElement.removeAttribute('lang');
    }""")
    ids = {v.split(":")[0] for v in violations(page)}
    assert {"label", "color-contrast", "html-has-lang"} <= ids, ids
