"""Browser tests: Playwright's sync API driving Debian's Chromium, axe-core on every page.

How a test looks::

    def test_something(page):
        visit(page, "/mentions-legales/")          # goto + wait + axe check
        follow(page, page.get_by_role("link", name="Accessibilité"))  # click + wait + axe
        page.get_by_role("button", name="Envoyer").click()   # htmx swap…
        expect(page.get_by_role("status")).to_contain_text("…")
        check_a11y(page)                           # …checked explicitly

The guarantees, enforced by the `page` fixture (see `PageWatch`):

- every document the main frame loads and every htmx swap is a *state*; a
  state must be checked by axe (`check_a11y`, done by `visit`, `follow`,
  `submit` and `login`). When the test ends, the current state is checked if
  it was not, and the test fails if any earlier state was never checked
  (it names the URLs) – so a page cannot slip through unchecked. Only the
  live server's documents are states: another site's pages the browser goes
  through (an identity provider's login form, say) are not ours to check,
  and their console errors are not ours either (`PageWatch.foreign` lists them);
- any axe violation (WCAG 2.0/2.1 A and AA) fails the test with the rule,
  impact, target selectors and help;
- any JavaScript error, console error or Content-Security-Policy violation
  fails the test when it ends. The app's CSP stays fully enforced: axe is
  injected through the DevTools protocol (`page.evaluate`, and an init
  script), which CSP does not govern, so we never need `bypass_csp` and a
  page that only works without its CSP would fail here.

Chromium: Debian's `/usr/bin/chromium` (make browser-deps installs it);
Playwright never downloads a browser of its own. axe-core comes from npm
(`tests/browser/package.json`, installed by `npm ci`, also in browser-deps).
"""

import contextlib
import json
import re
import threading
import time
import weakref
from pathlib import Path
from urllib.parse import urlsplit

import pyotp
import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import get_resolver
from playwright.sync_api import BrowserContext, Locator, Page, expect, sync_playwright

from tests.factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"
# Headless mode is Playwright's `headless=True` (it adds --headless itself).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]
AXE_JS = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
TIMEOUT_MS = 10_000

# Runs in every document before its own scripts (via DevTools, so CSP does
# not apply): reports CSP violations and htmx swaps to Python.
WATCH_SCRIPT = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.__territoiresReport?.("csp", `${e.violatedDirective} blocked ${e.blockedURI || "inline"}`
    + ` (${e.sourceFile || document.location.href}:${e.lineNumber})`);
});
let territoiresRequests = 0;
document.addEventListener("htmx:afterSettle", (e) => {
  // One response swapping several targets (hx-swap-oob) settles each: same request number.
  const xhr = e.detail.xhr || {};
  xhr.territoiresId ??= ++territoiresRequests;
  window.__territoiresReport?.("swap", `${xhr.territoiresId} ${e.detail.pathInfo?.requestPath || ""}`);
});
// pushState/replaceState change the URL, not the document: reported first, so that the
// navigation Chromium then announces for it is not taken for a new page.
for (const name of ["pushState", "replaceState"]) {
  const original = history[name].bind(history);
  history[name] = (state, title, url) => {
    const target = new URL(url ?? location.href, location.href);
    window.__territoiresReport?.("history", target.pathname + target.search);
    return original(state, title, url);
  };
}
"""


# --- the browser ---------------------------------------------------------------


class _Shared:
    """The one Playwright driver and Chromium of the session, counted by user.

    Other test folders import these fixtures into their own conftest.py; each
    import is a distinct session fixture to pytest, but a second Playwright
    driver cannot start in this thread while the first runs. So every copy
    of the fixtures shares this single instance, closed by the last one.
    """

    users = 0
    stack: contextlib.ExitStack | None = None
    playwright = None
    browser = None


@pytest.fixture(scope="session")
def _playwright(django_db_setup):
    """One Playwright driver for the session.

    Playwright's sync API marks its asyncio loop as *running* in this thread
    for as long as it lives. Django then takes the test for async code:

    - its async-safety guard would refuse every ORM call of the test
      (factories, assertions) with SynchronousOnlyOperation, although nothing
      here is async: DJANGO_ALLOW_ASYNC_UNSAFE lifts it, exactly while
      Playwright runs, as Django's docs advise for such environments;
    - asgiref hands out another set of database connections (its per-context
      storage instead of the per-thread one). They reach the same test
      database, but they lack the database state serialized at setup, which
      the serialized rollback of `live_db` restores: we hand it over.
    """
    if _Shared.users == 0:
        _Shared.stack = _start_playwright()
    _Shared.users += 1
    try:
        yield _Shared.playwright
    finally:
        _Shared.users -= 1
        if _Shared.users == 0:
            if _Shared.browser is not None:
                _Shared.browser.close()
                _Shared.browser = None
                _drain_requests()
            _Shared.stack.close()
            _Shared.stack = _Shared.playwright = None


def _start_playwright() -> contextlib.ExitStack:
    from django.db import connections

    if not AXE_JS.is_file():
        pytest.fail(f"axe-core absent ({AXE_JS}) : lancez « make browser-deps ».")
    serialized = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    # Import every view once now, so that the first page load of the first
    # test does not pay for it within the navigation timeout.
    get_resolver().url_patterns  # noqa: B018
    stack = contextlib.ExitStack()
    mp = stack.enter_context(pytest.MonkeyPatch.context())
    mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    _Shared.playwright = stack.enter_context(sync_playwright())
    for alias, contents in serialized.items():
        connections[alias]._test_serialized_contents = contents
    return stack


@pytest.fixture(scope="session")
def browser(_playwright, live_server):
    """Chromium for the session, closed before the live server stops (`_drain_requests`)."""
    if _Shared.browser is None:
        _Shared.browser = _playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
    yield _Shared.browser
    # Closed with the driver, by the last user (see _Shared).
    if _Shared.users == 1 and _Shared.browser is not None:
        _Shared.browser.close()
        _Shared.browser = None
        _drain_requests()


def _drain_requests(timeout: float = 10) -> None:
    """Wait for the live server's request threads to end.

    They close their database connections when they end: that must happen
    before the test's database flush, and before the live server stops (on
    SQLite the connection it shares stops being shareable then).
    """
    for thread in threading.enumerate():
        if thread.name.endswith("(process_request_thread)"):
            thread.join(timeout)


@pytest.fixture
def live_db(django_db_serialized_rollback, transactional_db):
    """The live server needs committed data: a transactional database.

    Flushing after each test would drop the roles seeded by migration, so
    the database is restored from its serialized state (serialized rollback)
    before each browser test.
    """


@pytest.fixture
def new_page(browser, live_server, live_db, request):
    """Open a watched page in a fresh browser context (own cookies: another person).

    Every page opened here is checked when the test ends (see `PageWatch.finish`).
    """
    contexts: list[BrowserContext] = []
    watches: list[PageWatch] = []

    def open_page() -> Page:
        context = browser.new_context(
            base_url=live_server.url, locale="fr-FR", timezone_id="Europe/Paris",
            viewport={"width": 1280, "height": 900},
        )
        contexts.append(context)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        context.add_init_script(WATCH_SCRIPT)
        page = context.new_page()
        _WATCHES[page] = PageWatch(page, origin=live_server.url)
        watches.append(_WATCHES[page])
        return page

    yield open_page
    try:
        if not request.node.stash.get(_call_failed_key, False):
            # The test passed so far: check what it left, then report everything.
            problems = [problem for watch in watches for problem in watch.finish()]
            if problems:
                pytest.fail("\n".join(problems), pytrace=False)
    finally:
        for context in contexts:
            context.close()
        _drain_requests()


@pytest.fixture
def page(new_page) -> Page:
    """A page whose every state is axe-checked, and whose errors fail the test."""
    return new_page()


_call_failed_key = pytest.StashKey[bool]()
_WATCHES: "weakref.WeakKeyDictionary[Page, PageWatch]" = weakref.WeakKeyDictionary()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[_call_failed_key] = report.failed
    return report


# --- the watch: every state checked, no error ------------------------------------


class PageWatch:
    """Tracks the states of one page (documents and htmx swaps) and its errors."""

    def __init__(self, page: Page, origin: str = ""):
        self.page = page
        self.origin = _origin(origin) if origin else ""  # ours; "" means every origin
        self.states: list[str] = []  # description of each state, in order
        self.foreign: list[str] = []  # URLs of the other sites' documents, in order
        self.checked: set[int] = set()
        # URLs put into the history by script (hx-push-url…): not new documents.
        self.pushed: set[str] = set()
        self.last_swap = ""
        self.errors: list[str] = []
        self.allowed: list[re.Pattern] = []
        page.expose_binding("__territoiresReport", self._report)
        page.on("framenavigated", self._navigated)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"JavaScript : {error}"))

    def is_foreign(self, url: str) -> bool:
        return bool(self.origin) and url.startswith(("http:", "https:")) and (
            _origin(url) != self.origin
        )

    def _navigated(self, frame):
        if frame == self.page.main_frame and frame.url != "about:blank":
            if self.is_foreign(frame.url):
                self.foreign.append(frame.url)
            elif _path(frame.url) in self.pushed:
                self.pushed.discard(_path(frame.url))
            else:
                self.states.append(f"page {_path(frame.url)}")
                self.last_swap = ""  # request numbers start again in each document

    def _report(self, source, kind: str, detail: str):
        if self.is_foreign(source["frame"].url):
            return  # another site's policy, another site's swaps
        if kind == "csp":
            self.errors.append(f"CSP : {detail}")
        elif kind == "swap":
            request, _space, path = detail.partition(" ")
            if request != self.last_swap:  # several targets of one response are one state
                self.last_swap = request
                self.states.append(f"échange htmx {path} dans {_path(self.page.url)}")
        elif kind == "history":
            self.pushed.add(detail)

    def _console(self, message):
        if message.type in {"error", "warning"} and "Content Security Policy" in message.text:
            self.errors.append(f"CSP (console) : {message.text}")
        elif message.type == "error" and self.is_foreign(message.location.get("url", "")):
            pass  # e.g. Chromium's request for another site's /favicon.ico
        elif message.type == "error":
            self.errors.append(f"console : {message.text} ({message.location.get('url', '')})")

    def allow_error(self, pattern: str) -> None:
        """Accept errors matching `pattern` (e.g. the 410 of an expired link)."""
        self.allowed.append(re.compile(pattern))

    def check(self) -> None:
        """Run axe on the current document; mark the current state as checked."""
        if self.is_foreign(self.page.url):
            pytest.fail(f"axe ne vérifie que nos pages, pas {self.page.url}", pytrace=False)
        self.page.wait_for_load_state("load")
        # Let a running htmx request finish swapping and settling first.
        self.page.wait_for_function(
            "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
        )
        violations = run_axe(self.page)
        # Only the state on screen is checked: an earlier document, or what an
        # earlier swap showed before the next one replaced it, was not.
        if self.states:
            self.checked.add(len(self.states) - 1)
        if violations:
            pytest.fail(format_violations(self.page.url, violations), pytrace=False)

    def finish(self) -> list[str]:
        """The problems left at the end of the test (after checking the last state)."""
        problems = []
        on_ours = not self.is_foreign(self.page.url)
        if on_ours and self.states and (len(self.states) - 1) not in self.checked:
            try:
                self.check()
            except pytest.fail.Exception as failure:
                problems.append(str(failure.msg))
        missed = [s for i, s in enumerate(self.states) if i not in self.checked]
        errors = [e for e in self.errors if not any(p.search(e) for p in self.allowed)]
        if missed:
            problems.append(
                "États jamais vérifiés par axe (utilisez visit/follow/submit ou check_a11y) :\n  "
                + "\n  ".join(missed)
            )
        if errors:
            problems.append("Erreurs dans le navigateur :\n  " + "\n  ".join(errors))
        return problems


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def run_axe(page: Page) -> list[dict]:
    """Inject axe-core if needed (DevTools evaluation: CSP does not apply) and run it."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    result = page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {
                runOnly: {type: "tag", values: tags}, resultTypes: ["violations"],
            });
            return results.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map((n) => ({target: n.target, summary: n.failureSummary})),
            }));
        }""",
        AXE_TAGS,
    )
    return result


_axe_cache: list[str] = []


def _axe_source() -> str:
    if not _axe_cache:
        # Wrapped so that `page.evaluate` takes it as one expression.
        _axe_cache.append(f"(() => {{ {AXE_JS.read_text(encoding='utf-8')}\n}})()")
    return _axe_cache[0]


def format_violations(url: str, violations: list[dict]) -> str:
    lines = [f"axe-core : {len(violations)} règle(s) WCAG enfreinte(s) sur {_path(url)}"]
    for v in violations:
        lines.append(f"- {v['id']} [{v['impact']}] {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:10]:
            lines.append(f"    {json.dumps(node['target'], ensure_ascii=False)}")
            for detail in (node["summary"] or "").splitlines():
                lines.append(f"      {detail}")
    return "\n".join(lines)


# --- helpers for the tests ------------------------------------------------------


def check_a11y(page: Page) -> None:
    """Check the current state now (after an htmx swap, say)."""
    _WATCHES[page].check()


def allow_error(page: Page, pattern: str) -> None:
    _WATCHES[page].allow_error(pattern)


def foreign_pages(page: Page) -> list[str]:
    """The other sites' documents `page` went through, in order (never axe-checked)."""
    return _WATCHES[page].foreign


def visit(page: Page, path: str) -> None:
    """Open `path` on the live server, then check it."""
    response = page.goto(path)
    assert response is not None and response.status < 400, (
        f"{path} : HTTP {response and response.status}"
    )
    check_a11y(page)


def follow(page: Page, locator: Locator) -> None:
    """Click a link or button that loads a new document, then check that document."""
    with page.expect_navigation():
        locator.click()
    check_a11y(page)


def htmx_swap(page: Page, action) -> None:
    """Do `action()` (a click, a fill…) that makes htmx swap something in, wait until the swap
    has been reported, then check the new state."""
    watch = _WATCHES[page]
    swaps = sum(state.startswith("échange htmx") for state in watch.states)
    action()
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while sum(state.startswith("échange htmx") for state in watch.states) == swaps:
        assert time.monotonic() < deadline, "aucun échange htmx"
        page.wait_for_timeout(20)  # lets Playwright dispatch the page's events
    check_a11y(page)


def htmx_submit(page: Page, name: str) -> None:
    """Click the button named `name` of an htmx form (results swapped in place, URL pushed)."""
    htmx_swap(page, lambda: page.get_by_role("button", name=name, exact=True).click())


def submit(page: Page, name: str) -> None:
    """Click the button named `name` (full-page form), then check the result."""
    follow(page, page.get_by_role("button", name=name, exact=True))


def login(page: Page, email: str, password: str = PASSWORD, *, totp_secret: str = "") -> None:
    """Log in through the login page, typing the TOTP code when it is asked for."""
    visit(page, "/compte/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    submit(page, "Se connecter")
    if _path(page.url) == "/compte/double-authentification/":
        assert totp_secret, f"{email} doit saisir un code TOTP : passez totp_secret="
        page.get_by_label("Code à 6 chiffres").fill(pyotp.TOTP(totp_secret).now())
        submit(page, "Valider")
    expect(page).not_to_have_url(re.compile(r"/compte/(connexion|double-authentification)/$"))


@pytest.fixture
def run_tasks_live(monkeypatch):
    """Run due background tasks (e.g. e-mails) with the real worker, in this thread.

    Call it only once the page has settled: on SQLite the live server shares
    this thread's in-memory database connection.
    """
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )

    def run():
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload",
                     "--queue-name", "*", verbosity=0)
        return mail.outbox

    return run
