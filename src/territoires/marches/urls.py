"""Buyer pages, under /o/<siren>/marches/ (the active body is in the URL)."""

app_name = "marches"
urlpatterns: list = []
