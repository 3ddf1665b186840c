"""What a completed request changes in the park, through the park's services only.

The request type declares its effect (``catalogue.RequestType.effect``): a new power or
formula on the site (written in its history), a terminated site, a site brought back into
service, or — a commissioning of a point not yet in the park — a new site created and
attached to the request.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from perimeter import services as park
from perimeter.choices import Fluid, Segment, SiteStatus, TariffFormula, TariffOption
from perimeter.models import Lot, Site
from technical_requests.catalogue import TYPES_BY_CODE
from technical_requests.choices import CompletionEffect
from technical_requests.models import TechnicalRequest


def effective_date(tech_request: TechnicalRequest) -> dt.date:
    """The appointment if there was one, else the date the member asked for, else today."""
    if tech_request.appointment_date is not None:
        return tech_request.appointment_date
    desired = tech_request.data.get("desired_date")
    return dt.date.fromisoformat(desired) if desired else timezone.localdate()


def completion_apply(tech_request: TechnicalRequest, *, by_label: str) -> None:
    """Apply the type's effect on the park (inside the status change's transaction)."""
    effect = TYPES_BY_CODE[tech_request.type_code].effect
    if effect == CompletionEffect.NONE:
        return
    when = effective_date(tech_request)
    comment = _("Demande technique %(ref)s") % {"ref": tech_request.reference}
    site = tech_request.site
    data = tech_request.data
    if effect == CompletionEffect.POWER and site is not None:
        park.site_supply_change(
            site=site,
            subscribed_power_kva=Decimal(data["new_power_kva"]),
            effective_date=when,
            by_label=by_label,
            comment=comment,
        )
    elif effect == CompletionEffect.FORMULA and site is not None:
        park.site_supply_change(
            site=site,
            tariff_formula=data.get("new_formula"),
            tariff_option=data.get("new_option"),
            effective_date=when,
            by_label=by_label,
            comment=comment,
        )
    elif effect == CompletionEffect.TERMINATION and site is not None:
        if site.status != SiteStatus.TERMINATED:
            park.site_change_status(
                site=site, to_status=SiteStatus.TERMINATED, by_label=by_label, comment=comment, effective_date=when
            )
    elif effect == CompletionEffect.COMMISSIONING:
        if site is None:
            site = _new_site(tech_request)
            tech_request.site = site
        if site.status != SiteStatus.ACTIVE:
            park.site_change_status(
                site=site, to_status=SiteStatus.ACTIVE, by_label=by_label, comment=comment, effective_date=when
            )


def _new_site(tech_request: TechnicalRequest) -> Site:
    """The point a commissioning brought into the park, in the member's lot of its energy."""
    data = tech_request.data
    lot = Lot.objects.filter(members=tech_request.member_id, fluid=tech_request.fluid).order_by("number").first()
    if lot is None:
        raise ValidationError(_("Le membre n'est inscrit à aucun lot de cette énergie : le site ne peut être créé."))
    electricity = tech_request.fluid == Fluid.ELECTRICITY
    return park.site_create(
        member=tech_request.member,
        lot=lot,
        fluid=tech_request.fluid,
        delivery_point=data["new_delivery_point"],
        distributor=tech_request.distributor,
        segment=Segment.C5 if electricity else Segment.T2,
        tariff_formula=TariffFormula.BTINFCUST if electricity else TariffFormula.T2,
        tariff_option=TariffOption.BASE if electricity else TariffOption.GAS,
        site_name=data["new_site_name"],
        subscribed_power_kva=Decimal(data["power_kva"]) if "power_kva" in data else None,
        address_line=data.get("new_address_line", ""),
        postcode=data.get("new_postcode", ""),
        city=data.get("new_city", ""),
    )
