from django.shortcuts import render

from territoires.tenancy.models import Service
from territoires.tenancy.views import body_view


def catalogue(request):
    return render(request, "tenancy/service_placeholder.html", {"service_label": "Formations"})


@body_view(service=Service.FORMATIONS)
def body_home(request, body):
    return render(request, "tenancy/service_placeholder.html", {"service_label": "Formations"})
