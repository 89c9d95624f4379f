"""Daily e-mails of the company space: digests of saved searches and expiry reminders.

Both jobs are idempotent. The digest moves each search's `last_digest_at` in the
transaction that schedules the e-mail (sent on commit), so a second run finds
nothing new; a reminder sets `reminded_at` the same way, once per threshold.
"""

from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import ngettext

from territoires.accounts.models import CompanyMembership, User
from territoires.core.mail import email_schedule
from territoires.core.schedule import periodic
from territoires.marches.models import CompanyDocument, SavedSearch
from territoires.marches.search import SearchParams, notice_search

DIGEST_LIMIT = 50
"""Notices listed per search in one digest; beyond, the e-mail links to the portal."""

REMINDER_DAYS = (30, 7)
"""Reminders before a document expires, in days: one e-mail at each threshold."""


def _portal_url(query: dict) -> str:
    try:
        path = reverse("marches_public:search")
    except NoReverseMatch:
        path = "/marches/"
    return settings.PUBLIC_URL + path + (f"?{urlencode(query)}" if query else "")


def _home_url() -> str:
    return settings.PUBLIC_URL + reverse("marches_company:home")


def _notice_url(notice) -> str:
    try:
        return settings.PUBLIC_URL + reverse("marches_public:notice", args=[notice.pk])
    except NoReverseMatch:
        return notice.url or ""


def _new_notices(search: SavedSearch, now):
    params, _errors = SearchParams.from_query(search.params or {})  # a field gone invalid is ignored
    since = search.last_digest_at or search.created_at
    page = notice_search(params, limit=DIGEST_LIMIT, imported_since=since)
    # A notice imported during this run belongs to the next digest (it is >= now then).
    items = [n for n in page.items if n.imported_at < now]
    return items, (page.capped or page.total > DIGEST_LIMIT)


def alerts_send_digest(now=None) -> int:
    """E-mail each user the notices new since their last digest, all searches in one e-mail.

    Returns the number of e-mails scheduled. Nothing is sent to a user with
    nothing new; users who left every company are skipped.
    """
    now = now or timezone.now()
    user_ids = (
        SavedSearch.objects.filter(is_active=True, user__is_active=True, created_at__lte=now)
        .filter(user__in=CompanyMembership.objects.values("user"))
        .values_list("user", flat=True).distinct().order_by("user")
    )
    sent = 0
    for user_id in list(user_ids):
        with transaction.atomic():
            # Locking the user's searches serialises two digests running at once.
            searches = list(
                SavedSearch.objects.select_for_update()
                .filter(user_id=user_id, is_active=True, created_at__lte=now).order_by("name", "pk")
            )
            sections = []
            for search in searches:
                if search.last_digest_at and search.last_digest_at >= now:
                    continue  # already covered by a run at this time or later
                items, more = _new_notices(search, now)
                if items:
                    sections.append({"search": search, "notices": [
                        {"notice": n, "url": _notice_url(n)} for n in items], "more": more,
                        "url": _portal_url(search.params or {})})
            for search in searches:
                if not search.last_digest_at or search.last_digest_at < now:
                    search.last_digest_at = now
                    search.save(update_fields=["last_digest_at"])
            if not sections:
                continue
            user = User.objects.get(pk=user_id)
            count = len({row["notice"].pk for section in sections for row in section["notices"]})
            email_schedule(
                to=user.email,
                subject=ngettext(
                    "%(count)s nouvel avis pour vos alertes – Territoires",
                    "%(count)s nouveaux avis pour vos alertes – Territoires", count,
                ) % {"count": count},
                template="marches/emails/digest.txt",
                context={"user": user, "sections": sections, "home_url": _home_url()},
            )
            sent += 1
    return sent


def documents_remind(now=None) -> int:
    """E-mail a company's users 30 days and again 7 days before a document of its safe
    expires. Returns the number of documents reminded; `reminded_at` stops repeats."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    horizon = today + timedelta(days=max(REMINDER_DAYS))
    candidates = (
        CompanyDocument.objects.filter(valid_until__gte=today, valid_until__lte=horizon)
        .values_list("company_id", flat=True).distinct().order_by("company_id")
    )
    reminded = 0
    for company_id in list(candidates):
        with transaction.atomic():
            documents = list(
                CompanyDocument.objects.select_for_update()
                .filter(company_id=company_id, valid_until__gte=today, valid_until__lte=horizon)
                .order_by("valid_until", "pk")
            )
            due = []
            for document in documents:
                days_left = (document.valid_until - today).days
                threshold = min(d for d in REMINDER_DAYS if d >= days_left)
                window_start = document.valid_until - timedelta(days=threshold)
                if document.reminded_at and timezone.localdate(document.reminded_at) >= window_start:
                    continue  # already reminded at this threshold
                due.append({"document": document, "days_left": days_left})
            if not due:
                continue
            recipients = list(
                CompanyMembership.objects.filter(company_id=company_id, user__is_active=True)
                .order_by("user__email").values_list("user__email", flat=True)
            )
            for item in due:
                item["document"].reminded_at = now
                item["document"].save(update_fields=["reminded_at"])
            reminded += len(due)
            if not recipients:
                continue
            company = due[0]["document"].company
            email_schedule(
                to=recipients,
                subject=ngettext(
                    "Coffre-fort de l'entreprise %(company)s : un document arrive à expiration",
                    "Coffre-fort de l'entreprise %(company)s : %(count)s documents arrivent à expiration",
                    len(due),
                ) % {"company": company.name, "count": len(due)},
                template="marches/emails/document_reminder.txt",
                context={"company": company, "items": due, "home_url": _home_url()},
            )
    return reminded


@periodic(every=timedelta(days=1))
@task()
def send_alert_digests() -> int:
    """Daily digest of the companies' saved searches."""
    return alerts_send_digest()


@periodic(every=timedelta(days=1))
@task()
def remind_expiring_documents() -> int:
    """Daily reminders of documents about to expire in the companies' safes."""
    return documents_remind()

