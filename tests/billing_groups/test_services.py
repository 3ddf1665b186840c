"""The attachment rules, by the service and by the database."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditEvent
from billing_groups import services
from billing_groups.choices import BillingType, InvoiceDelivery
from billing_groups.models import BillingPerimeter, BillingPerimeterSite
from billing_groups.selectors import (
    attached_sites,
    available_sites,
    billing_step_complete,
    unattached_confirmed_sites,
)
from perimeter.choices import Fluid, Segment, SiteStatus, TariffFormula, TariffOption
from tests.billing_groups.conftest import lock_journey
from tests.billing_groups.factories import BillingPerimeterFactory, ConfirmedSiteFactory
from tests.factories import LotFactory, MemberFactory, SiteFactory, valid_siret

pytestmark = pytest.mark.usefixtures("alpha")


def _gas_site(member: Any, **extra: Any) -> Any:
    lot = LotFactory.create(number=2, name="Gaz", fluid=Fluid.GAS, segment_family="T1/T2")
    return ConfirmedSiteFactory.create(
        member=member,
        lot=lot,
        fluid=Fluid.GAS,
        segment=Segment.T2,
        tariff_formula=TariffFormula.T2,
        tariff_option=TariffOption.GAS,
        **extra,
    )


def test_create_with_chorus_routing() -> None:
    member = MemberFactory.create()
    perimeter = services.billing_perimeter_create(
        member=member,
        actor=None,
        name="  Périmètre de facture N° 02 - Assainissement ",
        segment=Segment.C5,
        billing_type=BillingType.MULTI_SITE,
        invoice_delivery=InvoiceDelivery.CHORUS,
        chorus_siret=valid_siret(42),
        chorus_service_code="SERV-01",
        chorus_commitment_number="EJ-2025-1",
        budget_reference="Budget assainissement",
    )
    assert perimeter.name == "Périmètre de facture N° 02 - Assainissement"
    assert AuditEvent.objects.filter(action="billing_perimeter.created", target_id=str(perimeter.pk)).exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"invoice_delivery": InvoiceDelivery.CHORUS}, "chorus_siret", "obligatoire pour un envoi par ChorusPro"),
        ({"invoice_delivery": InvoiceDelivery.CHORUS, "chorus_siret": "12345678901234"}, "chorus_siret", "clé"),
        ({"invoice_delivery": InvoiceDelivery.EMAIL}, "delivery_email", "adresse e-mail"),
        ({"segment": "XX"}, "segment", ""),
        ({"name": ""}, "name", ""),
    ],
)
def test_create_refuses_incoherent_fields(fields: dict[str, Any], field: str, message: str) -> None:
    data = {"name": "P1", "segment": Segment.C5, **fields}
    with pytest.raises(ValidationError) as info:
        services.billing_perimeter_create(member=MemberFactory.create(), actor=None, **data)
    assert field in info.value.message_dict
    assert message in " ".join(info.value.message_dict[field])


def test_routing_fields_are_dropped_when_not_chorus() -> None:
    perimeter = services.billing_perimeter_create(
        member=MemberFactory.create(),
        actor=None,
        name="P",
        segment="C5",
        chorus_siret="garbage",
        chorus_service_code="X",
    )
    assert (perimeter.chorus_siret, perimeter.chorus_service_code) == ("", "")


def test_name_unique_per_member() -> None:
    existing = BillingPerimeterFactory.create(name="Écoles")
    with pytest.raises(ValidationError, match="déjà un périmètre"):
        services.billing_perimeter_create(member=existing.member, actor=None, name="Écoles", segment="C5")
    services.billing_perimeter_create(member=MemberFactory.create(), actor=None, name="Écoles", segment="C5")


def test_attach_and_detach() -> None:
    perimeter = BillingPerimeterFactory.create()
    sites = ConfirmedSiteFactory.create_batch(3, member=perimeter.member)
    assert services.attach_sites(perimeter=perimeter, sites=sites, actor=None) == 3
    assert set(attached_sites(perimeter)) == set(sites)
    assert services.attach_sites(perimeter=perimeter, sites=sites[:1], actor=None) == 0  # idempotent
    assert services.detach_sites(perimeter=perimeter, sites=sites[:2], actor=None) == 2
    assert list(attached_sites(perimeter)) == [sites[2]]
    assert AuditEvent.objects.filter(action="billing_perimeter.sites_detached").count() == 1


def test_segment_mismatch_refused() -> None:
    perimeter = BillingPerimeterFactory.create(segment=Segment.T2)
    site = ConfirmedSiteFactory.create(member=perimeter.member, site_name="École Jules Ferry", segment=Segment.C5)
    with pytest.raises(ValidationError) as info:
        services.attach_sites(perimeter=perimeter, sites=[site], actor=None)
    assert info.value.messages == [
        f"Le site « École Jules Ferry » ({site.delivery_point}) est de segment C5, ce périmètre est T2."
    ]


def test_gas_site_on_gas_perimeter() -> None:
    perimeter = BillingPerimeterFactory.create(segment=Segment.T2)
    site = _gas_site(perimeter.member)
    assert services.attach_sites(perimeter=perimeter, sites=[site], actor=None) == 1


def test_mono_site_holds_one_site() -> None:
    perimeter = BillingPerimeterFactory.create(billing_type=BillingType.MONO_SITE)
    first, second = ConfirmedSiteFactory.create_batch(2, member=perimeter.member)
    with pytest.raises(ValidationError, match="mono-site ne contient qu'un site"):
        services.attach_sites(perimeter=perimeter, sites=[first, second], actor=None)
    services.attach_sites(perimeter=perimeter, sites=[first], actor=None)
    with pytest.raises(ValidationError, match="mono-site ne contient qu'un site"):
        services.attach_sites(perimeter=perimeter, sites=[second], actor=None)


def test_site_in_two_perimeters_refused_by_service() -> None:
    first = BillingPerimeterFactory.create(name="Écoles")
    second = BillingPerimeterFactory.create(member=first.member)
    site = ConfirmedSiteFactory.create(member=first.member, site_name="Mairie")
    services.attach_sites(perimeter=first, sites=[site], actor=None)
    with pytest.raises(ValidationError) as info:
        services.attach_sites(perimeter=second, sites=[site], actor=None)
    assert info.value.messages == [
        f"Le site « Mairie » ({site.delivery_point}) est déjà rattaché au périmètre « Écoles »."
    ]


def test_site_in_two_perimeters_refused_by_database() -> None:
    first = BillingPerimeterFactory.create()
    second = BillingPerimeterFactory.create(member=first.member)
    site = ConfirmedSiteFactory.create(member=first.member)
    BillingPerimeterSite.objects.create(perimeter=first, site=site)
    with pytest.raises(IntegrityError):
        BillingPerimeterSite.objects.create(perimeter=second, site=site)


@pytest.mark.parametrize("case", ["segment", "member", "mono_site", "retype", "resegment"])
def test_database_triggers_guard_the_rules(case: str) -> None:
    perimeter = BillingPerimeterFactory.create()
    member = perimeter.member
    if case == "segment":
        sites = [_gas_site(member)]
    elif case == "member":
        sites = [ConfirmedSiteFactory.create()]
    else:
        sites = ConfirmedSiteFactory.create_batch(2, member=member)
    if case == "mono_site":
        BillingPerimeter.objects.filter(pk=perimeter.pk).update(billing_type=BillingType.MONO_SITE)
    rows = [BillingPerimeterSite(perimeter=perimeter, site=site) for site in sites]
    if case in {"retype", "resegment"}:
        BillingPerimeterSite.objects.bulk_create(rows)
        change = {"billing_type": BillingType.MONO_SITE} if case == "retype" else {"segment": Segment.C4}
        with pytest.raises(IntegrityError):
            BillingPerimeter.objects.filter(pk=perimeter.pk).update(**change)
    else:
        with pytest.raises(IntegrityError):
            BillingPerimeterSite.objects.bulk_create(rows)


def test_unconfirmed_site_refused() -> None:
    perimeter = BillingPerimeterFactory.create()
    site = SiteFactory.create(member=perimeter.member, status=SiteStatus.TO_CONFIRM)
    with pytest.raises(ValidationError, match="pas de bascule confirmée"):
        services.attach_sites(perimeter=perimeter, sites=[site], actor=None)


def test_other_members_site_refused_without_naming_it() -> None:
    perimeter = BillingPerimeterFactory.create()
    foreign = ConfirmedSiteFactory.create(site_name="Secret de B")
    with pytest.raises(ValidationError) as info:
        services.attach_sites(perimeter=perimeter, sites=[foreign], actor=None)
    assert "Secret de B" not in " ".join(info.value.messages)


def test_all_or_nothing() -> None:
    perimeter = BillingPerimeterFactory.create()
    good = ConfirmedSiteFactory.create_batch(5, member=perimeter.member)
    bad = SiteFactory.create(member=perimeter.member, status=SiteStatus.NOT_MINE)
    with pytest.raises(ValidationError):
        services.attach_sites(perimeter=perimeter, sites=[*good, bad], actor=None)
    assert not attached_sites(perimeter).exists()
    services.attach_sites(perimeter=perimeter, sites=good, actor=None)
    with pytest.raises(ValidationError, match="pas rattachés"):
        services.detach_sites(perimeter=perimeter, sites=[good[0], bad], actor=None)
    assert attached_sites(perimeter).count() == 5


def test_refusal_lists_at_most_ten_sites() -> None:
    perimeter = BillingPerimeterFactory.create(segment=Segment.C4)
    sites = ConfirmedSiteFactory.create_batch(15, member=perimeter.member)
    with pytest.raises(ValidationError) as info:
        services.attach_sites(perimeter=perimeter, sites=sites, actor=None)
    assert len(info.value.messages) == 11
    assert info.value.messages[-1] == "… et 5 autres sites refusés."


def test_attach_300_sites_in_one_call_with_bounded_queries() -> None:
    perimeter = BillingPerimeterFactory.create()
    sites = ConfirmedSiteFactory.create_batch(300, member=perimeter.member)
    with CaptureQueriesContext(connection) as queries:
        assert services.attach_sites(perimeter=perimeter, sites=sites, actor=None) == 300
    # SAVEPOINT, the journey lock check, SELECT … FOR UPDATE the perimeter, SELECT the sites
    # with their attachment, SAVEPOINT + INSERT of the 300 attachments + RELEASE (to turn a
    # race into a message), INSERT the audit event, RELEASE.
    assert len(_statements(queries)) <= 9, "\n".join(_statements(queries))
    with CaptureQueriesContext(connection) as queries:
        assert services.detach_sites(perimeter=perimeter, sites=sites, actor=None) == 300
    # SAVEPOINT, the journey lock check, DELETE, INSERT the audit event, RELEASE.
    assert len(_statements(queries)) <= 5, "\n".join(_statements(queries))


def _statements(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"][:160] for q in queries.captured_queries if "search_path" not in q["sql"]]


def test_update_refuses_changes_that_break_attached_sites() -> None:
    perimeter = BillingPerimeterFactory.create()
    services.attach_sites(
        perimeter=perimeter, sites=ConfirmedSiteFactory.create_batch(2, member=perimeter.member), actor=None
    )
    with pytest.raises(ValidationError, match="détachez-les"):
        services.billing_perimeter_update(perimeter=perimeter, actor=None, segment=Segment.C4)
    with pytest.raises(ValidationError, match="mono-site ne contient qu'un site"):
        services.billing_perimeter_update(perimeter=perimeter, actor=None, billing_type=BillingType.MONO_SITE)
    updated = services.billing_perimeter_update(perimeter=perimeter, actor=None, name="Renommé")
    event = AuditEvent.objects.get(action="billing_perimeter.updated")
    assert updated.name == "Renommé"
    assert event.details["name"][1] == "Renommé"


def test_delete_frees_the_sites() -> None:
    perimeter = BillingPerimeterFactory.create()
    site = ConfirmedSiteFactory.create(member=perimeter.member)
    services.attach_sites(perimeter=perimeter, sites=[site], actor=None)
    services.billing_perimeter_delete(perimeter=perimeter, actor=None)
    assert list(unattached_confirmed_sites(site.member)) == [site]


def test_available_sites_and_step_completion() -> None:
    perimeter = BillingPerimeterFactory.create()
    member = perimeter.member
    free = ConfirmedSiteFactory.create(member=member)
    other_segment = ConfirmedSiteFactory.create(member=member, segment=Segment.C4)
    SiteFactory.create(member=member, status=SiteStatus.NOT_MINE)
    ConfirmedSiteFactory.create()  # another member's
    assert list(available_sites(perimeter)) == [free]
    assert set(unattached_confirmed_sites(member)) == {free, other_segment}
    assert not billing_step_complete(member)
    services.attach_sites(perimeter=perimeter, sites=[free], actor=None)
    c4 = BillingPerimeterFactory.create(member=member, segment=Segment.C4)
    services.attach_sites(perimeter=c4, sites=[other_segment], actor=None)
    assert billing_step_complete(member)


def test_locked_journey_refuses_every_write() -> None:
    perimeter = BillingPerimeterFactory.create()
    site = ConfirmedSiteFactory.create(member=perimeter.member)
    lock_journey(perimeter.member)
    message = "Votre parcours est validé : il n'est plus modifiable sans un appel ou un mail auprès de nos services."
    calls = [
        lambda: services.billing_perimeter_create(member=perimeter.member, actor=None, name="X", segment="C5"),
        lambda: services.billing_perimeter_update(perimeter=perimeter, actor=None, name="Y"),
        lambda: services.billing_perimeter_delete(perimeter=perimeter, actor=None),
        lambda: services.attach_sites(perimeter=perimeter, sites=[site], actor=None),
        lambda: services.detach_sites(perimeter=perimeter, sites=[site], actor=None),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied, match=message):
            call()
    assert BillingPerimeter.objects.get(pk=perimeter.pk).name == perimeter.name
