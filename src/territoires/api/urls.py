from django.urls import path

from territoires.api.docs import docs_asset
from territoires.api.root import api

urlpatterns = [
    path("docs/assets/<str:name>", docs_asset, name="docs_asset"),
    *api.urls[0],
]
app_name = api.urls_namespace  # "api": ninja reverses "api:openapi-json"
