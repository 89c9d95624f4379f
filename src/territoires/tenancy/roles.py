"""Default roles and the permissions they grant.

Roles are rows (`tenancy.Role`), seeded from this table by a data migration;
services only ever ask "does this actor hold permission P in body B?"
(`tenancy.access.has_perm`). A new service adds its roles and permissions
here and in a migration, never as ad-hoc checks in views.
"""

from django.utils.translation import gettext_lazy as _

BODY = "body"
PLATFORM = "platform"

# Permission codes, grouped by service.
PERMISSIONS: dict[str, str] = {
    "body.view": _("Consulter l'espace de l'organisme"),
    "body.manage_agents": _("Inviter les agents et gérer leurs rôles"),
    "body.read_journal": _("Lire le journal de l'organisme"),
    "body.manage_api_tokens": _("Créer et révoquer les jetons d'API"),
    "body.edit_profile": _("Modifier la fiche de l'organisme"),
    "formations.register": _("Inscrire des agents aux formations"),
    "actes.view": _("Consulter les actes et le courrier de la préfecture"),
    "actes.draft": _("Préparer les actes"),
    "actes.sign": _("Signer les actes"),
    "actes.transmit": _("Télétransmettre les actes et répondre à la préfecture"),
    "actes.publish": _("Publier les actes"),
    "marches.manage": _("Gérer les consultations"),
    "marches.open_bids": _("Ouvrir les plis"),
    "circuits.manage": _("Gérer les achats de la cantine"),
    "site.edit": _("Modifier le site internet"),
    "demarches.instruct": _("Instruire les démarches"),
    "platform.view": _("Consulter le back-office de l'opérateur"),
    "platform.manage_bodies": _("Gérer les organismes et leurs abonnements"),
    "platform.approve_memberships": _("Valider les demandes d'adhésion"),
    "platform.manage_agents": _("Gérer les agents de tous les organismes"),
    "platform.view_tasks": _("Suivre les tâches de fond"),
    "platform.manage_training": _("Gérer le catalogue de formations"),
}

# code: (scope, label, permissions, requires second factor)
DEFAULT_ROLES: dict[str, tuple[str, str, list[str], bool]] = {
    "administrateur": (
        BODY,
        "Administrateur de l'organisme",
        [
            "body.view",
            "body.manage_agents",
            "body.read_journal",
            "body.manage_api_tokens",
            "body.edit_profile",
            "formations.register",
            "actes.view",
        ],
        True,
    ),
    "agent": (
        BODY,
        "Agent",
        ["body.view", "actes.view", "actes.draft", "actes.transmit", "actes.publish"],
        False,
    ),
    "signataire": (BODY, "Signataire ou élu", ["body.view", "actes.view", "actes.sign"], False),
    "acheteur": (BODY, "Acheteur", ["body.view", "marches.manage"], False),
    "commission": (BODY, "Membre de commission", ["body.view", "marches.open_bids"], False),
    "cantine": (BODY, "Gestionnaire de cantine", ["body.view", "circuits.manage"], False),
    "editeur_site": (BODY, "Éditeur du site", ["body.view", "site.edit"], False),
    "operateur": (
        PLATFORM,
        "Opérateur (administration de la plateforme)",
        [
            "platform.view",
            "platform.manage_bodies",
            "platform.approve_memberships",
            "platform.manage_agents",
            "platform.view_tasks",
            "platform.manage_training",
        ],
        True,
    ),
    "support": (PLATFORM, "Support", ["platform.view", "platform.view_tasks"], True),
    "formateur": (PLATFORM, "Responsable formation", ["platform.view", "platform.manage_training"], True),
}


def seed_roles(Role) -> None:
    """Create or update the default roles; used by migrations and tests."""
    for code, (scope, label, permissions, needs_2fa) in DEFAULT_ROLES.items():
        Role.objects.update_or_create(
            code=code,
            defaults={
                "scope": scope,
                "label": label,
                "permissions": permissions,
                "requires_second_factor": needs_2fa,
            },
        )
