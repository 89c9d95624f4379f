"""Small presentation helpers shared by every app's templates."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def labels(items) -> str:
    """'Agent, Signataire ou élu' from roles (or anything with a `label`)."""
    return ", ".join(str(item.label) for item in items)


@register.simple_tag
def form_field(field) -> str:
    """One field as every form of the platform lays it out: the label (and « obligatoire »),
    the hint, the widget, then the errors; a fieldset for grouped choices, the label after a
    checkbox. The widget links the hint itself (Django's aria-describedby).

    Written in Python rather than as an included template: a search form has ten fields,
    and a template per field cost about a millisecond per page, a tenth of it.
    """
    required = format_html(' <span class="muted">({})</span>', _("obligatoire")) if field.field.required else ""
    hint = (format_html('<span class="hint" id="{}_helptext">{}</span>', field.auto_id, field.help_text)
            if field.help_text else "")
    if field.use_fieldset:
        body = format_html("<fieldset><legend>{}{}</legend>{}{}</fieldset>", field.label, required, hint, field)
    elif field.widget_type == "checkbox":
        body = format_html('<label class="checkbox" for="{}">{} {}</label>', field.id_for_label, field,
                           field.label)
    else:
        body = format_html('<label for="{}">{}{}</label>{}{}', field.id_for_label, field.label, required, hint,
                           field)
    errors = format_html_join("", '<p class="error-text" id="{}_error">{}</p>',
                              ((field.auto_id, error) for error in field.errors))
    return format_html('<div class="form-group{}">{}{}</div>', " field-error" if field.errors else "", body,
                       errors)
