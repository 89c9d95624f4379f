"""Small presentation helpers shared by every app's templates."""

from html import escape as _escape

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def labels(items) -> str:
    """'Agent, Signataire ou élu' from roles (or anything with a `label`)."""
    return ", ".join(str(item.label) for item in items)


def _html(value) -> str:
    """`conditional_escape` without Django's lazy-string wrapper around it (called ~50 times per
    form): safe HTML (a widget, a SafeString) as it is, anything else escaped."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return _escape(str(value))


@register.simple_tag
def form_field(field) -> str:
    """One field as every form of the platform lays it out: the label (and « obligatoire »),
    the hint, the widget, then the errors; a fieldset for grouped choices, the label after a
    checkbox. The widget links the hint itself (Django's aria-describedby).

    Written in Python rather than as an included template: a search form has ten fields,
    and a template per field cost about a millisecond per page, a tenth of it.
    """
    label, auto_id = _html(field.label), _html(field.auto_id)
    required = f' <span class="muted">({_html(_("obligatoire"))})</span>' if field.field.required else ""
    hint = f'<span class="hint" id="{auto_id}_helptext">{_html(field.help_text)}</span>' if field.help_text else ""
    widget = _html(field)
    if field.use_fieldset:
        body = f"<fieldset><legend>{label}{required}</legend>{hint}{widget}</fieldset>"
    elif field.widget_type == "checkbox":
        body = f'<label class="checkbox" for="{_html(field.id_for_label)}">{widget} {label}</label>'
    else:
        body = f'<label for="{_html(field.id_for_label)}">{label}{required}</label>{hint}{widget}'
    errors = field.errors
    # One element carries the id the widget's aria-describedby names, whatever the number of errors.
    messages = (f'<div id="{auto_id}_error">'
                + "".join(f'<p class="error-text">{_html(error)}</p>' for error in errors) + "</div>"
                if errors else "")
    return mark_safe(  # noqa: S308 (every piece is escaped above)
        f'<div class="form-group{" field-error" if errors else ""}">{body}{messages}</div>')
