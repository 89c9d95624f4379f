"""The one place that answers "may this user do P in this body?".

Permissions are the union of the permission codes of the user's roles in an
active membership of an active body. They are computed once per user object
and cached on it (a request holds one user object).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q

from territoires.tenancy.models import Body, Membership, OperatorStaff, Role, Service, Subscription

_CACHE_ATTR = "_territoires_perms"


def _cache(user) -> dict:
    cache = getattr(user, _CACHE_ATTR, None)
    if cache is None:
        cache = {}
        setattr(user, _CACHE_ATTR, cache)
    return cache


def clear_cache(user) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def body_permissions(user, body: Body) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False) or not user.is_active or not body.is_active:
        return frozenset()
    cache = _cache(user)
    key = ("body", body.pk)
    if key not in cache:
        membership = (
            Membership.objects.filter(user=user, body=body, is_active=True)
            .prefetch_related("roles")
            .first()
        )
        perms: set[str] = set()
        if membership is not None:
            for role in membership.roles.all():
                perms.update(role.permissions)
        cache[key] = frozenset(perms)
    return cache[key]


def platform_permissions(user) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cache = _cache(user)
    if "platform" not in cache:
        staff = OperatorStaff.objects.filter(user=user).prefetch_related("roles").first()
        perms: set[str] = set()
        if staff is not None:
            for role in staff.roles.all():
                perms.update(role.permissions)
        cache["platform"] = frozenset(perms)
    return cache["platform"]


def has_perm(user, body: Body, perm: str) -> bool:
    return perm in body_permissions(user, body)


def holds_perm_anywhere(user, perm: str) -> bool:
    """Whether the user holds `perm` in at least one active body (for personal settings)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    # Roles are a handful of rows; JSON containment is not portable to SQLite.
    role_ids = [role.pk for role in Role.objects.all() if perm in role.permissions]
    return Membership.objects.filter(user=user, is_active=True, body__is_active=True, roles__in=role_ids).exists()


def require_perm(user, body: Body, perm: str) -> None:
    if not has_perm(user, body, perm):
        raise PermissionDenied(perm)


def require_platform_perm(user, perm: str) -> None:
    if perm not in platform_permissions(user):
        raise PermissionDenied(perm)


def prime(user, body_access) -> None:
    """Seed the caches from `selectors.body_access_for_user` (body_view)."""
    _cache(user)[("body", body_access.body.pk)] = body_access.permissions
    body_access.body._active_services = body_access.services


def active_services(body: Body) -> list[str]:
    """Subscribed services, cached on the body object (fetched once per request)."""
    services = getattr(body, "_active_services", None)
    if services is None:
        services = list(
            Subscription.objects.filter(body=body, is_active=True).values_list("service", flat=True)
        )
        body._active_services = services
    return services


def forget_services(body: Body) -> None:
    body.__dict__.pop("_active_services", None)


def require_service(body: Body, service: Service | str) -> None:
    """A service switched off for a body is unreachable, whatever the roles."""
    if service not in active_services(body):
        raise PermissionDenied(f"service {service} off")


def requires_second_factor(user) -> bool:
    """Operator staff and body administrators must use TOTP (one query, cached)."""
    if not getattr(user, "is_authenticated", False):
        return False
    cache = _cache(user)
    if "second_factor" not in cache:
        cache["second_factor"] = (
            Role.objects.filter(requires_second_factor=True)
            .filter(
                Q(Exists(OperatorStaff.roles.through.objects.filter(
                    role=OuterRef("pk"), operatorstaff__user=user)))
                | Q(Exists(Membership.roles.through.objects.filter(
                    role=OuterRef("pk"), membership__user=user, membership__is_active=True,
                    membership__body__is_active=True)))
            )
            .exists()
        )
    return cache["second_factor"]
