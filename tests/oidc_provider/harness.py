"""Run the ProConnect-like test OpenID Provider (server.mjs, npm `oidc-provider`).

Standard library only. Typical use::

    with run_provider(clients=[...], users={...}) as op:
        settings.OIDC_DISCOVERY_URL = op.discovery_url

See server.mjs for the configuration format and the provider's behaviour.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
READY_TIMEOUT = 30.0


@dataclass(frozen=True)
class Provider:
    issuer: str  # e.g. "http://127.0.0.1:41234", no trailing slash
    discovery_url: str  # issuer + "/.well-known/openid-configuration"


def _executable(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(
            f"`{name}` not found on PATH: the test OpenID Provider needs Node.js (>= 20) and npm."
        )
    return path


def _installed(base_dir: Path) -> bool:
    """True when node_modules holds the oidc-provider version pinned in package.json."""
    installed = base_dir / "node_modules" / "oidc-provider" / "package.json"
    if not installed.exists():
        return False
    wanted = json.loads((base_dir / "package.json").read_text())["dependencies"]["oidc-provider"]
    return json.loads(installed.read_text())["version"] == wanted


def ensure_installed(base_dir: Path | None = None) -> None:
    """Install the provider's npm dependencies (`npm ci`) unless already there."""
    base_dir = Path(base_dir or BASE_DIR)
    _executable("node")
    if _installed(base_dir):
        return
    command = "ci" if (base_dir / "package-lock.json").exists() else "install"
    result = subprocess.run(  # noqa: S603 (fixed arguments)
        [_executable("npm"), command, "--no-audit", "--no-fund"],
        cwd=base_dir,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0 or not _installed(base_dir):
        raise RuntimeError(
            f"`npm {command}` failed in {base_dir} (exit {result.returncode}):\n"
            f"{result.stdout}\n{result.stderr}"
        )


@contextmanager
def run_provider(
    *, clients: list[dict], users: dict[str, dict], port: int | None = None
) -> Iterator[Provider]:
    """Start the provider on 127.0.0.1, yield its URLs, stop it on exit.

    ``clients``: oidc-provider client metadata, e.g. ``{"client_id", "client_secret",
    "redirect_uris", "post_logout_redirect_uris"}``. ``users``: accountId (the ``sub``) ->
    claims plus a ``password``. Without ``port`` the OS picks a free one (the server
    listens on port 0 and reports the real port), so parallel runs cannot collide.
    """
    ensure_installed()
    node = _executable("node")
    with tempfile.TemporaryDirectory(prefix="oidc-provider-") as tmp:
        config = Path(tmp) / "config.json"
        config.write_text(json.dumps({"port": port or 0, "clients": clients, "users": users}))
        stdout_path, stderr_path = Path(tmp) / "stdout", Path(tmp) / "stderr"
        with stdout_path.open("wb") as out, stderr_path.open("wb") as err:
            process = subprocess.Popen(  # noqa: S603 (fixed arguments)
                [node, str(BASE_DIR / "server.mjs"), str(config)],
                cwd=BASE_DIR,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
            )
        try:
            issuer = _wait_ready(process, stdout_path, stderr_path)
            discovery_url = f"{issuer}/.well-known/openid-configuration"
            yield Provider(issuer=issuer, discovery_url=discovery_url)
        finally:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_ready(process: subprocess.Popen, stdout_path: Path, stderr_path: Path) -> str:
    deadline = time.monotonic() + READY_TIMEOUT
    while True:
        for line in stdout_path.read_text().splitlines():
            if line.startswith("READY "):
                return line.removeprefix("READY ").strip()
        if process.poll() is not None or time.monotonic() > deadline:
            state = (
                f"exited with {process.returncode}"
                if process.poll() is not None
                else (f"not ready after {READY_TIMEOUT:.0f} s")
            )
            raise RuntimeError(
                f"test OpenID Provider {state}.\nstdout:\n{stdout_path.read_text()}\n"
                f"stderr:\n{stderr_path.read_text()}"
            )
        time.sleep(0.05)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self._in_form = False
        self._done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form" and not self._done:
            self._in_form, self.action = True, attributes.get("action", "")
        elif tag == "input" and self._in_form and "name" in attributes:
            self.fields[attributes["name"]] = attributes.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._in_form:
            self._in_form, self._done = False, True


def parse_form(html: str) -> tuple[str, dict[str, str]]:
    """Return (action, {name: value}) of the first <form> in ``html``.

    For plain HTTP clients: the login page's form (fill ``login`` and ``password``) and the
    logout confirmation page's form (post its fields unchanged) are both the first form.
    """
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    if parser.action is None:
        raise ValueError(f"no <form> in page:\n{html}")
    return parser.action, parser.fields
