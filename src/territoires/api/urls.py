from territoires.api.root import api

urlpatterns = api.urls[0]
app_name = api.urls[1]
