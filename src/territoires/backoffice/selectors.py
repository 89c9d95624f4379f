"""Platform-wide reads for the operator's back office.

Operators see every body, so these selectors are not tenant-scoped: each one
checks the actor's platform permission itself, so that no caller can forget it.
"""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django_tasks_db.models import DBTaskResult

from territoires.accounts.models import User
from territoires.interop.siren import normalize
from territoires.tenancy.access import require_platform_perm
from territoires.tenancy.kinds import BodyKind
from territoires.tenancy.models import (
    Body,
    Commune,
    Membership,
    MembershipRequest,
    MembershipRequestStatus,
    Service,
    Subscription,
)

FAILED = "FAILED"


@dataclass(frozen=True)
class PlatformFigures:
    bodies: int
    bodies_by_kind: list[tuple[str, int]]
    communes: int
    member_communes: int
    subscriptions_by_service: list[tuple[str, int]]
    pending_requests: int
    agents: int
    failed_tasks: int


def platform_figures(*, actor) -> PlatformFigures:
    """The dashboard's figures, in a handful of aggregate queries."""
    require_platform_perm(actor, "platform.view")
    active = Body.objects.filter(is_active=True)
    per_kind = dict(active.values_list("kind").annotate(n=Count("pk")).order_by())
    per_service = dict(
        Subscription.objects.filter(is_active=True, body__is_active=True)
        .values_list("service")
        .annotate(n=Count("pk"))
        .order_by()
    )
    member_communes = Commune.objects.filter(
        pk__in=active.filter(commune__isnull=False).values("commune")
    ).count()
    return PlatformFigures(
        bodies=sum(per_kind.values()),
        bodies_by_kind=[(str(label), per_kind.get(code, 0)) for code, label in BodyKind.choices],
        communes=Commune.objects.count(),
        member_communes=member_communes,
        subscriptions_by_service=[
            (str(label), per_service.get(code, 0)) for code, label in Service.choices
        ],
        pending_requests=MembershipRequest.objects.filter(
            status=MembershipRequestStatus.PENDING
        ).count(),
        agents=Membership.objects.filter(is_active=True, body__is_active=True, user__is_active=True)
        .values("user")
        .distinct()
        .count(),
        failed_tasks=DBTaskResult.objects.filter(status=FAILED).count(),
    )


def bodies_search(*, actor, q: str = "", kind: str = "", service: str = "") -> QuerySet[Body]:
    """Bodies matching a name or SIREN fragment, a kind and an active service."""
    require_platform_perm(actor, "platform.view")
    bodies = Body.objects.all()
    q = q.strip()
    if q:
        digits = normalize(q)
        match = Q(name__icontains=q)
        if digits.isdigit():
            match |= Q(siren__startswith=digits)
        bodies = bodies.filter(match)
    if kind:
        bodies = bodies.filter(kind=kind)
    if service:
        bodies = bodies.filter(
            pk__in=Subscription.objects.filter(service=service, is_active=True).values("body")
        )
    return bodies.order_by("name")


def body_get(*, actor, siren: str) -> Body:
    require_platform_perm(actor, "platform.view")
    return Body.objects.get(siren=siren)


def body_subscriptions(*, body: Body) -> list[str]:
    return list(body.subscriptions.filter(is_active=True).values_list("service", flat=True))


def membership_requests(*, actor, status: str = "") -> QuerySet[MembershipRequest]:
    require_platform_perm(actor, "platform.approve_memberships")
    requests = MembershipRequest.objects.select_related("decided_by", "body")
    if status:
        requests = requests.filter(status=status)
    return requests.order_by("-created_at")


def users_search(*, actor, q: str = "") -> QuerySet[User]:
    """Users matching an e-mail or name fragment, with their number of active memberships."""
    require_platform_perm(actor, "platform.manage_agents")
    users = User.objects.all()
    for word in q.split():
        users = users.filter(
            Q(email__icontains=word) | Q(first_name__icontains=word) | Q(last_name__icontains=word)
        )
    return users.annotate(
        active_memberships=Count("memberships", filter=Q(memberships__is_active=True))
    ).order_by("email")


def user_memberships(*, actor, user: User) -> QuerySet[Membership]:
    require_platform_perm(actor, "platform.manage_agents")
    return (
        Membership.objects.filter(user=user)
        .select_related("body")
        .prefetch_related("roles")
        .order_by("body__name")
    )


def task_results(*, actor, status: str = "") -> QuerySet[DBTaskResult]:
    """Background task rows, newest first (the backend's own order is for workers)."""
    require_platform_perm(actor, "platform.view_tasks")
    results = DBTaskResult.objects.all()
    if status:
        results = results.filter(status=status)
    return results.order_by("-enqueued_at")


def task_status_counts(*, actor) -> dict[str, int]:
    require_platform_perm(actor, "platform.view_tasks")
    return dict(DBTaskResult.objects.values_list("status").annotate(n=Count("pk")).order_by())
