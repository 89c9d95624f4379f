"""The one exception services raise when an actor may not do something."""

from django.core.exceptions import PermissionDenied

__all__ = ["PermissionDenied"]
