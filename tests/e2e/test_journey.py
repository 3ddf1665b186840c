"""A small commune goes through its whole data-collection journey in a real Chromium.

Martine Levillain, administrator of the Ville de Falaise (3 electricity sites, 1 gas site
in the small demo seed, campaigns of lots 1 and 3 opened by the seed), starts her journey,
completes her general data and contacts, confirms her sites (one by one and in bulk),
groups them into billing perimeters with the two-list screen, controls and validates.
Then the journey is locked, and the recap mail's Excel file says what she entered.

No other browser test uses this member: validating its journey locks nobody else's.
"""

from __future__ import annotations

import email
import io
import re
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.e2e.test_home import login

pytestmark = pytest.mark.browser

MAYOR = "mairie@falaise.demo"
LOCKED = "Votre parcours est validé : il n'est plus modifiable sans un appel ou un mail auprès de nos services."
RECAP_SUBJECT = "Votre parcours de collecte est validé — récapitulatif"
NEW_CONTACT = {
    "first_name": "Martine",
    "last_name": "Levillain",
    "job_title": "Maire",
    "phone": "02 31 41 61 00",
    "email": "martine.levillain@falaise.demo",
}
ELEC_SITES = ("Mairie", "Restaurant scolaire", "Éclairage public – Rue des Tilleuls")
GAS_SITE = "Groupe scolaire"
ELEC_PERIMETER = "Périmètre de facture N° 01 - Bâtiments communaux"
GAS_PERIMETER = "Périmètre de facture N° 02 - Groupe scolaire (gaz)"


def assert_accessible(page: Any) -> None:
    results = Axe().run(page)
    violations = [
        f"{v['id']}: {v['help']} — {[n['target'] for n in v['nodes']]}" for v in results.response["violations"]
    ]
    assert violations == [], "\n".join(violations)


def flash(page: Any) -> str:
    return str(page.locator(".messages").inner_text())


def site_row(page: Any, name: str) -> Any:
    return page.locator("table.site-table tbody tr").filter(has=page.get_by_role("rowheader", name=name, exact=True))


# --- The journey, step by step --------------------------------------------------------------


def start_journey(page: Any, server_url: str) -> None:
    login(page, server_url, MAYOR)
    page.wait_for_url(server_url + "/")
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Collecte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Collecte de données contractuelles")
    # The seed pre-filled step 1 only: a third of the way, with the deadline in view.
    expect(page.locator("#progression")).to_have_text("33 %")
    expect(page.get_by_text(re.compile(r"À compléter avant le \d\d/\d\d/\d{4}"))).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="DÉMARRER MON PARCOURS").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Étape 1 — Données générales")


def complete_general_data(page: Any) -> None:
    form = page.locator("form").filter(has=page.get_by_role("button", name="Enregistrer les données générales"))
    form.get_by_label("Code service").fill("MAIRIE-ENERGIE")
    form.get_by_label("Numéro d'engagement").fill("EJ-2026-0042")
    form.get_by_role("button", name="Enregistrer les données générales").click()
    expect(page.locator(".messages")).to_contain_text("Données générales enregistrées.")
    expect(page.get_by_label("Code service")).to_have_value("MAIRIE-ENERGIE")

    # The mayor adds herself as a second administrative contact: she gets the recap too.
    adding = page.locator("form").filter(has=page.get_by_role("button", name="Ajouter l'interlocuteur"))
    adding.get_by_label("Rôle").select_option(label="Administratif")
    adding.get_by_label("Prénom").fill(NEW_CONTACT["first_name"])
    adding.get_by_role("textbox", name=re.compile("^Nom")).fill(NEW_CONTACT["last_name"])
    adding.get_by_label("Fonction").fill(NEW_CONTACT["job_title"])
    adding.get_by_label("Téléphone").fill(NEW_CONTACT["phone"])
    adding.get_by_label("E-mail").fill(NEW_CONTACT["email"])
    adding.get_by_role("button", name="Ajouter l'interlocuteur").click()
    expect(page.locator(".messages")).to_contain_text("Interlocuteur enregistré.")
    contacts = page.get_by_role("table", name="Interlocuteurs de la structure")
    expect(contacts.get_by_role("row").filter(has_text="Martine Levillain")).to_contain_text(NEW_CONTACT["email"])
    assert_accessible(page)


def control_the_journey(page: Any) -> None:
    """Back home: "Reprendre mon parcours", and the control list says what is left, with links."""
    page.get_by_role("navigation", name="Étapes du parcours").get_by_role("link", name="Accueil du parcours").click()
    expect(page.get_by_role("link", name="Reprendre mon parcours")).to_be_visible()
    expect(page.get_by_role("button", name="DÉMARRER MON PARCOURS")).to_have_count(0)
    expect(page.get_by_role("button", name="Valider mon parcours")).to_have_count(0)
    page.get_by_role("link", name="Contrôler mon parcours").click()
    control = page.locator("#controle")
    expect(control).to_contain_text("4 éléments restent à compléter")
    for name in (GAS_SITE, *ELEC_SITES):
        expect(control.get_by_role("link", name=f"Site « {name} » : statut à choisir")).to_be_visible()
    assert_accessible(page)
    # The first fix is one click away.
    control.get_by_role("link", name="Site « Mairie » : statut à choisir").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Site Mairie")


def save_site_form(page: Any, *, other_reference: str, status: str | None = None) -> None:
    page.get_by_label("Autre référence").fill(other_reference)
    if status is not None:
        page.get_by_label("Statut", exact=True).select_option(label=status)
    page.get_by_role("button", name="Enregistrer le site").click()


def complete_sites(page: Any) -> None:
    # The Mairie's form, reached from the control list: data checked, status chosen in the form.
    save_site_form(page, other_reference="Compteur mairie", status="Confirmer la bascule")
    expect(page.get_by_role("heading", level=1)).to_have_text("Étape 2 — Périmètre")
    expect(page.locator(".messages")).to_contain_text("Site « Mairie » enregistré.")
    expect(site_row(page, "Mairie")).to_contain_text("Bascule confirmée")

    # Every other site's form, from its row's "À compléter" link.
    for name in (GAS_SITE, *ELEC_SITES[1:]):
        site_row(page, name).get_by_role("link", name=re.compile("^À compléter")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Site {name}")
        save_site_form(page, other_reference=f"Falaise — {name}"[:50])
        expect(page.locator(".messages")).to_contain_text(f"Site « {name} » enregistré.")
        expect(site_row(page, name)).to_contain_text("À confirmer")

    # "Confirmer la bascule" in the row: htmx swaps the row in place.
    restaurant = site_row(page, "Restaurant scolaire")
    restaurant.get_by_role("button", name="Confirmer la bascule — Restaurant scolaire").click()
    expect(site_row(page, "Restaurant scolaire")).to_contain_text("Bascule confirmée")

    # "Modifier en masse vos sites": the two sites left, ticked and confirmed in one action;
    # htmx brings the table back in place, saying what was done.
    table = page.locator("#site-table")
    for name in (GAS_SITE, ELEC_SITES[2]):
        page.get_by_role("checkbox", name=f"Sélectionner {name}").check()
    page.get_by_text("Modifier en masse vos sites").click()
    bulk = page.locator("details.bulk-panel").filter(has_text="Modifier en masse vos sites")
    expect(
        bulk.get_by_role("group", name="Sites concernés").get_by_role("radio", name="Les sites cochés")
    ).to_be_checked()
    bulk.get_by_label("Statut").select_option(label="Confirmer la bascule")
    bulk.get_by_role("button", name="Appliquer la modification").click()
    expect(table.get_by_role("status")).to_have_text("2 site(s) mis à jour.")

    # "Associer un interlocuteur en masse": the mayor becomes every electricity site's contact
    # through the filter, nothing ticked; then the gas site's, ticked.
    page.get_by_role("search", name="Filtrer les sites").get_by_label("Énergie").select_option(label="Électricité")
    expect(table.get_by_role("row")).to_have_count(1 + len(ELEC_SITES))
    page.get_by_text("Associer un interlocuteur en masse").click()
    contact_panel = page.locator("details.bulk-panel").filter(has_text="Associer un interlocuteur en masse")
    scope = contact_panel.get_by_role("group", name="Sites concernés")
    scope.get_by_role("radio", name="Tous les sites correspondant au filtre (3)").check()
    contact_panel.get_by_label("Interlocuteur").select_option(label="Martine Levillain")
    contact_panel.get_by_role("button", name="Associer l'interlocuteur").click()
    expect(table.get_by_role("status")).to_have_text("3 site(s) mis à jour.")
    page.get_by_role("search", name="Filtrer les sites").get_by_label("Énergie").select_option(label="Toutes")
    expect(scope.get_by_role("radio", name="Tous les sites correspondant au filtre (4)")).to_be_visible()
    page.get_by_role("checkbox", name=f"Sélectionner {GAS_SITE}").check()
    scope.get_by_role("radio", name="Les sites cochés").check()
    contact_panel.get_by_role("button", name="Associer l'interlocuteur").click()
    expect(table.get_by_role("status")).to_have_text("1 site(s) mis à jour.")
    for name in (GAS_SITE, *ELEC_SITES):
        expect(site_row(page, name)).to_contain_text("Bascule confirmée")
        expect(site_row(page, name)).to_contain_text("Martine Levillain")
    # Audited with both bulk panels open: their controls are checked too.
    page.get_by_text("Modifier en masse vos sites").click()
    page.get_by_text("Associer un interlocuteur en masse").click()
    assert_accessible(page)


def create_perimeter(page: Any, *, name: str, segment: str, billing_type: str, delivery: str) -> None:
    page.get_by_role("link", name="Créer un périmètre de facturation").click()
    page.get_by_label("Nom du périmètre").fill(name)
    page.get_by_label("Typologie de segment").select_option(segment)
    page.get_by_label("Type de facturation").select_option(label=billing_type)
    page.get_by_label("Mode de paiement").select_option(label="Mandat administratif")
    page.get_by_label("Rythme de facturation").select_option(label="Mensuelle")
    page.get_by_label("Mode d'envoi des factures").select_option(label=delivery)
    assert_accessible(page)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".messages")).to_contain_text("Le périmètre de facturation est créé")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Sites du périmètre « {name} »")


def panel(page: Any, title: str) -> Any:
    return page.get_by_role("region", name=re.compile("^" + re.escape(title)))


def group_into_billing_perimeters(page: Any) -> None:
    page.get_by_role("link", name="Étape suivante : Périmètres de facturation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Étape 3 — Périmètres de facturation")
    expect(page.get_by_role("status").filter(has_text="rattacher")).to_contain_text(
        "4 sites confirmés restent à rattacher à un périmètre."
    )

    # The electricity sites: one found by its name and attached as found, then two selected.
    create_perimeter(
        page,
        name=ELEC_PERIMETER,
        segment="C5",
        billing_type="Multi-sites (plusieurs sites sur une facture)",
        delivery="Papier",
    )
    available, attached = panel(page, "Sites disponibles"), panel(page, "Sites associés à ce périmètre")
    expect(available.get_by_role("heading")).to_have_text("Sites disponibles 3")  # not the gas site (T3)
    expect(available).not_to_contain_text(GAS_SITE)
    expect(attached.get_by_role("heading")).to_have_text("Sites associés à ce périmètre de facturation 0")
    assert_accessible(page)

    available.get_by_role("searchbox", name="Nom du site").fill("Éclairage")
    available.get_by_role("button", name="Rechercher").click()
    expect(available.get_by_role("heading")).to_have_text("Sites disponibles 1")
    available.get_by_role("button", name="Rattacher le site trouvé").click()
    expect(page.get_by_text("1 site(s) rattaché(s) au périmètre.")).to_be_visible()
    expect(attached.get_by_role("heading")).to_have_text("Sites associés à ce périmètre de facturation 1")
    expect(attached).to_contain_text(ELEC_SITES[2])

    available.get_by_role("searchbox", name="Nom du site").fill("")
    available.get_by_role("button", name="Rechercher").click()
    expect(available.get_by_role("heading")).to_have_text("Sites disponibles 2")
    for name in ELEC_SITES[:2]:
        available.get_by_role("checkbox", name=name).check()
    available.get_by_role("button", name="Rattacher la sélection").click()
    expect(page.get_by_text("2 site(s) rattaché(s) au périmètre.")).to_be_visible()
    expect(attached.get_by_role("heading")).to_have_text("Sites associés à ce périmètre de facturation 3")
    expect(available.get_by_role("heading")).to_have_text("Sites disponibles 0")

    # Detach one and attach it back: the two lists follow.
    attached.get_by_role("checkbox", name="Mairie").check()
    attached.get_by_role("button", name="Détacher la sélection").click()
    expect(page.get_by_text("1 site(s) détaché(s) du périmètre.")).to_be_visible()
    expect(available.get_by_role("heading")).to_have_text("Sites disponibles 1")
    available.get_by_role("checkbox", name="Mairie").check()
    available.get_by_role("button", name="Rattacher la sélection").click()
    expect(page.get_by_text("1 site(s) rattaché(s) au périmètre.")).to_be_visible()
    expect(attached.get_by_role("heading")).to_have_text("Sites associés à ce périmètre de facturation 3")
    for name in ELEC_SITES:
        expect(attached).to_contain_text(name)
    assert_accessible(page)

    # The gas site: a mono-site perimeter of segment T3.
    page.get_by_role("link", name="Retour aux périmètres de facturation").click()
    create_perimeter(
        page, name=GAS_PERIMETER, segment="T3", billing_type="Mono-site (une facture par site)", delivery="Papier"
    )
    available = panel(page, "Sites disponibles")
    available.get_by_role("checkbox", name=GAS_SITE).check()
    available.get_by_role("button", name="Rattacher la sélection").click()
    expect(page.get_by_text("1 site(s) rattaché(s) au périmètre.")).to_be_visible()

    page.get_by_role("link", name="Retour aux périmètres de facturation").click()
    expect(page.get_by_role("status").filter(has_text="rattach")).to_contain_text(
        "Tous vos sites confirmés sont rattachés à un périmètre de facturation."
    )


def validate_journey(page: Any) -> None:
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Collecte").click()
    expect(page.locator("#progression")).to_have_text("100 %")
    expect(page.locator("#controle")).to_contain_text("Toutes les étapes sont complètes")
    expect(page.get_by_role("link", name="Contrôler mon parcours")).to_have_count(0)
    page.get_by_role("button", name="Valider mon parcours").click()

    expect(page.locator(".messages")).to_contain_text("Votre parcours est validé.")
    expect(page.get_by_role("status").filter(has_text="Parcours validé le")).to_contain_text(
        "non modifiable sans un appel ou un mail auprès de nos services"
    )
    for name in ("Valider mon parcours", "DÉMARRER MON PARCOURS"):
        expect(page.get_by_role("button", name=name)).to_have_count(0)
    expect(page.get_by_role("link", name="Reprendre mon parcours")).to_have_count(0)


# --- What is refused afterwards -------------------------------------------------------------


def open_stale_forms(page: Any, server_url: str) -> tuple[Any, Any]:
    """Two more tabs keep forms open across the validation: a site's and a billing perimeter's."""
    site_tab = page.context.new_page()
    site_tab.goto(server_url + "/")
    site_tab.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Collecte").click()
    site_tab.get_by_role("link", name="2. Périmètre").click()
    site_row(site_tab, "Mairie").get_by_role("link", name=re.compile("^Modifier")).click()
    expect(site_tab.get_by_role("button", name="Enregistrer le site")).to_be_visible()

    perimeter_tab = page.context.new_page()
    perimeter_tab.goto(server_url + "/")
    perimeter_tab.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Collecte").click()
    perimeter_tab.get_by_role("link", name="3. Périmètres de facturation").click()
    perimeter_tab.get_by_role("link", name=f"Modifier — {GAS_PERIMETER}").click()
    expect(perimeter_tab.get_by_role("button", name="Enregistrer")).to_be_visible()
    return site_tab, perimeter_tab


def writes_are_refused(page: Any, site_tab: Any, perimeter_tab: Any) -> None:
    # Forms opened before the validation, saved after: refused, with the reason.
    site_tab.get_by_label("Autre référence").fill("Modifié après validation")
    site_tab.get_by_role("button", name="Enregistrer le site").click()
    expect(site_tab.get_by_role("heading", level=1)).to_have_text("Modification refusée")
    expect(site_tab.get_by_role("alert")).to_have_text(LOCKED)

    perimeter_tab.get_by_label("Rythme de facturation").select_option(label="Bimestrielle")
    perimeter_tab.get_by_role("button", name="Enregistrer").click()
    expect(perimeter_tab.get_by_role("heading", level=1)).to_have_text("Modification refusée")
    expect(perimeter_tab.get_by_role("alert")).to_have_text(LOCKED)

    # Opened now, the step 2 table has no action left and the site form is read-only.
    page.get_by_role("link", name="2. Périmètre").click()
    expect(page.get_by_role("status").filter(has_text="Parcours validé le")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Confirmer la bascule"))).to_have_count(0)
    expect(page.locator("table.site-table").get_by_role("checkbox")).to_have_count(0)
    expect(page.get_by_text("Modifier en masse vos sites")).to_have_count(0)
    expect(page.get_by_role("link", name="Ajouter un nouveau site")).to_have_count(0)
    site_row(page, "Mairie").get_by_role("link", name=re.compile("^Modifier")).click()
    expect(page.get_by_label("Autre référence")).to_be_disabled()
    expect(page.get_by_role("button", name="Enregistrer le site")).to_have_count(0)

    # Step 3 is read-only too: the perimeters and their sites are shown, nothing changes them.
    page.get_by_role("link", name="Retour à la liste des sites").click()
    page.get_by_role("link", name="Étape suivante : Périmètres de facturation").click()
    expect(page.get_by_role("status").filter(has_text="Parcours validé")).to_contain_text(
        "non modifiable sans un appel ou un mail auprès de nos services"
    )
    expect(page.get_by_role("link", name="Créer un périmètre de facturation")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("^(Modifier|Supprimer) —"))).to_have_count(0)
    page.get_by_role("link", name=f"Voir les sites — {ELEC_PERIMETER}").click()
    attached = panel(page, "Sites associés à ce périmètre")
    for name in ELEC_SITES:
        expect(attached).to_contain_text(name)
    expect(page.get_by_role("checkbox")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("^(Rattacher|Détacher)"))).to_have_count(0)


# --- The recap mail -------------------------------------------------------------------------


def mails_in(mail_dir: Path) -> list[EmailMessage]:
    """The mails the file backend wrote: each file holds messages separated by a line of dashes."""
    messages = []
    for path in sorted(mail_dir.iterdir()):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                message = email.message_from_bytes(chunk, policy=default_policy)
                assert isinstance(message, EmailMessage)
                messages.append(message)
    return messages


def recap_mail(mail_dir: Path) -> EmailMessage:
    # Django folds the long encoded subject right after "Subject:": the parsed value keeps a space.
    recaps = [m for m in mails_in(mail_dir) if m["Subject"].strip() == RECAP_SUBJECT and MAYOR in m["To"]]
    assert len(recaps) == 1, [m["Subject"] for m in mails_in(mail_dir)]
    return recaps[0]


def sheet_rows(workbook: Any, title: str) -> list[dict[str, Any]]:
    rows = list(workbook[title].iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def check_recap(mail_dir: Path) -> None:
    message = recap_mail(mail_dir)
    recipients = {address.addr_spec for address in message["To"].addresses}
    # The one who validated and every administrative contact (the seed's and the new one).
    assert recipients == {MAYOR, "thomas.leroy@falaise.demo", NEW_CONTACT["email"]}
    attachments = [part for part in message.iter_attachments() if (part.get_filename() or "").endswith(".xlsx")]
    assert len(attachments) == 1
    workbook = load_workbook(io.BytesIO(attachments[0].get_content()), read_only=True)
    assert workbook.sheetnames == ["Données générales", "Interlocuteurs", "Sites", "Périmètres de facturation"]

    general = {row["Donnée"]: row["Valeur"] for row in sheet_rows(workbook, "Données générales")}
    assert general["Raison sociale"] == "Ville de Falaise"
    assert general["Commune"] == "Falaise"
    assert general["Code service ChorusPro"] == "MAIRIE-ENERGIE"
    assert general["Numéro d'engagement ChorusPro"] == "EJ-2026-0042"

    contacts = sheet_rows(workbook, "Interlocuteurs")
    assert {(c["Rôle"], c["Nom"]) for c in contacts} >= {("Administratif", "Leroy"), ("Administratif", "Levillain")}
    assert {c["Rôle"] for c in contacts} == {"Administratif", "Facturation", "Technique"}
    mayor = next(c for c in contacts if c["Nom"] == "Levillain")
    assert (mayor["Prénom"], mayor["Fonction"], mayor["Téléphone"], mayor["E-mail"]) == (
        "Martine",
        "Maire",
        NEW_CONTACT["phone"],
        NEW_CONTACT["email"],
    )

    sites = {row["Nom du site"]: row for row in sheet_rows(workbook, "Sites")}
    assert set(sites) == {GAS_SITE, *ELEC_SITES}
    assert {row["Statut"] for row in sites.values()} == {"Bascule confirmée"}
    assert {row["Interlocuteur"] for row in sites.values()} == {"Martine Levillain"}
    assert sites["Mairie"]["Autre référence"] == "Compteur mairie"
    assert sites[GAS_SITE]["Énergie"] == "Gaz naturel"

    billing = sheet_rows(workbook, "Périmètres de facturation")
    by_perimeter: dict[str, set[str]] = {}
    for row in billing:
        by_perimeter.setdefault(row["Périmètre"], set()).add(row["Site"])
    assert by_perimeter == {ELEC_PERIMETER: set(ELEC_SITES), GAS_PERIMETER: {GAS_SITE}}
    elec = next(row for row in billing if row["Périmètre"] == ELEC_PERIMETER)
    assert (elec["Segment"], elec["Mode de paiement"], elec["Envoi des factures"]) == (
        "C5",
        "Mandat administratif",
        "Papier",
    )


def test_small_commune_completes_and_validates_its_journey(page: Any, server_url: str, mail_dir: Path) -> None:
    page.context.set_default_timeout(10_000)
    start_journey(page, server_url)
    complete_general_data(page)
    control_the_journey(page)
    complete_sites(page)
    group_into_billing_perimeters(page)

    site_tab, perimeter_tab = open_stale_forms(page, server_url)

    validate_journey(page)
    writes_are_refused(page, site_tab, perimeter_tab)
    check_recap(mail_dir)
    assert not [e for e in page.console_errors if "Content Security Policy" in e], page.console_errors
