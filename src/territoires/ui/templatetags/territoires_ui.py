"""Small presentation helpers shared by every app's templates."""

from django import template

register = template.Library()


@register.filter
def labels(items) -> str:
    """'Agent, Signataire ou élu' from roles (or anything with a `label`)."""
    return ", ".join(str(item.label) for item in items)
