"""The déféré window, table-driven (CGCT L2131-6)."""

from datetime import date

import pytest

from territoires.actes.deadlines import add_months, defere_window

D = date


@pytest.mark.parametrize(("day", "months", "expected"), [
    (D(2026, 3, 2), 2, D(2026, 5, 2)),
    (D(2026, 12, 31), 2, D(2027, 2, 28)),
    (D(2027, 12, 31), 2, D(2028, 2, 29)),
    (D(2026, 11, 15), 2, D(2027, 1, 15)),
])
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(("received", "events", "start", "end", "suspended"), [
    # Plain AR: two months from receipt.
    (D(2026, 3, 2), [], D(2026, 3, 2), D(2026, 5, 2), False),
    # A simple letter moves nothing.
    (D(2026, 3, 2), [("2-1", D(2026, 3, 20))], D(2026, 3, 2), D(2026, 5, 2), False),
    # Request for documents: suspended until its acknowledged answer.
    (D(2026, 3, 2), [("3-1", D(2026, 3, 20))], None, None, True),
    (D(2026, 3, 2), [("3-1", D(2026, 3, 20)), ("3-5", D(2026, 4, 10))], D(2026, 4, 10), D(2026, 6, 10), False),
    # Observations answered within two months: from the answer's receipt.
    (D(2026, 3, 2), [("4-1", D(2026, 4, 1)), ("4-5", D(2026, 4, 20))], D(2026, 4, 20), D(2026, 6, 20), False),
    # Observations unanswered: implicit rejection two months later, then two more months.
    (D(2026, 3, 2), [("4-1", D(2026, 4, 1))], D(2026, 6, 1), D(2026, 8, 1), False),
    # An answer after the implicit rejection changes nothing.
    (D(2026, 3, 2), [("4-1", D(2026, 4, 1)), ("4-5", D(2026, 7, 1))], D(2026, 6, 1), D(2026, 8, 1), False),
    # No AR yet: no window.
    (None, [], None, None, False),
])
def test_defere_window(received, events, start, end, suspended):
    window = defere_window(received, events)
    assert (window.start, window.end, window.suspended) == (start, end, suspended)
