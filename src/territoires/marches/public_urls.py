"""The public portal, under /marches/: search, notices, consultations, DCE, awarded contracts."""

app_name = "marches_public"
urlpatterns: list = []
