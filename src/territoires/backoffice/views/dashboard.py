from django.shortcuts import render

from territoires.backoffice.charts import bar_chart
from territoires.backoffice.selectors import platform_figures
from territoires.backoffice.views.common import operator_view


@operator_view("platform.view")
def dashboard(request):
    figures = platform_figures(actor=request.user)
    return render(
        request,
        "backoffice/dashboard.html",
        {
            "figures": figures,
            "kind_chart": bar_chart(figures.bodies_by_kind),
            "service_chart": bar_chart(figures.subscriptions_by_service),
            "nav_current": "dashboard",
        },
    )
