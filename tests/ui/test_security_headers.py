from django.urls import reverse


def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get(reverse("accounts:login"))
    policy = response["Content-Security-Policy"]
    directives = dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";") if part.strip()
    )
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_html_pages_have_no_inline_script_or_style(client):
    for name in ("root", "accounts:login", "tenancy:adhesion", "formations:catalogue", "ui:accessibility"):
        content = client.get(reverse(name)).content.decode()
        assert "<script>" not in content and "<style" not in content and " style=" not in content


def test_forms_are_protected_by_csrf(client, body, agent):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("accounts:login"), {"email": agent.email, "password": "x"})
    assert response.status_code == 403
    assert "Le formulaire a expiré" in response.content.decode()
