"""Reading PDFs back in tests with poppler, an implementation independent from ours."""

import re
import subprocess
import tempfile
from pathlib import Path


def pdftotext(data: bytes) -> str:
    """The text poppler renders, annotations (stamps) included, in reading layout."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "document.pdf"
        path.write_bytes(data)
        result = subprocess.run(["/usr/bin/pdftotext", "-layout", str(path), "-"], capture_output=True,
                                text=True, timeout=30, check=True)
    return result.stdout


def _run_on_file(command: list[str], data: bytes) -> str:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "document.pdf"
        path.write_bytes(data)
        return subprocess.run([*command, str(path)], capture_output=True, text=True, timeout=30).stdout


def pdfsig(data: bytes) -> list[dict[str, str]]:
    """poppler's independent verdict: one {field: value} per signature.

    -nocert skips the certificate check (NSS would call our CA unknown, which
    is expected); the signature validation line is what we compare.
    """
    signatures: list[dict[str, str]] = []
    for line in _run_on_file(["/usr/bin/pdfsig", "-nocert"], data).splitlines():
        if re.match(r"^Signature #\d+:", line):
            signatures.append({})
        elif signatures and (match := re.match(r"^\s+- ([^:]+): (.*)$", line)):
            signatures[-1][match[1]] = match[2]
        elif signatures and (match := re.match(r"^\s+- (.*)$", line)):
            signatures[-1][match[1]] = ""
    return signatures
