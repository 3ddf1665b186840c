"""The regulated rate grids (TURPE, ATRD, excise, CTA, VAT…) loaded from their files.

A grid is a family (one shipped file, e.g. ``turpe_c5``) in successive versions; the version
in force is the newest one. Rows are never updated nor deleted (a database trigger refuses
it): a new value is a new version with its own dates, so a value an issued invoice used stays
as it was.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class GridSource(models.TextChoices):
    SHIPPED = "shipped", _("Fichier livré avec la plateforme")
    UPLOAD = "upload", _("Fichier chargé par le fournisseur")


class RateGrid(models.Model):
    """One version of a grid family, loaded all or nothing from one file."""

    family = models.CharField(_("grille"), max_length=40)
    version = models.PositiveIntegerField(_("version"))
    source = models.CharField(_("origine"), max_length=10, choices=GridSource.choices)
    file_name = models.CharField(_("fichier"), max_length=200)
    sha256 = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(_("chargée le"), auto_now_add=True)
    loaded_by = models.CharField(_("chargée par"), max_length=254, blank=True)

    class Meta:
        verbose_name = _("grille tarifaire")
        ordering = ["family", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["family", "version"], name="rate_grid_family_version_unique"),
            models.CheckConstraint(
                condition=models.Q(family__regex=r"^[a-z][a-z0-9_]{0,39}$"), name="rate_grid_family_slug"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.family} v{self.version}"


class RateValue(models.Model):
    """One value of a grid version: the columns of the file (see invoicing/grids/fileformat.py)."""

    grid = models.ForeignKey(RateGrid, on_delete=models.PROTECT, related_name="values")
    code = models.CharField(max_length=40)
    scope = models.CharField(max_length=20)
    post = models.CharField(max_length=4)
    unit = models.CharField(max_length=20)
    value = models.DecimalField(max_digits=14, decimal_places=6)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    reference = models.CharField(max_length=500)

    class Meta:
        verbose_name = _("valeur réglementée")
        ordering = ["code", "scope", "post", "valid_from"]
        indexes = [models.Index(fields=["grid", "code"], name="rate_value_grid_code")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="rate_value_period_ordered",
            ),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="rate_value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.code}/{self.scope}/{self.post} {self.value} {self.unit} from {self.valid_from}"
