"""The two shapes of a button or form posted from an object's page, shared by every service:
run the service, say what happened in French, go back to the page; on a form error, show
the page again with the bound form, so what was typed stays."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect

from territoires.ui.forms import add_service_errors


def page_command(request, command: Callable[[], object], success: str, back: str) -> HttpResponse:
    """A button: `command()`, its French errors or `success` as messages, then `back`."""
    try:
        command()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect(back)


def page_form(request, form, action: Callable[..., object], success: str, back: str,
              again: Callable[[object], HttpResponse]) -> HttpResponse:
    """A form: `action(**cleaned_data)` then `back`; on an error, `again(form)` renders the page
    with the bound form."""
    if form.is_valid():
        try:
            action(**form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, success)
            return redirect(back)
    return again(form)
