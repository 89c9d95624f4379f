from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from territoires.tenancy.access import require_platform_perm


@login_required
def dashboard(request):
    require_platform_perm(request.user, "platform.view")
    return render(request, "tenancy/service_placeholder.html", {"service_label": "Back-office"})
