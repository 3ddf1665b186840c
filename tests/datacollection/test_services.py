"""Journey services: start, step writes, bulk update, validation, lock, recap mail, unlock."""

from __future__ import annotations

import email
import email.policy
import io
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import AuditEvent
from datacollection import services
from datacollection.models import Journey, JourneyEvent
from datacollection.recap import SHEET_BILLING, SHEET_CONTACTS, SHEET_GENERAL, SHEET_SITES
from perimeter import services as park
from perimeter.choices import DistributorState, SiteStatus
from perimeter.models import Contact, Site, SiteStatusChange
from tests.datacollection.conftest import add_sites, complete_journey

LOCKED = "Votre parcours est validé : il n'est plus modifiable sans un appel ou un mail auprès de nos services."


def test_start_creates_one_journey_per_open_campaign_idempotently(world, campaign):
    first = services.journey_start(member=world.member_a, actor=world.alice)
    again = services.journey_start(member=world.member_a, actor=world.alice)
    assert [j.pk for j in first] == [j.pk for j in again]
    assert first[0].started_at is not None
    assert first[0].started_by == world.alice
    assert JourneyEvent.objects.filter(journey=first[0], kind="started").count() == 1


def test_start_without_open_campaign_is_refused(world):
    with pytest.raises(ValidationError, match="Aucune campagne"):
        services.journey_start(member=world.member_a, actor=world.alice)


def test_general_data_update_validates_the_siret(world, campaign):
    with pytest.raises(ValidationError) as error:
        services.member_general_data_update(member=world.member_a, actor=world.alice, data={"siret": "12345678901234"})
    assert "siret" in error.value.message_dict
    services.member_general_data_update(
        member=world.member_a, actor=world.alice, data={"address_line": "1 place de la Mairie"}
    )
    world.member_a.refresh_from_db()
    assert world.member_a.address_line == "1 place de la Mairie"
    assert AuditEvent.objects.filter(action="member.general_data_updated").exists()


def test_site_status_changes_write_the_history(world, campaign):
    site = services.site_update(site=world.site_a, actor=world.alice, data={"status": SiteStatus.SWITCH_CONFIRMED})
    assert site.status == SiteStatus.SWITCH_CONFIRMED
    change = SiteStatusChange.objects.get(site=world.site_a)
    assert (change.from_status, change.to_status, change.by) == (
        SiteStatus.TO_CONFIRM,
        SiteStatus.SWITCH_CONFIRMED,
        world.alice,
    )


def test_member_cannot_choose_a_supplier_status(world, campaign):
    with pytest.raises(ValidationError):
        services.site_update(site=world.site_a, actor=world.alice, data={"status": SiteStatus.ACTIVE})


def test_site_update_validates_the_delivery_point_and_the_contact(world, campaign):
    with pytest.raises(ValidationError) as error:
        services.site_update(site=world.site_a, actor=world.alice, data={"delivery_point": "123"})
    assert error.value.messages
    foreign = Contact.objects.create(member=world.member_b, role="technical", last_name="Autre")
    with pytest.raises(ValidationError):
        services.site_update(site=world.site_a, actor=world.alice, data={"contact": foreign})


def test_bulk_update_of_300_sites_in_a_bounded_number_of_queries(world, campaign, max_queries):
    sites = add_sites(world.member_a, 300)
    contact = Contact.objects.create(member=world.member_a, role="technical", last_name="Durand")
    ids = [s.pk for s in sites] + [world.site_b.pk]  # a foreign id is ignored
    # Queries: lock check, open campaigns, journeys, selected sites (FOR UPDATE), update, audit,
    # then perimeter's sites_change_status: sites not at the status yet, history rows (bulk),
    # status update, audit; plus two savepoint pairs. None per site.
    with max_queries(14):
        count = services.sites_bulk_update(
            member=world.member_a,
            actor=world.alice,
            site_ids=ids,
            status=SiteStatus.SWITCH_CONFIRMED,
            fields={"distributor_state": DistributorState.CUT},
            contact=contact,
            set_contact=True,
        )
    assert count == 300
    assert (
        Site.objects.filter(member=world.member_a, contact=contact, status=SiteStatus.SWITCH_CONFIRMED).count() == 300
    )
    assert Site.objects.get(pk=world.site_b.pk).status == SiteStatus.TO_CONFIRM
    assert SiteStatusChange.objects.filter(site__member=world.member_a).count() == 300


def test_validation_is_refused_while_incomplete(world, campaign):
    with pytest.raises(ValidationError, match="pas complet"):
        services.journey_validate(member=world.member_a, actor=world.alice)
    assert not Journey.objects.filter(validated_at__isnull=False).exists()


def _validate(world, django_capture_on_commit_callbacks):
    complete_journey(world.member_a)
    with django_capture_on_commit_callbacks(execute=True):
        return services.journey_validate(member=world.member_a, actor=world.alice)


def test_validation_locks_every_write(world, campaign, django_capture_on_commit_callbacks, mailoutbox):
    _validate(world, django_capture_on_commit_callbacks)
    assert AuditEvent.objects.filter(action="journey.validated").count() == 1
    writes = [
        lambda: services.site_update(site=world.site_a, actor=world.alice, data={"site_name": "X"}),
        lambda: services.member_general_data_update(member=world.member_a, actor=world.alice, data={"city": "X"}),
        lambda: park.contact_create(
            member=world.member_a, actor=world.alice, role="billing", last_name="X", phone="0102030405", email="x@y.fr"
        ),
        lambda: services.sites_bulk_update(
            member=world.member_a, actor=world.alice, site_ids=[world.site_a.pk], status="not_mine"
        ),
        lambda: services.journey_validate(member=world.member_a, actor=world.alice),
    ]
    for write in writes:
        with pytest.raises(PermissionDenied, match=LOCKED):
            write()
    # Another member is not locked by alice's validation.
    services.journey_assert_editable(world.member_b)


def test_billing_perimeters_are_locked_too(world, campaign, django_capture_on_commit_callbacks, mailoutbox):
    from billing_groups import services as billing_services
    from billing_groups.models import BillingPerimeter

    _validate(world, django_capture_on_commit_callbacks)
    perimeter = BillingPerimeter.objects.get(member=world.member_a)
    with pytest.raises(PermissionDenied, match=LOCKED):
        billing_services.billing_perimeter_delete(perimeter=perimeter, actor=world.alice)


def test_recap_mail_is_sent_once_with_the_excel_file(world, campaign, django_capture_on_commit_callbacks, mailoutbox):
    journeys = _validate(world, django_capture_on_commit_callbacks)
    from datacollection.tasks import send_recap

    assert send_recap.apply(args=[[j.pk for j in journeys], "alpha"]).get() is False  # the task ran twice
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert world.alice.email in mail.to
    assert "administrative@a.test" in mail.to
    assert "validé" in mail.subject
    # One line, read back intact by a mail reader (no leading space, no word cut in two).
    received = email.message_from_bytes(mail.message().as_bytes(), policy=email.policy.default)
    assert received["Subject"] == "Votre parcours de collecte est validé — récapitulatif"
    assert b"Subject: Votre parcours de collecte est" in mail.message().as_bytes()
    filename, content, mimetype = mail.attachments[0]
    assert filename.endswith(".xlsx")
    assert mimetype.startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == [SHEET_GENERAL, SHEET_CONTACTS, SHEET_SITES, SHEET_BILLING]
    general: dict[Any, Any] = {row[0]: row[1] for row in workbook[SHEET_GENERAL].iter_rows(min_row=2, values_only=True)}
    assert general["Raison sociale"] == "Ville d'Alpha"
    assert general["Code postal"] == "14000"
    assert general["Mix énergétique"] == "Mix énergétique national"  # left empty: the campaign's default
    sites = list(workbook[SHEET_SITES].iter_rows(values_only=True))
    assert sites[0][:2] == ("Nom du site", "Point de livraison")
    assert sites[1][0] == world.site_a.site_name
    assert sites[1][4] == "Bascule confirmée"
    assert len(list(workbook[SHEET_CONTACTS].iter_rows(min_row=2))) == 3
    billing = list(workbook[SHEET_BILLING].iter_rows(min_row=2, values_only=True))
    assert billing == [
        (
            "Périmètre de facture N° 01",
            "C5",
            "Multi-sites (plusieurs sites sur une facture)",
            "Virement",
            "Mensuelle",
            "Papier",
            None,
            None,
            None,
            None,
            None,
            world.site_a.site_name,
            world.site_a.delivery_point,
        )
    ]
    sheet = workbook[SHEET_BILLING]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:M{sheet.max_row}"


def test_recap_neutralises_formulas(world, campaign, django_capture_on_commit_callbacks, mailoutbox):
    Site.objects.filter(pk=world.site_a.pk).update(site_name="=HYPERLINK(1)")
    _validate(world, django_capture_on_commit_callbacks)
    workbook = openpyxl.load_workbook(io.BytesIO(mailoutbox[0].attachments[0][1]))
    assert workbook[SHEET_SITES]["A2"].value == "'=HYPERLINK(1)"


def test_unlock_requires_a_reason_and_is_audited(world, campaign, django_capture_on_commit_callbacks, mailoutbox):
    journey = _validate(world, django_capture_on_commit_callbacks)[0]
    with pytest.raises(ValidationError):
        services.journey_unlock(journey=journey, actor=world.carol, reason=" ")
    services.journey_unlock(journey=journey, actor=world.carol, reason="Site oublié, appel du 12/10")
    journey.refresh_from_db()
    assert journey.validated_at is None
    assert journey.unlock_reason == "Site oublié, appel du 12/10"
    event = JourneyEvent.objects.get(journey=journey, kind="unlocked")
    assert event.reason == "Site oublié, appel du 12/10"
    assert event.by == world.carol
    assert AuditEvent.objects.get(action="journey.unlocked").details == {"reason": "Site oublié, appel du 12/10"}
    services.journey_assert_editable(world.member_a)  # editable again
    with pytest.raises(ValidationError):
        services.journey_unlock(journey=journey, actor=world.carol, reason="encore")


def test_a_new_validation_after_unlock_sends_a_new_recap(
    world, campaign, django_capture_on_commit_callbacks, mailoutbox
):
    journey = _validate(world, django_capture_on_commit_callbacks)[0]
    services.journey_unlock(journey=journey, actor=world.carol, reason="Correction")
    with django_capture_on_commit_callbacks(execute=True):
        services.journey_validate(member=world.member_a, actor=world.alice)
    assert len(mailoutbox) == 2


def test_site_add_creates_a_site_to_confirm(world, campaign):
    from tests.factories import LotFactory

    world.member_a.lots.add(LotFactory(number=1))
    site = services.site_add(
        member=world.member_a,
        actor=world.alice,
        data={
            "lot": LotFactory(number=1),
            "fluid": "elec",
            "delivery_point": "12345678901234",
            "distributor": "ENEDIS",
            "segment": "C5",
            "tariff_formula": "BTINFCUST",
            "tariff_option": "BASE",
            "subscribed_power_kva": 9,
            "site_name": "Nouvelle école",
            "address_line": "3 rue Neuve",
            "postcode": "14000",
            "city": "Caen",
        },
    )
    assert site.member == world.member_a
    assert site.status == SiteStatus.TO_CONFIRM
    with pytest.raises(ValidationError):
        services.site_add(member=world.member_a, actor=world.alice, data={"lot": LotFactory(number=7, name="x")})


def _attached_site_ids(member):
    from billing_groups.models import BillingPerimeterSite

    return set(BillingPerimeterSite.objects.filter(site__member=member).values_list("site_id", flat=True))


def test_a_site_declared_not_mine_leaves_its_billing_perimeter(world, campaign):
    sites = add_sites(world.member_a, 3)
    complete_journey(world.member_a)
    assert _attached_site_ids(world.member_a) == {s.pk for s in Site.objects.filter(member=world.member_a)}
    services.site_update(site=sites[0], actor=world.alice, data={"status": SiteStatus.NOT_MINE})
    services.sites_bulk_update(
        member=world.member_a, actor=world.alice, site_ids=[sites[1].pk], status=SiteStatus.ALREADY_TERMINATED
    )
    assert sites[0].pk not in _attached_site_ids(world.member_a)
    assert sites[1].pk not in _attached_site_ids(world.member_a)
    assert sites[2].pk in _attached_site_ids(world.member_a)
    assert AuditEvent.objects.filter(action="billing_perimeter.sites_released").count() == 2
    # Still complete: the released sites are no longer confirmed, so they need no perimeter.
    from datacollection.selectors import member_journey

    assert member_journey(world.member_a).progress().complete


def test_an_empty_billing_perimeter_blocks_the_validation(world, campaign):
    from billing_groups.models import BillingPerimeter
    from datacollection.selectors import member_journey

    complete_journey(world.member_a)
    BillingPerimeter.objects.create(
        member=world.member_a, name="Périmètre vide", segment="C5", billing_type="mono_site"
    )
    progress = member_journey(world.member_a).progress()
    assert not progress.complete
    assert any("« Périmètre vide » ne contient aucun site" in item.label for item in progress.missing)
    with pytest.raises(ValidationError, match="pas complet"):
        services.journey_validate(member=world.member_a, actor=world.alice)


def test_a_new_billing_perimeter_starts_from_the_campaign_defaults(world, campaign):
    from billing_groups.choices import BillingType, InvoiceDelivery, PaymentMode
    from billing_groups.services import billing_perimeter_create

    type(campaign).objects.filter(pk=campaign.pk).update(
        default_grouped_invoice=False, default_paper_delivery=False, default_bank_transfer=False
    )
    Contact.objects.create(member=world.member_b, role="billing", last_name="Compta", email="compta@b.test")
    perimeter = billing_perimeter_create(member=world.member_b, actor=world.charlie, name="Écoles", segment="C5")
    assert perimeter.billing_type == BillingType.MONO_SITE
    assert perimeter.invoice_delivery == InvoiceDelivery.EMAIL
    assert perimeter.delivery_email == "compta@b.test"  # the billing contact receives them
    assert perimeter.payment_mode == PaymentMode.DIRECT_DEBIT
    chosen = billing_perimeter_create(
        member=world.member_b, actor=world.charlie, name="Mairie", segment="C5", payment_mode=PaymentMode.TRANSFER
    )
    assert chosen.payment_mode == PaymentMode.TRANSFER  # what the member gives wins


@pytest.mark.parametrize(("chosen", "expected"), [("", "national"), ("renewable", "renewable")])
def test_the_energy_mix_left_empty_takes_the_campaign_default_at_validation(
    world, campaign, django_capture_on_commit_callbacks, chosen, expected
):
    world.member_a.energy_mix = chosen
    world.member_a.save()
    _validate(world, django_capture_on_commit_callbacks)
    world.member_a.refresh_from_db()
    assert world.member_a.energy_mix == expected
