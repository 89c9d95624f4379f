"""Salle des marchés: consultations of the region's buyers, the public notice index,
and what companies keep here (profile, document safe, saved searches, candidatures).

Two worlds meet in `Notice`: every consultation we publish gets one, and every
notice imported from TED or BOAMP gets one. The portal searches `Notice` only,
so our tenders and the State's look and behave the same for a company.

Bids (deposit, sealing, opening) come with the next issue: they will hang off
`Consultation` and `Lot` and use `closes_at` as the legal deadline; nothing
here presumes how they are stored.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Nature(models.TextChoices):
    """contract-nature of eForms (BT-23), the values TED and our notices share."""

    WORKS = "works", _("Travaux")
    SUPPLIES = "supplies", _("Fournitures")
    SERVICES = "services", _("Services")


class Procedure(models.TextChoices):
    """Procedure types: eForms `procurement-procedure-type` codes, plus the French MAPA
    and concessions, which eForms spells differently (E3 notices, directive 2014/23)."""

    MAPA = "mapa", _("Procédure adaptée (MAPA)")
    OPEN = "open", _("Appel d'offres ouvert")
    RESTRICTED = "restricted", _("Appel d'offres restreint")
    NEGOTIATED = "neg-w-call", _("Procédure avec négociation")
    NEGOTIATED_NO_CALL = "neg-wo-call", _("Marché négocié sans publicité ni mise en concurrence")
    DIALOGUE = "comp-dial", _("Dialogue compétitif")
    INNOVATION = "innovation", _("Partenariat d'innovation")
    CONCESSION = "concession", _("Concession")
    OTHER = "other", _("Autre procédure")


class Status(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    PUBLISHED = "published", _("En cours")
    CLOSED = "closed", _("Clôturée")
    AWARDED = "awarded", _("Attribuée")
    UNSUCCESSFUL = "unsuccessful", _("Infructueuse")
    CANCELLED = "cancelled", _("Annulée")


# The consultation's life cycle; `Consultation.transition_to` refuses anything else.
TRANSITIONS: dict[str, set[str]] = {
    Status.DRAFT: {Status.PUBLISHED},
    Status.PUBLISHED: {Status.CLOSED, Status.CANCELLED},
    Status.CLOSED: {Status.AWARDED, Status.UNSUCCESSFUL, Status.CANCELLED},
    Status.AWARDED: set(),
    Status.UNSUCCESSFUL: set(),
    Status.CANCELLED: set(),
}


class Consultation(models.Model):
    body = models.ForeignKey("tenancy.Body", on_delete=models.PROTECT, related_name="consultations")
    reference = models.CharField(_("référence"), max_length=50)
    title = models.CharField(_("intitulé"), max_length=200)
    object = models.TextField(_("objet"))
    nature = models.CharField(_("nature"), max_length=10, choices=Nature.choices)
    procedure = models.CharField(_("procédure"), max_length=15, choices=Procedure.choices)
    cpv_main = models.CharField(_("code CPV principal"), max_length=8)
    cpv_additional = models.JSONField(_("codes CPV complémentaires"), default=list, blank=True)
    nuts = models.CharField(_("lieu d'exécution (NUTS 3)"), max_length=5)
    commune = models.ForeignKey(
        "tenancy.Commune", verbose_name=_("commune d'exécution"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    estimated_value = models.DecimalField(
        _("valeur estimée (€ HT)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    published_at = models.DateTimeField(_("date de publication"), null=True, blank=True)
    closes_at = models.DateTimeField(_("date limite de remise des offres"), null=True, blank=True)
    dume_required = models.BooleanField(_("DUME exigé"), default=False)
    signature_required = models.BooleanField(_("signature électronique exigée"), default=False)
    variants_allowed = models.BooleanField(_("variantes autorisées"), default=False)
    contact_name = models.CharField(_("contact"), max_length=200, blank=True)
    contact_email = models.EmailField(_("courriel du contact"), blank=True)
    contact_phone = models.CharField(_("téléphone du contact"), max_length=30, blank=True)
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.DRAFT)
    status_changed_at = models.DateTimeField(default=timezone.now)
    cancel_reason = models.TextField(blank=True)
    # Permanent rehearsal consultation (B6): public, never closes, marked "TEST" everywhere.
    is_test = models.BooleanField(default=False)
    # eForms: the procedure's folder id is shared by all its notices; each notice has its own id.
    folder_id = models.UUIDField(default=uuid.uuid4, editable=False)
    notice_id = models.UUIDField(default=uuid.uuid4, editable=False)
    award_notice_id = models.UUIDField(default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("consultation")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["body", "reference"], name="consultation_reference_unique"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False, closes_at__isnull=False),
                name="consultation_published_has_dates",
            ),
        ]
        indexes = [models.Index(fields=["status", "closes_at"])]

    def __str__(self) -> str:
        return f"{self.reference} – {self.title}"

    def get_absolute_url(self) -> str:
        """The public page (companies, search engines); drafts have none (404)."""
        return reverse("marches_public:consultation", args=[self.pk])

    def get_buyer_url(self) -> str:
        return reverse("marches:detail", args=[self.body.siren, self.pk])

    def transition_to(self, status: str) -> None:
        if status not in TRANSITIONS[self.status]:
            raise ValidationError(
                _("Une consultation « %(from)s » ne peut pas passer à « %(to)s ».")
                % {"from": Status(self.status).label, "to": Status(status).label}
            )
        self.status = status
        self.status_changed_at = timezone.now()

    def is_open(self, now=None) -> bool:
        """Open for questions and (next issue) deposits: published and before the deadline."""
        now = now or timezone.now()
        return self.status == Status.PUBLISHED and (self.is_test or self.closes_at > now)


class Lot(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="lots")
    number = models.PositiveSmallIntegerField(_("numéro"))
    title = models.CharField(_("intitulé"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    cpv_main = models.CharField(_("code CPV principal"), max_length=8, blank=True)
    estimated_value = models.DecimalField(
        _("valeur estimée (€ HT)"), max_digits=14, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("lot")
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["consultation", "number"], name="lot_number_unique")]

    def __str__(self) -> str:
        return f"Lot {self.number} – {self.title}"


class DceVersion(models.Model):
    """One published state of the consultation documents. Version 1 goes out with the
    consultation; each later one is an amendment (modificatif) e-mailed to identified
    downloaders. A version is immutable once published."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="dce_versions")
    number = models.PositiveSmallIntegerField()
    note = models.TextField(_("objet de la modification"), blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "number"], name="dce_version_unique"),
            # At most one unpublished version (the one being prepared).
            models.UniqueConstraint(
                fields=["consultation"], condition=Q(published_at__isnull=True), name="dce_one_draft"
            ),
        ]

    def __str__(self) -> str:
        return f"DCE v{self.number}"


class DceFile(models.Model):
    version = models.ForeignKey(DceVersion, on_delete=models.CASCADE, related_name="files")
    stored = models.ForeignKey("core.StoredFile", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["version", "name"], name="dce_file_name_unique")]

    def __str__(self) -> str:
        return self.name


class Retrait(models.Model):
    """One DCE download (the register of retraits, A8). Identification is optional (D1):
    an anonymous download leaves only the version and the time."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="retraits")
    version = models.ForeignKey(DceVersion, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    company = models.ForeignKey("accounts.Company", null=True, on_delete=models.SET_NULL, related_name="+")
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    downloaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-downloaded_at"]
        indexes = [models.Index(fields=["consultation", "email"])]


class Question(models.Model):
    """A company's question; its answer is published without the asker's identity."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="questions")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    company = models.ForeignKey("accounts.Company", null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("question"))
    asked_at = models.DateTimeField(default=timezone.now)
    answer = models.TextField(_("réponse"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["asked_at"]


class Award(models.Model):
    """Who won a lot (or the whole consultation when it has no lots), for the award notice
    (eForms 29) and the essential data."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="awards")
    lot = models.ForeignKey(Lot, null=True, blank=True, on_delete=models.CASCADE, related_name="awards")
    winner_siret = models.CharField(_("SIRET du titulaire"), max_length=14)
    winner_name = models.CharField(_("titulaire"), max_length=200)
    winner_postal_code = models.CharField(_("code postal du titulaire"), max_length=10)
    winner_city = models.CharField(_("commune du titulaire"), max_length=100)
    amount = models.DecimalField(_("montant (€ HT)"), max_digits=14, decimal_places=2)
    contract_date = models.DateField(_("date de notification"))
    tenders_received = models.PositiveIntegerField(_("offres reçues"), null=True, blank=True)
    duration_months = models.PositiveSmallIntegerField(_("durée (mois)"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consultation", "lot"], name="award_lot_unique"),
            models.UniqueConstraint(
                fields=["consultation"], condition=Q(lot__isnull=True), name="award_whole_unique"
            ),
        ]


class Decp(models.Model):
    """Essential data of one contract (DECP v2): the JSON object as published, prefilled
    from the consultation and its award, completed by the buyer."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="decp")
    award = models.OneToOneField(Award, null=True, on_delete=models.SET_NULL, related_name="decp")
    decp_id = models.CharField(max_length=16)
    data = models.JSONField(default=dict)
    year = models.PositiveSmallIntegerField(db_index=True)
    published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["consultation", "decp_id"], name="decp_id_unique")]


class NoticeSource(models.TextChoices):
    TERRITOIRES = "territoires", _("Territoires")
    EFORMS = "eforms", _("TED (eForms)")
    BOAMP = "boamp", _("BOAMP")


class NoticeKind(models.TextChoices):
    CONTRACT = "contract", _("Avis de marché")
    PRIOR = "prior", _("Avis de pré-information")
    AWARD = "award", _("Avis d'attribution")


class NoticeState(models.TextChoices):
    ACTIVE = "active", _("En vigueur")
    CANCELLED = "cancelled", _("Annulé")


class Notice(models.Model):
    """One tender as the portal lists it, whatever its source. Imported notices are
    deduplicated on (source, source_id) and only replaced by a later `version`.

    `eforms_id` is the eForms notice identifier (BT-701) of an imported notice: the same
    notice reaches us from TED and from BOAMP (which forwards it to TED), and ours go
    to both; it is how `marches.importing` lists one tender once.

    `search_document` is the accent-free, stemmed text the full-text index covers
    (see `marches.search`); it is recomputed on every write through `notice_upsert`.
    """

    source = models.CharField(max_length=12, choices=NoticeSource.choices)
    source_id = models.CharField(max_length=100)
    # Nullable so that adding it alters the table in place: SQLite would otherwise rebuild
    # it, dropping the full-text triggers of migration 0002.
    eforms_id = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001
    version = models.CharField(max_length=20, blank=True)
    kind = models.CharField(max_length=10, choices=NoticeKind.choices, default=NoticeKind.CONTRACT)
    state = models.CharField(max_length=10, choices=NoticeState.choices, default=NoticeState.ACTIVE)
    title = models.CharField(max_length=500)
    description = models.TextField(blank=True)
    buyer_name = models.CharField(max_length=300, blank=True)
    buyer_id = models.CharField(max_length=14, blank=True)
    procedure = models.CharField(max_length=15, blank=True)
    nature = models.CharField(max_length=10, blank=True)
    cpv_main = models.CharField(max_length=8, blank=True)
    cpv_division = models.CharField(max_length=2, blank=True)
    cpv_additional = models.JSONField(default=list, blank=True)
    nuts = models.CharField(max_length=5, blank=True)
    departement = models.CharField(max_length=3, blank=True)
    published_on = models.DateField(null=True, blank=True)
    deadline = models.DateTimeField(null=True, blank=True)
    estimated_value = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    url = models.URLField(max_length=500, blank=True)
    consultation = models.OneToOneField(
        Consultation, null=True, blank=True, on_delete=models.CASCADE, related_name="notice"
    )
    source_file = models.ForeignKey(
        "core.StoredFile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    search_document = models.TextField(blank=True)
    imported_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "source_id"], name="notice_source_unique")]
        indexes = [
            models.Index(fields=["deadline"]),
            models.Index(fields=["published_on"]),
            models.Index(fields=["cpv_division", "deadline"]),
            models.Index(fields=["departement", "deadline"]),
            models.Index(fields=["buyer_name"]),
            models.Index(fields=["eforms_id"], condition=Q(eforms_id__isnull=False), name="notice_eforms_id"),
        ]

    def __str__(self) -> str:
        return self.title


class CompanyProfile(models.Model):
    """What API Entreprise (or its simulator) told us about a company, kept to prefill
    candidatures; refreshed on demand, never edited by hand."""

    company = models.OneToOneField("accounts.Company", on_delete=models.CASCADE, related_name="profile")
    data = models.JSONField(default=dict)
    fetched_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=20, default="simulator")


class CompanyInvitation(models.Model):
    """An invitation to join a company account. Only the SHA-256 of the token is stored:
    a database leak gives no usable link. Pending ones can be listed and revoked."""

    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["company", "email"],
                                    condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                                    name="company_invitation_one_pending"),
        ]


class DocumentKind(models.TextChoices):
    KBIS = "kbis", _("Extrait Kbis")
    FISCAL = "fiscal", _("Attestation de régularité fiscale")
    SOCIAL = "social", _("Attestation de vigilance URSSAF")
    INSURANCE = "insurance", _("Attestation d'assurance")
    OTHER = "other", _("Autre document")


class CompanyDocument(models.Model):
    """The company's document safe (coffre-fort): attestations with their expiry dates."""

    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("type"), max_length=12, choices=DocumentKind.choices)
    name = models.CharField(_("nom du fichier"), max_length=200)
    stored = models.ForeignKey("core.StoredFile", on_delete=models.PROTECT, related_name="+")
    valid_until = models.DateField(_("valable jusqu'au"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "-uploaded_at"]
        indexes = [models.Index(fields=["valid_until"])]


class SavedSearch(models.Model):
    """A company user's search, e-mailed as a daily digest of new matching notices."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches")
    name = models.CharField(_("nom de l'alerte"), max_length=100)
    params = models.JSONField(default=dict)  # the portal's query string, as a dict
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_digest_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]


class Candidature(models.Model):
    """A simplified candidature (SIRET-first, in the spirit of MPS): the company's data
    as prefilled and confirmed, and the ESPD response generated from it for the buyer.
    The deposit itself (sealed, timestamped) belongs to the next issue."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="candidatures")
    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="candidatures")
    lots = models.JSONField(default=list, blank=True)  # lot numbers; empty = whole consultation
    data = models.JSONField(default=dict)
    espd = models.ForeignKey("core.StoredFile", null=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consultation", "company"], name="candidature_unique")
        ]
