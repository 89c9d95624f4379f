"""Acts, their files, classifications and the messages exchanged with the prefecture.

The act's life cycle is the explicit transition table `TRANSITIONS`, modelled
on S²LOW's statuses; `actes.services` is the only code that moves an act
from one status to another (through `Acte.transition_to`).

Every archive we send is a `Transmission` row, created once: the unique
constraint on (`acte`, `code`, `round`) of `OutgoingMessage` is what makes a
retried or crashed transmission reuse the archive instead of building a
second one.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from territoires.core.models import StoredFile
from territoires.tenancy.models import Body


class Nature(models.TextChoices):
    """ACTES `CodeNatureActe`, keyed by its `TypeAbrege`."""

    DE = "DE", _("Délibération")
    AR = "AR", _("Acte réglementaire")
    AI = "AI", _("Acte individuel")
    CC = "CC", _("Contrat, convention ou avenant")
    BF = "BF", _("Document budgétaire ou financier")
    AU = "AU", _("Autre")


NATURE_CODES = {"DE": 1, "AR": 2, "AI": 3, "CC": 4, "BF": 5, "AU": 6}


class Status(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    POSTED = "posted", _("Déposé, en attente de transmission")
    IN_TRANSMISSION = "in_transmission", _("En cours de transmission")
    TRANSMITTED = "transmitted", _("Transmis")
    ACKNOWLEDGED = "acknowledged", _("Acquittement reçu")
    ANOMALY = "anomaly", _("Refusé par la préfecture (anomalie)")
    CANCEL_REQUESTED = "cancel_requested", _("Annulation demandée")
    CANCELLED = "cancelled", _("Annulé")
    ERROR = "error", _("Erreur de transmission")


S = Status
TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.POSTED},
    S.POSTED: {S.IN_TRANSMISSION, S.DRAFT},
    S.IN_TRANSMISSION: {S.TRANSMITTED, S.ERROR, S.ANOMALY, S.ACKNOWLEDGED},
    # An AR or an anomaly may arrive before we recorded the end of the POST.
    S.TRANSMITTED: {S.ACKNOWLEDGED, S.ANOMALY},
    S.ACKNOWLEDGED: {S.CANCEL_REQUESTED},
    S.ANOMALY: {S.DRAFT},
    S.ERROR: {S.IN_TRANSMISSION, S.DRAFT},
    S.CANCEL_REQUESTED: {S.CANCELLED, S.ACKNOWLEDGED},
    S.CANCELLED: set(),
}
EDITABLE = {S.DRAFT}


class Classification(models.Model):
    """A body's nomenclature (7-2), versioned by its date."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="actes_classifications")
    date = models.DateField(_("date de la classification"))
    received_at = models.DateTimeField(default=timezone.now)
    # Last time the prefecture confirmed it (7-2 received, or 7-3 "sans changement").
    checked_at = models.DateTimeField(default=timezone.now)
    # {"natures": [{"code", "abbr", "label", "typologies": [[code, label]]}],
    #  "matieres": [{"code": "7.1", "label"}]} — flat, codes give the levels.
    data = models.JSONField()

    class Meta:
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["body", "date"], name="actes_classification_unique")
        ]

    def __str__(self) -> str:
        return f"{self.body} – {self.date}"

    def matiere_label(self, code: str) -> str:
        return next((m["label"] for m in self.data["matieres"] if m["code"] == code), "")

    def typologies(self, nature: str) -> list[tuple[str, str]]:
        for entry in self.data["natures"]:
            if entry["abbr"] == nature:
                return [tuple(t) for t in entry["typologies"]]
        return []


class ActeQuerySet(models.QuerySet):
    def locked(self) -> "ActeQuerySet":
        """Lock the act rows only (FOR UPDATE OF), never the bodies or rows they are joined to.

        A plain `select_for_update()` with `select_related("body")` also locks
        the body row, and two workers — one sending, one applying an AR —
        deadlock on it at commit, when PostgreSQL checks foreign keys.
        """
        return self.select_for_update(of=("self",))


class Acte(models.Model):
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="actes")
    nature = models.CharField(_("nature"), max_length=2, choices=Nature.choices)
    numero_interne = models.CharField(_("numéro interne"), max_length=15)
    objet = models.CharField(_("objet"), max_length=500)
    decision_date = models.DateField(_("date de décision"))
    matiere_code = models.CharField(_("matière"), max_length=20)
    classification = models.ForeignKey(Classification, on_delete=models.PROTECT, related_name="+")
    document_papier = models.BooleanField(_("documents papier envoyés séparément"), default=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    # Set when an agent asks a signatory to sign; cleared by the signature.
    signature_requested_at = models.DateTimeField(null=True, blank=True)
    # Incremented each time an act refused by the prefecture is sent again.
    round = models.PositiveSmallIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    posted_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    received_on = models.DateField(_("reçu en préfecture le"), null=True, blank=True)
    # The ministry's or the transport's message, word for word.
    last_error = models.TextField(blank=True)
    published_on = models.DateField(_("publié le"), null=True, blank=True)
    publication_signatory = models.CharField(_("signataire"), max_length=200, blank=True)
    publication_signatory_title = models.CharField(_("qualité du signataire"), max_length=200, blank=True)
    # The file citizens read: frozen at publication, never replaced.
    published_file = models.ForeignKey(StoredFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    notified_on = models.DateField(_("notifié le"), null=True, blank=True)
    # Votes of a délibération (SCDL « Délibérations » VOTE_* fields), all optional.
    vote_effectif = models.PositiveSmallIntegerField(_("membres en exercice"), null=True, blank=True)
    vote_reel = models.PositiveSmallIntegerField(_("votants"), null=True, blank=True)
    vote_pour = models.PositiveSmallIntegerField(_("voix pour"), null=True, blank=True)
    vote_contre = models.PositiveSmallIntegerField(_("voix contre"), null=True, blank=True)
    vote_abstention = models.PositiveSmallIntegerField(_("abstentions"), null=True, blank=True)

    objects = ActeQuerySet.as_manager()

    class Meta:
        ordering = ["-decision_date", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["body", "numero_interne"], name="actes_numero_unique")
        ]
        indexes = [models.Index(fields=["body", "status"]), models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.numero_interne} – {self.objet[:60]}"

    @property
    def matiere_codes(self) -> tuple[int, ...]:
        return tuple(int(part) for part in self.matiere_code.split("."))

    @property
    def id_acte(self) -> str:
        from territoires.interop.actes.naming import id_acte

        return id_acte(
            self.body.departement, self.body.siren, self.decision_date, self.numero_interne, self.nature
        )

    @property
    def executory_on(self):
        """Executory once transmitted *and* published (or notified, for an individual act).

        CGCT L2131-1: the AR proves receipt but is not a condition; the date
        of sending counts. None until both conditions hold.
        """
        if self.sent_at is None:
            return None
        made_known = [d for d in (self.published_on, self.notified_on) if d is not None]
        if not made_known:
            return None
        return max(timezone.localdate(self.sent_at), min(made_known))

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE

    def can_become(self, status: str) -> bool:
        return status in TRANSITIONS[self.status]

    def transition_to(self, status: str, **fields) -> None:
        """Move along `TRANSITIONS`, saving `fields` with the new status; refuse any other move."""
        if not self.can_become(status):
            raise ValidationError(
                _("Impossible de passer de « %(old)s » à « %(new)s ».")
                % {"old": Status(self.status).label, "new": Status(status).label}
            )
        self.status = status
        self.status_changed_at = timezone.now()
        for name, value in fields.items():
            setattr(self, name, value)
        self.save(update_fields=["status", "status_changed_at", *fields])


class FileRole(models.TextChoices):
    MAIN = "main", _("Document principal")
    ANNEX = "annex", _("Annexe")


class ActeFile(models.Model):
    acte = models.ForeignKey(Acte, on_delete=models.CASCADE, related_name="files")
    role = models.CharField(max_length=10, choices=FileRole.choices)
    position = models.PositiveSmallIntegerField(default=0)
    typology = models.CharField(_("typologie"), max_length=10)
    name = models.CharField(_("nom du fichier"), max_length=255)
    stored = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-role", "position", "pk"]  # "main" sorts after "annex": main document first
        constraints = [
            models.UniqueConstraint(
                fields=["acte"], condition=models.Q(role="main"), name="actes_one_main_document"
            )
        ]

    @property
    def extension(self) -> str:
        return self.name.rsplit(".", 1)[-1].lower() if "." in self.name else ""


class ArchiveCounter(models.Model):
    """The per-day, per-SIREN counter `n` in archive and envelope names."""

    siren = models.CharField(max_length=9)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["siren", "day"], name="actes_counter_unique")]


class TransmissionStatus(models.TextChoices):
    BUILT = "built", _("Archive prête")
    SENT = "sent", _("Envoyée")
    FAILED = "failed", _("Échec d'envoi")


class Transmission(models.Model):
    """One archive sent (or to be sent) to the ministry."""

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="actes_transmissions")
    archive_name = models.CharField(max_length=120, unique=True)
    archive = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=10, choices=TransmissionStatus.choices, default=TransmissionStatus.BUILT
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    built_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # A sender holds the lease while it posts, so two workers never post at once.
    lease_until = models.DateTimeField(null=True, blank=True)
    # When a retry (back-off) or the hourly window will post it again.
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "sent_at"])]

    def __str__(self) -> str:
        return self.archive_name


class SentVolume(models.Model):
    """Bytes posted to the ministry per minute: the rolling hourly window sums 60 rows at most."""

    minute = models.DateTimeField(primary_key=True)
    size = models.BigIntegerField(default=0)


class OutgoingMessage(models.Model):
    """A business message we sent: an act (1-1), a reply, a cancellation, a 7-1."""

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="+")
    acte = models.ForeignKey(Acte, null=True, blank=True, on_delete=models.PROTECT, related_name="outgoing")
    code = models.CharField(max_length=4)
    round = models.PositiveSmallIntegerField(default=1)
    file_name = models.CharField(max_length=200)
    transmission = models.ForeignKey(Transmission, on_delete=models.PROTECT, related_name="messages")
    # The prefecture message this one answers (2-2 answers a 2-1…).
    answers = models.ForeignKey(
        "IncomingMessage", null=True, blank=True, on_delete=models.PROTECT, related_name="answers"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # One archive per act and round: the guarantee against sending an act twice.
            models.UniqueConstraint(
                fields=["acte", "round"],
                condition=models.Q(code="1-1"),
                name="actes_one_act_message_per_round",
            ),
            # A prefecture letter gets each kind of answer once.
            models.UniqueConstraint(
                fields=["answers", "code"],
                condition=models.Q(answers__isnull=False),
                name="actes_one_answer_per_code",
            ),
        ]


class OutgoingFile(models.Model):
    """A document we attached to an answer (2-2, 3-3, 3-4, 4-3, 4-4), as named in the archive."""

    message = models.ForeignKey(OutgoingMessage, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=255)
    original_name = models.CharField(max_length=255)
    stored = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")


class InboundArchive(models.Model):
    """An archive received from the ministry, kept raw before and after parsing."""

    name = models.CharField(max_length=200)
    stored = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=200, blank=True)  # mailbox message id, for the record
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["stored"], name="actes_inbound_once")]


class IncomingMessage(models.Model):
    """A business message from the prefecture, parsed, linked to its act if any."""

    archive = models.ForeignKey(InboundArchive, on_delete=models.PROTECT, related_name="messages")
    body = models.ForeignKey(Body, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    acte = models.ForeignKey(Acte, null=True, blank=True, on_delete=models.PROTECT, related_name="incoming")
    code = models.CharField(max_length=4, blank=True)
    root = models.CharField(max_length=60)
    file_name = models.CharField(max_length=200)
    id_acte = models.CharField(max_length=60, blank=True)
    date_reception = models.DateField(null=True, blank=True)
    date_courrier_pref = models.DateField(null=True, blank=True)
    nature = models.CharField(max_length=10, blank=True)
    detail = models.TextField(blank=True)
    parsed = models.JSONField(default=dict)
    received_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["body", "code"])]


class IncomingFile(models.Model):
    """A document attached to a prefecture message (a letter, the pieces of a déféré…)."""

    message = models.ForeignKey(IncomingMessage, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=255)
    stored = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")


class SigningAuthority(models.Model):
    """The platform's internal CA that issues elected officials' signing certificates.

    One row, created on first use; its key is encrypted at rest like the
    officials' keys (`actes.signing`).
    """

    certificate_pem = models.TextField()
    key_encrypted = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)


class CredentialSource(models.TextChoices):
    ISSUED = "issued", _("Délivré par la plateforme")
    IMPORTED = "imported", _("Importé (PKCS#12)")


class SigningCredential(models.Model):
    """A signatory's certificate and private key, held by the platform on their behalf."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signing_credentials")
    source = models.CharField(max_length=10, choices=CredentialSource.choices)
    certificate_pem = models.TextField()
    chain_pem = models.JSONField(default=list)
    key_encrypted = models.TextField()
    subject = models.CharField(max_length=300)
    issuer = models.CharField(max_length=300)
    not_after = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
