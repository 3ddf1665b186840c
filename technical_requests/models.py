"""Technical requests of the members: the request, its attachments, its timeline and its messages."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from perimeter.choices import Distributor, Fluid
from perimeter.models import Member, Site
from technical_requests.catalogue import TYPE_CHOICES, TYPES_BY_CODE, RequestType
from technical_requests.choices import RequestStatus


def _values(choices: type[models.TextChoices]) -> list[str]:
    return [c.value for c in choices]


class TechnicalRequest(models.Model):
    """A request of a member about a site of its park (or a new point), followed to its closing."""

    reference = models.CharField(_("référence"), max_length=20, unique=True, null=True, blank=True)
    type_code = models.CharField(_("type"), max_length=40, choices=TYPE_CHOICES)
    fluid = models.CharField(_("énergie"), max_length=10, choices=Fluid.choices)
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="technical_requests")
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.PROTECT, related_name="technical_requests")
    # The point the request is about, kept as written (a new site has none in the park yet).
    delivery_point = models.CharField(_("point de livraison"), max_length=14, blank=True)
    data = models.JSONField(_("données de la demande"), default=dict)
    status = models.CharField(_("statut"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_email = models.EmailField(_("auteur"), blank=True)
    created_at = models.DateTimeField(_("date de la demande"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    expected_by = models.DateField(_("achèvement attendu"), null=True, blank=True)
    handled_by = models.EmailField(_("chargé de compte"), blank=True)
    distributor = models.CharField(_("distributeur"), max_length=20, choices=Distributor.choices)
    sent_at = models.DateTimeField(_("transmise le"), null=True, blank=True)
    distributor_reference = models.CharField(_("référence du distributeur"), max_length=40, blank=True)
    # The outbox file that carried it to the distributor (relative to MEDIA_ROOT); empty until written.
    outbox_file = models.CharField(max_length=300, blank=True)
    appointment_date = models.DateField(_("date de rendez-vous"), null=True, blank=True)
    closed_at = models.DateTimeField(_("clôturée le"), null=True, blank=True)
    closing_reason = models.CharField(_("motif"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("demande technique")
        verbose_name_plural = _("demandes techniques")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["member", "-created_at"], name="techreq_member_created"),
            # The coordinator's table (every member), newest first: its page read from the index.
            models.Index(fields=["-created_at", "-id"], name="techreq_created"),
            models.Index(fields=["status", "created_at"], name="techreq_status_created"),
            models.Index(fields=["site"], name="techreq_site"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=_values(RequestStatus)), name="techreq_status_valid"),
            models.CheckConstraint(condition=Q(type_code__in=sorted(TYPES_BY_CODE)), name="techreq_type_valid"),
            models.CheckConstraint(condition=Q(fluid__in=_values(Fluid)), name="techreq_fluid_valid"),
            models.CheckConstraint(condition=Q(distributor__in=_values(Distributor)), name="techreq_distributor_valid"),
            # A closed request says when; an open one is not closed.
            models.CheckConstraint(
                condition=Q(status__in=["done", "abandoned", "refused"], closed_at__isnull=False)
                | (~Q(status__in=["done", "abandoned", "refused"]) & Q(closed_at__isnull=True)),
                name="techreq_closed_at_matches_status",
            ),
        ]

    def __str__(self) -> str:
        return self.reference or f"#{self.pk}"

    @property
    def request_type(self) -> RequestType:
        return TYPES_BY_CODE[self.type_code]


class RequestAttachment(models.Model):
    """A file the member joined to its request (PDF or image), stored under the syndicate's folder."""

    request = models.ForeignKey(TechnicalRequest, on_delete=models.CASCADE, related_name="attachments")
    file_path = models.CharField(max_length=300)  # relative to MEDIA_ROOT
    original_name = models.CharField(_("nom du fichier"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("taille"))
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.EmailField(blank=True)

    class Meta:
        verbose_name = _("pièce jointe")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class RequestStatusChange(models.Model):
    """One step of a request's timeline: a status change (or its creation), who made it and when."""

    request = models.ForeignKey(TechnicalRequest, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=RequestStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=RequestStatus.choices)
    at = models.DateTimeField(default=timezone.now)
    by_label = models.CharField(max_length=254, blank=True)  # a user's e-mail, or "GRD" for the distributor
    comment = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("changement de statut")
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(from_status="") | Q(from_status__in=_values(RequestStatus)),
                name="techreq_change_from_valid",
            ),
            models.CheckConstraint(condition=Q(to_status__in=_values(RequestStatus)), name="techreq_change_to_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.from_status} → {self.to_status}"


class RequestMessage(models.Model):
    """A message between the member and the account manager about one request."""

    request = models.ForeignKey(TechnicalRequest, on_delete=models.CASCADE, related_name="messages")
    author_label = models.CharField(max_length=254)
    from_staff = models.BooleanField(default=False)
    body = models.TextField(_("message"))
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("message")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.author_label}"
