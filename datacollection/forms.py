"""Forms of the journey pages: they clean input; the services hold the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from datacollection.choices import MEMBER_SITE_STATUS_CHOICES
from perimeter.choices import Distributor, DistributorState
from perimeter.models import Contact, Lot, Member, Site


class GeneralDataForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = [
            "legal_name",
            "siret",
            "address_line",
            "postcode",
            "city",
            "chorus_siret",
            "chorus_service_code",
            "chorus_commitment_number",
            "energy_mix",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("legal_name", "siret", "address_line", "postcode", "city"):
            self.fields[name].required = True
        member = self.instance
        self.fields["chorus_service_code"].required = bool(member.chorus_service_required)
        self.fields["chorus_commitment_number"].required = bool(member.chorus_commitment_required)


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["role", "first_name", "last_name", "job_title", "phone", "email"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phone"].required = True
        self.fields["email"].required = True


class SiteForm(forms.ModelForm):
    """The per-site form of step 2; the status is chosen with it (or with the row buttons)."""

    status = forms.ChoiceField(
        label=_("Statut"), choices=[("", _("— inchangé —")), *MEMBER_SITE_STATUS_CHOICES], required=False
    )

    class Meta:
        model = Site
        fields = [
            "site_name",
            "fluid",
            "delivery_point",
            "distributor",
            "distributor_state",
            "activation_date",
            "internal_reference",
            "other_reference",
            "address_line",
            "postcode",
            "city",
            "contact",
        ]
        widgets = {"activation_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args: Any, member: Member, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = Contact.objects.filter(member=member)  # type: ignore[attr-defined]
        for name in ("address_line", "postcode", "city"):
            self.fields[name].required = True

    def _post_clean(self) -> None:
        # Validation of the model (identifiers, constraints) is the service's: skip the ModelForm's copy.
        pass


class NewSiteForm(SiteForm):
    lot = forms.ModelChoiceField(label=_("Lot"), queryset=Lot.objects.none())

    class Meta(SiteForm.Meta):
        fields = [*SiteForm.Meta.fields, "segment", "tariff_formula", "tariff_option", "subscribed_power_kva"]

    def __init__(self, *args: Any, member: Member, lot_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, member=member, **kwargs)
        self.fields["lot"].queryset = Lot.objects.filter(pk__in=lot_ids)  # type: ignore[attr-defined]
        del self.fields["status"]


SELECTED_SITES, FILTERED_SITES = "selected", "filtered"
BULK_SCOPES = [
    (SELECTED_SITES, _("Les sites cochés")),
    (FILTERED_SITES, _("Tous les sites correspondant au filtre")),
]


class BulkSitesForm(forms.Form):
    """ "Modifier en masse vos sites" / "Associer un interlocuteur en masse": which sites, and what to set on them.

    The submit button says which panel was used (``action``: "fields" or "contact"); each panel
    has its own radio group of the sites concerned (``fields_scope``, ``contact_scope``): the
    ticked rows of the page, or every site matching the table's filters, which the view
    re-applies from the filters posted with the form (never from a list of ids). An empty
    value leaves the field unchanged.
    """

    action = forms.ChoiceField(choices=[("fields", "fields"), ("contact", "contact")], required=False)
    fields_scope = forms.ChoiceField(label=_("Sites concernés"), choices=BULK_SCOPES, required=False)
    contact_scope = forms.ChoiceField(label=_("Sites concernés"), choices=BULK_SCOPES, required=False)
    sites = forms.TypedMultipleChoiceField(coerce=int, choices=(), required=False)
    status = forms.ChoiceField(
        label=_("Statut"), choices=[("", _("— inchangé —")), *MEMBER_SITE_STATUS_CHOICES], required=False
    )
    distributor_state = forms.ChoiceField(
        label=_("État chez le distributeur"),
        choices=[("", _("— inchangé —")), *DistributorState.choices],
        required=False,
    )
    distributor = forms.ChoiceField(
        label=_("Gestionnaire de réseau"), choices=[("", _("— inchangé —")), *Distributor.choices], required=False
    )
    activation_date = forms.DateField(
        label=_("Date de mise en service"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    contact = forms.ModelChoiceField(label=_("Interlocuteur"), queryset=Contact.objects.none(), required=False)

    def __init__(self, *args: Any, member: Member | None, **kwargs: Any) -> None:
        # The page also holds the filter form, whose fields share these names: distinct ids
        # keep every label tied to its own control.
        kwargs.setdefault("auto_id", "id_bulk_%s")
        super().__init__(*args, **kwargs)
        if member is not None:
            self.fields["contact"].queryset = Contact.objects.filter(member=member)  # type: ignore[attr-defined]
        # Ticked rows are checked against the posted values only; the service keeps the member's own.
        posted = self.data.getlist("sites") if isinstance(self.data, QueryDict) else []
        self.fields["sites"].choices = [(value, value) for value in posted if value.isdigit()]  # type: ignore[attr-defined]

    def clean_sites(self) -> list[int]:
        return list(self.cleaned_data["sites"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.filtered and not data.get("sites") and "sites" not in self.errors:
            self.add_error("sites", _("Sélectionnez au moins un site."))
        return data

    @property
    def set_contact(self) -> bool:
        """ "Associer un interlocuteur en masse" (else "Modifier en masse vos sites")."""
        return self.cleaned_data.get("action") == "contact"

    @property
    def filtered(self) -> bool:
        """Every site matching the table's filters (else the ticked rows)."""
        scope = self.cleaned_data.get("contact_scope" if self.set_contact else "fields_scope")
        return scope == FILTERED_SITES

    @property
    def fields_to_set(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {k: data[k] for k in ("distributor_state", "distributor", "activation_date") if data.get(k)}
