"""The browser harness itself: axe, CSP and the every-state-checked rule must bite.

The pages here are served by Playwright (`page.route`) on the live server's
origin, so they get exactly the treatment of the app's pages.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.fixtures import _WATCHES, check_a11y, visit

pytestmark = pytest.mark.browser

CSP = "default-src 'self'; script-src 'self'; style-src 'self'"


def _serve(page, path, html, csp=CSP):
    page.route(f"**{path}", lambda route: route.fulfill(
        status=200, content_type="text/html; charset=utf-8", body=html,
        headers={"Content-Security-Policy": csp},
    ))


def test_axe_violations_fail_with_rule_target_and_help(page):
    _serve(page, "/faux/inaccessible/",
           "<!doctype html><html><head><title>x</title></head>"
           "<body><main><img src='/static/ui/logo.svg'></main></body></html>")
    with pytest.raises(pytest.fail.Exception) as failure:
        visit(page, "/faux/inaccessible/")
    message = str(failure.value)
    assert "html-has-lang [serious]" in message
    assert "image-alt [critical]" in message
    assert '["img"]' in message
    assert "dequeuniversity.com" in message


def test_csp_violations_and_unchecked_pages_are_reported(page):
    html = ('<!doctype html><html lang="fr"><head><title>Essai</title></head><body><main>'
            "<h1>Essai</h1><script>document.title = 'exécuté';</script></main></body></html>")
    _serve(page, "/faux/inline/", html)
    _serve(page, "/faux/suite/", html)
    page.goto("/faux/inline/")
    expect(page).to_have_title("Essai")  # the inline script was blocked…
    page.goto("/faux/suite/")
    watch = _WATCHES[page]
    problems = "\n".join(watch.finish())
    # …and reported; the first page was never checked (the last one is, on finishing).
    assert "CSP : script-src-elem blocked inline" in problems
    assert "Content Security Policy" in problems
    assert "jamais vérifiés" in problems
    assert "  page /faux/inline/\n" in problems
    assert "page /faux/suite/" not in problems
    watch.errors.clear()
    watch.checked.update(range(len(watch.states)))


def test_htmx_swaps_must_be_checked(page):
    _serve(page, "/faux/htmx/",
           '<!doctype html><html lang="fr"><head><title>Essai</title>'
           '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false}\'>'
           '<script src="/static/django_htmx/htmx-2.min.js"></script></head>'
           '<body><main><h1>Essai</h1><div id="cible"></div>'
           '<button hx-get="/faux/fragment/" hx-target="#cible">Charger</button>'
           "</main></body></html>")
    page.route("**/faux/fragment/", lambda route: route.fulfill(
        status=200, content_type="text/html", body="<p>Fragment chargé</p>"))
    visit(page, "/faux/htmx/")

    page.get_by_role("button", name="Charger").click()
    expect(page.get_by_text("Fragment chargé")).to_be_visible()
    check_a11y(page)
    page.get_by_role("button", name="Charger").click()
    expect(page.get_by_text("Fragment chargé")).to_have_count(1)
    page.get_by_role("button", name="Charger").click()

    watch = _WATCHES[page]
    for _ in range(100):  # the swap reports arrive asynchronously
        if sum(s.startswith("échange htmx") for s in watch.states) == 3:
            break
        page.wait_for_timeout(20)
    assert [s for s in watch.states if s.startswith("échange htmx")] == [
        "échange htmx /faux/fragment/ dans /faux/htmx/"
    ] * 3, watch.states
    problems = "\n".join(watch.finish())  # checks the last swap, not the second
    assert "jamais vérifiés" in problems
    assert problems.count("échange htmx /faux/fragment/") == 1
    watch.checked.update(range(len(watch.states)))
