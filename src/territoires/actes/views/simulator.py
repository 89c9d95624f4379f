"""The prefecture simulator's HTTP door (only when ACTES_TRANSPORT is `simulator`).

CSRF protection does not apply: this endpoint stands for the ministry's
server, is called machine to machine without cookies or session, and
changes nothing in the platform's database.
"""

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from territoires.actes import simulator


@csrf_exempt
@require_POST
def depot(request):
    if settings.ACTES_TRANSPORT != "simulator":
        raise Http404
    if len(request.FILES) != 1:
        return HttpResponseBadRequest("Une seule archive .tar.gz est attendue.", content_type="text/plain")
    upload = next(iter(request.FILES.values()))
    simulator.receive(
        upload.name, upload.read(), folder=settings.ACTES_SIMULATOR_DIR, delay=settings.ACTES_SIMULATOR_DELAY,
        now=timezone.now(), today=timezone.localdate(), reference_dir=settings.REFERENCE_DATA_DIR,
    )
    return HttpResponse("OK", content_type="text/plain")
