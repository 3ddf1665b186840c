"""factory_boy factories of billing perimeters (create in the current schema)."""

from __future__ import annotations

import factory

from billing_groups.choices import BillingRhythm, BillingType, InvoiceDelivery, PaymentMode
from billing_groups.models import BillingPerimeter
from perimeter.choices import Segment, SiteStatus
from tests.factories import MemberFactory, ModelFactory, SiteFactory


class BillingPerimeterFactory(ModelFactory[BillingPerimeter]):
    class Meta:
        model = BillingPerimeter

    member = factory.SubFactory(MemberFactory)
    name = factory.Sequence(lambda n: f"Périmètre de facture N° {n:02d}")
    segment = Segment.C5
    billing_type = BillingType.MULTI_SITE
    payment_mode = PaymentMode.TRANSFER
    billing_rhythm = BillingRhythm.MONTHLY
    invoice_delivery = InvoiceDelivery.PAPER


class ConfirmedSiteFactory(SiteFactory):
    status = SiteStatus.SWITCH_CONFIRMED
