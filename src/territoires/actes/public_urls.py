"""Public register of acts, at stable addresses: /registre/<siren>/…"""

from datetime import date

from django.urls import path, register_converter

from territoires.actes.views import public


class IsoDayConverter:
    """A calendar day written YYYY-MM-DD; an impossible date (2026-02-30) does not match: 404."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> date:
        return date.fromisoformat(value)  # ValueError: the URL does not match

    def to_url(self, value) -> str:
        return value.isoformat() if isinstance(value, date) else str(value)


register_converter(IsoDayConverter, "isoday")

app_name = "actes_public"
urlpatterns = [
    path("<str:siren>/", public.acte_list, name="register"),
    path("<str:siren>/actes/<int:pk>/", public.acte_detail, name="acte"),
    path("<str:siren>/actes/<int:pk>/acte.pdf", public.acte_pdf, name="pdf"),
    path("<str:siren>/seances/", public.session_list, name="sessions"),
    path("<str:siren>/seances/<isoday:day>/", public.session_detail, name="session"),
    path("<str:siren>/deliberations.csv", public.deliberations_csv, name="csv"),
]
