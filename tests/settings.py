"""Test settings: production code paths, with the guards of les-emplois."""

from territoires.config.settings import *  # noqa: F403
from territoires.config.settings import TEMPLATES


class InvalidTemplateVariable(str):
    """Fail the test on any unknown template variable instead of printing ''."""

    def __mod__(self, other):
        raise AssertionError(f"Variable de gabarit inconnue : {other!r}")


TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = InvalidTemplateVariable("%s")
# Hashing speed only; production keeps argon2 (tested in tests/accounts).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
