"""Meter data of a syndicate's sites.

The three big tables (readings, daily energy, load-curve points) are narrow PostgreSQL
tables partitioned by month, created by ``migrations/0001_initial.py`` in SQL and
maintained by ``consumption.partitions``: Django only reads them (``managed = False``).
They carry no foreign-key constraint to ``perimeter_site`` on purpose: a constraint
would be checked row by row during the COPY of millions of rows; the ingestion checks
every delivery point against the park before loading.

Time series are stored as UTC instants (``timestamptz``); a "day" is a local day in
Europe/Paris (for gas, the gas day that runs 06:00 → 06:00).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from consumption.choices import (
    INGESTION_FINISHED,
    AlertKind,
    FileKind,
    IngestionStatus,
    ReadingNature,
    ReadingSource,
)
from perimeter.choices import Fluid
from perimeter.models import Site


class Reading(models.Model):
    """One index value of one post of a site's meter at the end of a local day (cumulative, Wh)."""

    pk = models.CompositePrimaryKey("site_id", "read_on", "source", "post")
    site = models.ForeignKey(Site, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    read_on = models.DateField(_("date de relève"))
    source = models.CharField(_("source"), max_length=10, choices=ReadingSource.choices)
    post = models.CharField(_("poste"), max_length=4)
    nature = models.CharField(_("nature"), max_length=12, choices=ReadingNature.choices)
    index_wh = models.BigIntegerField(_("index (Wh)"))
    meter_turnover = models.BooleanField(_("passage à zéro du compteur"), default=False)

    class Meta:
        managed = False
        db_table = "consumption_reading"
        verbose_name = _("relève")

    def __str__(self) -> str:
        return f"{self.site_id} {self.read_on} {self.post}: {self.index_wh} Wh"


class DailyEnergy(models.Model):
    """Energy of a site over one local day (gas: one gas day), in kWh."""

    pk = models.CompositePrimaryKey("site_id", "day")
    site = models.ForeignKey(Site, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    day = models.DateField(_("jour"))
    kwh = models.FloatField(_("énergie (kWh)"))

    class Meta:
        managed = False
        db_table = "consumption_dailyenergy"
        verbose_name = _("énergie quotidienne")

    def __str__(self) -> str:
        return f"{self.site_id} {self.day}: {self.kwh} kWh"


class LoadCurvePoint(models.Model):
    """Average power of a site over one 10- or 30-minute interval, stamped at the interval's end (UTC)."""

    pk = models.CompositePrimaryKey("site_id", "ends_at")
    site = models.ForeignKey(Site, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    ends_at = models.DateTimeField(_("fin de l'intervalle"))
    power_w = models.IntegerField(_("puissance moyenne (W)"))
    step_minutes = models.SmallIntegerField(_("pas (minutes)"))
    # Offset of the source's local time (minutes east of UTC), kept as DOMAIN.md asks.
    utc_offset_minutes = models.SmallIntegerField(_("décalage UTC d'origine (minutes)"))

    class Meta:
        managed = False
        db_table = "consumption_loadcurvepoint"
        verbose_name = _("point de courbe de charge")

    def __str__(self) -> str:
        return f"{self.site_id} {self.ends_at}: {self.power_w} W"


class MonthlyEnergy(models.Model):
    """Rollup of the daily energy of one site over one calendar month (kept by the ingestion and the demo)."""

    pk = models.CompositePrimaryKey("site_id", "month")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("mois"), help_text=_("premier jour du mois"))
    kwh = models.FloatField(_("énergie (kWh)"))
    days = models.SmallIntegerField(_("jours mesurés"))

    class Meta:
        verbose_name = _("énergie mensuelle d'un site")
        indexes = [models.Index(fields=["month"], name="conso_monthly_month_idx", include=["site", "kwh"])]

    def __str__(self) -> str:
        return f"{self.site_id} {self.month:%Y-%m}: {self.kwh} kWh"


class SyndicateMonthlyEnergy(models.Model):
    """Rollup of the whole syndicate per month and fluid, derived from ``MonthlyEnergy``."""

    pk = models.CompositePrimaryKey("month", "fluid")
    month = models.DateField(_("mois"))
    fluid = models.CharField(_("énergie"), max_length=10, choices=Fluid.choices)
    kwh = models.FloatField(_("énergie (kWh)"))
    sites = models.IntegerField(_("sites mesurés"))

    class Meta:
        verbose_name = _("énergie mensuelle du syndicat")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.fluid}: {self.kwh} kWh"


class IngestionReport(models.Model):
    """What happened to one received file: its background run, counts, rejected rows with their reason, timings.

    A file sent through the API or the back-office is stored under
    ``MEDIA_ROOT/ingestions/<schema>/`` and ingested by a task: the report exists from
    the upload on (``queued``) and its id is the task's idempotency key. The command
    and the inbox ingest in place (the report is created ``running``).
    """

    file_name = models.CharField(_("fichier"), max_length=255)
    kind = models.CharField(_("type"), max_length=12, choices=FileKind.choices, blank=True)
    file_format = models.CharField(_("format"), max_length=4, blank=True)
    checksum = models.CharField(_("empreinte SHA-256"), max_length=64, db_index=True)
    status = models.CharField(
        _("statut"), max_length=10, choices=IngestionStatus.choices, default=IngestionStatus.QUEUED
    )
    received_rows = models.IntegerField(_("lignes reçues"), default=0)
    accepted_rows = models.IntegerField(_("lignes acceptées"), default=0)
    rejected_rows = models.IntegerField(_("lignes rejetées"), default=0)
    inserted_rows = models.IntegerField(_("valeurs nouvelles"), default=0)
    updated_rows = models.IntegerField(_("valeurs modifiées"), default=0)
    # [{"line": 12, "column": "horodate", "value": "…", "reason": "…"}], capped (see ingestion.report).
    rejected = models.JSONField(_("lignes rejetées (détail)"), default=list)
    # Exact counts per (column, reason): [{"column": "point", "reason": "…", "count": 3}], most frequent first.
    rejection_summary = models.JSONField(_("motifs de rejet"), default=list)
    messages = models.JSONField(_("messages"), default=list)
    timings = models.JSONField(_("durées (s)"), default=dict)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("déjà reçu")
    )
    received_by = models.CharField(_("reçu de"), max_length=254, blank=True)
    # Relative to MEDIA_ROOT: ingestions/<schema>/<id>.dat (the stored upload) and <id>-rejets.xlsx.
    file_path = models.CharField(max_length=300, blank=True)
    file_size = models.PositiveBigIntegerField(_("taille"), default=0)
    error_report_path = models.CharField(max_length=300, blank=True)
    progress_percent = models.PositiveSmallIntegerField(_("progression"), default=0)
    progress_label = models.CharField(max_length=200, blank=True)
    error_message = models.CharField(_("message"), max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(_("reçu le"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("rapport d'intégration")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in IngestionStatus]), name="ingestionreport_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(progress_percent__lte=100), name="ingestionreport_progress_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in INGESTION_FINISHED


class Alert(models.Model):
    """One episode of something unusual on a site's meter data, from the day it is found to the day it ends.

    The daily computation opens an alert when the condition appears (``created_at``),
    refreshes its period and value while the condition holds, and closes it
    (``resolved_at``) the first day it no longer holds; a condition that comes back
    later opens a new alert. A member acknowledging an alert (``acknowledged_at``)
    takes it off the lists without ending the episode, so it is not raised again the
    next day. One ongoing (unresolved) alert per (site, kind).
    """

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("type"), max_length=20, choices=AlertKind.choices)
    period_start = models.DateField(_("début de la période"))
    period_end = models.DateField(_("fin de la période"))
    value = models.FloatField(_("valeur constatée"))
    threshold = models.FloatField(_("seuil"))
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("mise à jour le"), auto_now=True)
    acknowledged_at = models.DateTimeField(_("prise en compte le"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(_("terminée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("alerte de consommation")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "kind"], condition=models.Q(resolved_at__isnull=True), name="conso_alert_one_ongoing"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in AlertKind]), name="conso_alert_kind_valid"
            ),
        ]
        indexes = [models.Index(fields=["created_at"], name="conso_alert_created_idx")]

    def __str__(self) -> str:
        return f"{self.site_id} {self.kind} {self.period_end}"


class AlertDigestPreference(models.Model):
    """A user's choice to receive the daily email digest of new consumption alerts."""

    user = models.OneToOneField("accounts.User", on_delete=models.CASCADE, related_name="+")
    daily_digest = models.BooleanField(_("recevoir chaque jour le récapitulatif des alertes"), default=False)
    last_sent_at = models.DateTimeField(_("dernier envoi"), null=True, blank=True)

    class Meta:
        verbose_name = _("préférence d'alertes")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.daily_digest}"


class SelfReadingSubmission(models.Model):
    """What a member declared in a self-reading (the readings themselves go to ``Reading``), with its checks."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    read_on = models.DateField(_("date de relève"))
    submitted_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    indexes_wh = models.JSONField(_("index déclarés (Wh)"))
    meter_turnover = models.BooleanField(_("passage à zéro déclaré"), default=False)
    flagged = models.BooleanField(_("à vérifier"), default=False)
    flag_reason = models.CharField(_("motif de vérification"), max_length=300, blank=True)
    copy_to = models.EmailField(_("contact en copie"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("auto-relève")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.site_id} {self.read_on}"
