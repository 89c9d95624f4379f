"""Django-free exchange formats and identifiers. Dataclasses in, bytes out."""
