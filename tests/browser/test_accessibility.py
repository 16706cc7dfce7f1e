"""axe-core on every page and state, in English and Spanish, portrait and landscape, with larger
text and high contrast: no WCAG 2.2 A/AA violation. A deliberately broken page proves the check
fails when a violation is introduced."""

from __future__ import annotations

from typing import Any, Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from .conftest import LANDSCAPE, OFFICER, PORTRAIT, JourneyListings, Site, shot

WCAG_22_AA = {"runOnly": {"type": "tag", "values": [
    "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]},
    "resultTypes": ["violations"]}
ORIENTATIONS = {"portrait": PORTRAIT, "landscape": LANDSCAPE}
LOCALES = {"en": "en-US", "es": "es-ES"}

_axe = Axe()
#: The sign-in form's labels and buttons: name, password, sign in, sign out.
LOCALE_SIGN_IN = {"en": ("Name", "Password", "Sign in", "Sign out"),
                  "es": ("Nombre", "Contraseña", "Entrar", "Salir")}


def sign_in(page: Any, site: Site, labels: tuple[str, str, str, str], *, go: bool = True) -> None:
    """Sign the test officer in with the form in the page's language (``go``: open it first)."""
    if go:
        page.goto(site.url + "/officer/login")
    page.get_by_label(labels[0]).fill(OFFICER[0])
    page.get_by_label(labels[1]).fill(OFFICER[1])
    page.get_by_role("button", name=labels[2]).tap()
    expect(page.get_by_role("button", name=labels[3])).to_be_visible()


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
    expect(page.locator(".add-form button.added")).to_be_visible()  # answered in place
    check(page, f"detail-{tag}")
    page.goto(f"{site.url}/services/{site.directory.shelter}")
    check(page, f"detail-confidential-{tag}")
    page.goto(site.url + "/referral")
    check(page, f"referral-{tag}")
    page.locator(".make-referral button[type=submit]").tap()
    expect(page.locator(".made svg.qr")).to_be_visible()
    check(page, f"referral-made-{tag}")
    slip = page.locator(".made a[href^='/r/']").get_attribute("href") + "/print"
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
    sign_in(page, site, LOCALE_SIGN_IN[lang], go=False)
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


@pytest.mark.parametrize("lang", LOCALES)
def test_journey_states(open_context: Callable[..., Any], site: Site, journey: JourneyListings, lang: str) -> None:
    """The states of the resident's and officer's journey: the detail page's week, holidays,
    directions and "scan to call" codes; a card added in place; the referral form with "More
    options" open; a hotline code; a discreet referral whose note was left off; the print screen;
    larger text in landscape; patrol results with "Other matches" and a detail with its maps
    link."""
    context = open_context(locale=LOCALES[lang])
    context.add_init_script("window.print = () => {};")
    page = context.new_page()
    page.goto(f"{site.url}/services/{journey.family_center}")
    expect(page.locator("table.week-hours")).to_be_visible()
    check(page, f"journey-detail-hours-{lang}")
    page.goto(site.url + "/search?category=abuse")
    for card in page.locator("article.card").all()[:2]:
        card.locator(".add-form button").tap()
        expect(card.locator(".add-form button.added")).to_be_visible()
    expect(page.locator("#referral-status")).not_to_be_empty()
    check(page, f"journey-added-in-place-{lang}")
    page.goto(site.url + "/referral")
    page.locator(".more-options summary").tap()
    page.locator("#note").fill("Ask for Ana")
    check(page, f"journey-more-options-{lang}")
    page.locator(".make-referral input[value=text]").check()
    page.locator(".make-referral button[type=submit]").tap()
    expect(page.locator("#note-left-off")).to_be_visible()
    check(page, f"journey-discreet-note-left-off-{lang}")
    page.locator(".made a[href$='/referral/print']").tap()
    expect(page.locator(".print-screen")).to_be_visible()
    check(page, f"journey-print-screen-{lang}")

    wide = open_context(locale=LOCALES[lang], viewport=LANDSCAPE).new_page()
    wide.goto(f"{site.url}/services/{journey.dv_shelter}")
    wide.locator(".add-form button").tap()
    expect(wide.locator(".add-form button.added")).to_be_visible()
    wide.goto(site.url + "/referral")
    wide.locator(".make-referral input[value=hotline]").check()
    wide.locator(".make-referral button[type=submit]").tap()
    expect(wide.locator(".made figcaption")).to_be_visible()
    check(wide, f"journey-hotline-made-{lang}")
    wide.goto(site.url + "/search")
    wide.locator("form[action$='/display/large'] button").tap()
    expect(wide.locator("html.mode-large")).to_have_count(1)
    check(wide, f"journey-landscape-large-{lang}")

    tablet = open_context(viewport={"width": 1280, "height": 800}, locale=LOCALES[lang]).new_page()
    sign_in(tablet, site, LOCALE_SIGN_IN[lang])
    tablet.goto(site.url + "/patrol/?q=housing+help&open=0&lat=28.662&lon=-81.366")
    expect(tablet.locator("#other-matches")).to_be_visible()
    check(tablet, f"journey-patrol-other-matches-{lang}")
    tablet.goto(f"{site.url}/patrol/services/{journey.family_center}")
    expect(tablet.locator(".directions a")).to_be_visible()
    check(tablet, f"journey-patrol-detail-{lang}")


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
