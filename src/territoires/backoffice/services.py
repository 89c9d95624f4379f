"""Operator writes that the tenancy services do not cover.

Same rules as territoires.tenancy.services: keyword-only, one transaction,
platform permission checked first, journal written. Creating bodies,
subscriptions, adhésions, invitations and grants stay in tenancy.services.
"""

from django.db import transaction

from territoires.journal.services import journal_record
from territoires.tenancy import access
from territoires.tenancy import services as tenancy_services
from territoires.tenancy.models import Body, Commune, Membership

BODY_EDITABLE_FIELDS = (
    "name",
    "kind",
    "epci_form",
    "insee_code",
    "departement",
    "arrondissement",
    "population",
    "nuts3",
    "address",
)


def body_update(*, actor, body: Body, **fields) -> Body:
    """Change a body's descriptive fields; the SIREN never changes (it is the tenant's key)."""
    access.require_platform_perm(actor, "platform.manage_bodies")
    unknown = set(fields) - set(BODY_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        body = Body.objects.select_for_update().get(pk=body.pk)
        changed = [name for name, value in fields.items() if getattr(body, name) != value]
        for name in changed:
            setattr(body, name, fields[name])
        if "insee_code" in changed:
            body.commune = (
                Commune.objects.filter(insee_code=body.insee_code).first()
                if body.insee_code
                else None
            )
            changed.append("commune")
        body.full_clean()
        if changed:
            body.save(update_fields=changed)
            journal_record(
                actor=actor,
                action="body.update",
                body=body,
                target=body,
                summary=body.name,
                payload={name: getattr(body, name) for name in changed if name != "commune"},
            )
    return body


def body_set_active(*, actor, body: Body, is_active: bool) -> None:
    """Suspend or restore a body: a suspended body's agents lose access to it (access.py)."""
    access.require_platform_perm(actor, "platform.manage_bodies")
    with transaction.atomic():
        updated = (
            Body.objects.filter(pk=body.pk).exclude(is_active=is_active).update(is_active=is_active)
        )
        body.is_active = is_active
        if updated:
            journal_record(
                actor=actor,
                action="body.activate" if is_active else "body.deactivate",
                body=body,
                target=body,
                summary=body.name,
            )


def membership_revoke(*, actor, membership: Membership) -> None:
    """An operator withdraws an agent's access to a body (e.g. at the body's request).

    Operator-only entry point to the one tenancy service that withdraws access.
    """
    access.require_platform_perm(actor, "platform.manage_agents")
    tenancy_services.membership_deactivate(actor=actor, membership=membership)
