"""Company space, under /entreprise/: registration by SIRET, colleagues, document safe, alerts."""

app_name = "marches_company"
urlpatterns: list = []
