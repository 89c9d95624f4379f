import io

from django.urls import reverse
from PIL import Image

from territoires.journal.models import JournalEntry


def _png(size=(40, 20)) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", size, "#0b5563").save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "logo.png"
    return buffer


def _admin_client(client, admin_agent):
    client.force_login(admin_agent)
    session = client.session
    session["second_factor_ok"] = True
    session.save()
    return client


def test_administrator_updates_profile_and_logo(client, body, admin_agent):
    c = _admin_client(client, admin_agent)
    url = reverse("tenancy:profile", args=[body.siren])
    response = c.post(url, {"address": "1 place de la Mairie", "population": "1500", "logo": _png()})
    assert response.status_code == 302
    body.refresh_from_db()
    assert (body.address, body.population) == ("1 place de la Mairie", 1500)
    assert body.logo.name.startswith("logos/") and body.logo.name.endswith(".png")
    logo = client.get(reverse("ui:logo", args=[body.siren]))
    assert logo.status_code == 200 and logo["Content-Type"] == "image/png"
    assert JournalEntry.objects.filter(body=body, action="body.profile").exists()


def test_fake_or_svg_logo_is_refused_and_values_kept(client, body, admin_agent):
    c = _admin_client(client, admin_agent)
    url = reverse("tenancy:profile", args=[body.siren])
    svg = io.BytesIO(b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    svg.name = "logo.png"
    response = c.post(url, {"address": "2 rue Haute", "population": "10", "logo": svg})
    content = response.content.decode()
    assert response.status_code == 200
    assert "n&#x27;est pas une image lisible" in content
    assert "2 rue Haute" in content
    body.refresh_from_db()
    assert not body.logo


def test_agent_cannot_edit_profile(client, body, agent):
    client.force_login(agent)
    assert client.get(reverse("tenancy:profile", args=[body.siren])).status_code == 403


def test_no_logo_is_404(client, body):
    assert client.get(reverse("ui:logo", args=[body.siren])).status_code == 404
