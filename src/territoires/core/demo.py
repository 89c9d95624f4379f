"""Demo data for the embedded default (`make run`): idempotent, printed logins.

Demo accounts share one password; administrators and operator staff must use
TOTP, so their secrets are fixed and printed, to be added to any
authenticator app (or read with `territoires demo-setup --totp-codes`).
"""

from dataclasses import dataclass

from django.utils import timezone

from territoires.accounts.models import User
from territoires.tenancy.models import Body
from territoires.tenancy.services import body_create, membership_grant, operator_grant

DEMO_PASSWORD = "Demo-Territoires-2026!"  # noqa: S105 (not a secret)


@dataclass(frozen=True)
class DemoAccount:
    email: str
    first_name: str
    last_name: str
    bodies: dict[str, list[str]]
    platform_roles: tuple[str, ...] = ()
    totp_secret: str = ""


DEMO_BODIES = [
    # siren, name, kind, epci_form, insee, population, services
    ("212102313", "Commune de Fleurey-sur-Ouche", "commune", "", "21273", 1350,
     ["actes", "marches", "site", "demarches", "formations"]),
    ("213502388", "Commune de Vitteaux", "commune", "", "21710", 1080, ["actes", "formations"]),
    ("200070852", "Communauté d'agglomération du Val de Saône", "epci", "ca", "", 52000,
     ["actes", "marches", "circuits", "formations"]),
]

DEMO_ACCOUNTS = [
    DemoAccount("secretaire@fleurey.demo", "Claire", "Martin", {"212102313": ["agent"]}),
    DemoAccount("maire@fleurey.demo", "Jean", "Bernard", {"212102313": ["signataire"]}),
    DemoAccount("acheteur@valdesaone.demo", "Lucie", "Girard", {"200070852": ["acheteur"]}),
    DemoAccount("agent.multi@territoires.demo", "Sophie", "Durand",
                {"212102313": ["agent"], "213502388": ["agent", "acheteur"]}),
    DemoAccount("admin@fleurey.demo", "Paul", "Petit", {"212102313": ["administrateur", "agent"]},
                totp_secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"),  # noqa: S106 (not a secret)
    DemoAccount("operateur@territoires.demo", "Nadia", "Robert", {}, ("operateur",),
                totp_secret="KRSXG5DSN5ZGSZLTKRSXG5DSN5ZGSZLT"),  # noqa: S106 (not a secret)
]


def demo_setup() -> list[DemoAccount]:
    for siren, name, kind, epci_form, insee, population, services in DEMO_BODIES:
        if not Body.objects.filter(siren=siren).exists():
            body_create(actor=None, siren=siren, name=name, kind=kind, epci_form=epci_form,
                        insee_code=insee, population=population, services=services)
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(email=account.email).first()
        if user is None:
            user = User.objects.create_user(account.email, DEMO_PASSWORD,
                                            first_name=account.first_name, last_name=account.last_name)
        if account.totp_secret and not user.totp_confirmed_at:
            user.totp_secret = account.totp_secret
            user.totp_confirmed_at = timezone.now()
            user.save(update_fields=["totp_secret", "totp_confirmed_at"])
        for siren, roles in account.bodies.items():
            membership_grant(actor=None, body=Body.objects.get(siren=siren), user=user, roles=roles)
        if account.platform_roles:
            operator_grant(actor=None, user=user, roles=list(account.platform_roles))
    try:
        from territoires.formations.demo import create_demo_sessions
    except ImportError:  # the training app may not provide demo data
        pass
    else:
        create_demo_sessions()
    from territoires.actes.demo import create_demo_actes

    create_demo_actes()
    from territoires.marches.demo import create_demo_consultations

    create_demo_consultations()
    return DEMO_ACCOUNTS
