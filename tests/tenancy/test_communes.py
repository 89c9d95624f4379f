from django.core.management import call_command

from territoires.tenancy.models import Commune


def test_communes_load_is_idempotent_and_keeps_coordinates(capsys):
    call_command("communes", "load")
    assert "3734 créées" in capsys.readouterr().out
    call_command("communes", "load")
    assert "0 créées, 0 mises à jour" in capsys.readouterr().out
    dijon = Commune.objects.get(insee_code="21231")
    assert dijon.name == "Dijon" and dijon.departement == "21"
    assert 47.2 < float(dijon.latitude) < 47.4 and 4.9 < float(dijon.longitude) < 5.1
