"""Bridge between service errors and forms: the form keeps what was typed."""

import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms import Form
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _


def add_service_errors(form: Form, error: ValidationError) -> None:
    """Attach a service's ValidationError to the matching fields (or to the form)."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class DateInput(forms.DateInput):
    """The browser's date picker; ISO format so the value survives a round trip."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    """The browser's date-time picker, in the platform's time zone (Europe/Paris)."""

    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (the pieces of a 3-4 answer)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ResumableFileInput(MultipleFileInput):
    """A file input whose files the browser sends in pieces that resume after a cut
    (`ui/uploads.js` talking to `core.uploads`); without JavaScript, a plain upload.

    The script's French messages come from here (gettext), in data attributes, and the
    status line it fills is rendered with the input so screen readers hear it.
    """

    def __init__(self, purpose: str, attrs=None):
        super().__init__(attrs)
        self.purpose = purpose

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].update({
            "data-upload-purpose": self.purpose,
            "data-upload-url": reverse("core:uploads"),
            "data-chunk-bytes": str(settings.UPLOAD_CHUNK_BYTES),
            "data-msg-progress": _("Envoi de « {name} » : {percent} %"),
            "data-msg-retry": _("Connexion interrompue : nouvel essai dans {seconds} s (l'envoi reprendra "
                                "là où il s'est arrêté)…"),
            "data-msg-failed": _("L'envoi de « {name} » n'a pas pu se terminer. Choisissez de nouveau le "
                                 "fichier et validez : il reprendra là où il s'est arrêté."),
            "data-msg-done": _("Fichiers reçus, enregistrement…"),
        })
        return context

    def render(self, name, value, attrs=None, renderer=None):
        status = format_html('<p class="upload-status" data-upload-status="{}" role="status" aria-live="polite">'
                             '</p>', name)
        return super().render(name, value, attrs, renderer) + status


class UploadIdsField(forms.CharField):
    """The hidden list of finished resumable uploads the script fills before sending the form."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        ids = []
        for raw in (value or "").split(","):
            if raw.strip():
                try:
                    ids.append(str(uuid.UUID(raw.strip())))
                except ValueError:
                    raise forms.ValidationError(_("Identifiant de téléversement invalide.")) from None
        return ids
