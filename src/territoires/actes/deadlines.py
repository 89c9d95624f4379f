"""The prefect's déféré window (CGCT L2131-6), computed from what was exchanged.

The prefect may refer an act to the administrative court within two months
of receiving it. Two prefecture letters move that window:

- a request for missing documents (3-1) restarts it when the prefecture
  receives the documents (3-4) or our refusal (3-3): the date of its
  acknowledgement 3-5; until then the window is suspended;
- a letter of observations (recours gracieux, 4-1) restarts it from our
  answer's receipt (4-5), or — without an answer — from the implicit
  rejection two months after the letter.

A mere simple letter (2-1) moves nothing (CE 15 May 2013, n° 357031).
Calendar months: a window opened on 31 December closes on 28/29 February.
"""

import calendar
from dataclasses import dataclass
from datetime import date


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Window:
    start: date | None
    end: date | None
    suspended: bool
    reason: str  # which event opened the current window, in French


def defere_window(received_on: date | None, events: list[tuple[str, date]]) -> Window:
    """The current window from the AR date and the dated message codes exchanged since.

    `events` holds (code, date) pairs: "3-1" and "4-1" at the prefecture's
    letter date, "3-5" and "4-5" at their DateReception.
    """
    if received_on is None:
        return Window(None, None, False, "")
    start, reason, suspended = received_on, "Réception de l'acte par la préfecture", False
    observations_on = None
    for code, day in sorted(events, key=lambda event: (event[1], event[0])):  # a letter before its AR
        if code == "3-1":
            suspended, reason = True, "Demande de pièces complémentaires : délai suspendu jusqu'à la réponse"
        elif code == "3-5" and suspended:
            start, suspended, reason = day, False, "Réception de la réponse à la demande de pièces"
        elif code == "4-1":
            observations_on = day
            start, reason = add_months(day, 2), "Rejet implicite du recours gracieux (deux mois après la lettre)"
        elif code == "4-5" and observations_on and day < add_months(observations_on, 2):
            start, reason = day, "Réception de la réponse à la lettre d'observations"
    if suspended:
        return Window(None, None, True, reason)
    return Window(start, add_months(start, 2), False, reason)
