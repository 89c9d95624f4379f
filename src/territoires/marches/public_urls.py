"""The public portal, under /marches/: search, notices, consultations, DCE, awarded contracts."""

from django.urls import path

from territoires.marches.views import portal

app_name = "marches_public"
urlpatterns: list = [
    path("", portal.notice_list, name="search"),
    path("avis.atom", portal.notice_feed, name="feed"),
    path("avis/<int:pk>/", portal.notice_detail, name="notice"),
    path("avis/<int:pk>/xml", portal.notice_xml, name="notice_xml"),
]

# Consultation pages (details, DCE, questions, awarded contracts) share the namespace.
from territoires.marches.consultation_urls import urlpatterns as consultation_patterns  # noqa: E402

urlpatterns += consultation_patterns
