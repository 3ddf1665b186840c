"""Forms of the park pages (the words of the errors come from the services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class SiteLabelsForm(forms.Form):
    """The invoice labels a member may customise; lengths are checked by ``site_labels_update``."""

    site_name = forms.CharField(label=_("Nom du site"), max_length=200)
    internal_reference = forms.CharField(label=_("Référence interne"), max_length=100, required=False)
    other_reference = forms.CharField(label=_("Autre référence"), max_length=100, required=False)
