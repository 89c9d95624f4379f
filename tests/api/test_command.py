from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.api.conftest import bearer
from tests.factories import UserFactory


def test_command_prints_a_usable_token(client, body, agent):
    out, err = StringIO(), StringIO()
    call_command("api-token", "create", "--body", body.siren, "--user", agent.email.upper(),
                 "--name", "Export", stdout=out, stderr=err)
    secret = out.getvalue().strip()
    assert secret.startswith("trt_")
    assert "plus affiché" in err.getvalue()
    assert client.get("/api/v1/me", headers=bearer(secret)).json()["email"] == agent.email


@pytest.mark.parametrize(
    ("body_arg", "user_arg", "message"),
    [
        ("999999999", None, "Aucun organisme avec le SIREN 999999999."),
        (None, "inconnu@exemple.fr", "Aucun utilisateur avec l'adresse inconnu@exemple.fr."),
        (None, "stranger", "Cette personne n'est pas agent actif de l'organisme."),
    ],
)
def test_command_errors_are_french(body, agent, body_arg, user_arg, message):
    if user_arg == "stranger":
        user_arg = UserFactory().email
    with pytest.raises(CommandError, match=message):
        call_command("api-token", "create", "--body", body_arg or body.siren,
                     "--user", user_arg or agent.email, stdout=StringIO(), stderr=StringIO())
