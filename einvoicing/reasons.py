"""ChorusPro's refusals in plain French: what happened and what to fix, naming fields, not XPaths.

ChorusPro gives a code and a label (the flux report's ``codeErreurDP`` / ``libelleErreurDP``,
an invoice's ``codeMotif`` / ``commentaire`` when it asks to recycle or rejects). Known codes
are matched first, then words of the label; anything else is quoted as ChorusPro said it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Explanation:
    reason: str
    fix: str


@dataclass(frozen=True)
class _Rule:
    codes: frozenset[str]
    words: tuple[tuple[str, ...], ...]  # any group whose words all appear in the label
    reason: str
    fix: str


def _rules() -> tuple[_Rule, ...]:
    routing_fix = _(
        "Corrigez le routage ChorusPro du périmètre de facturation « {perimeter} » (écran Périmètres de "
        "facturation), puis demandez un nouveau dépôt : la facture garde son numéro."
    )
    return (
        _Rule(
            frozenset({"SERVICE_OBLIGATOIRE", "DEST_SERVICE_OBLIGATOIRE", "20003"}),
            (("code service", "obligatoire"), ("service", "absent"), ("service", "manquant")),
            _("Le destinataire exige un code service et la facture n'en porte pas (« code service », BT-10)."),
            routing_fix,
        ),
        _Rule(
            frozenset({"SERVICE_INCONNU", "DEST_SERVICE_INCONNU", "20004"}),
            (("code service", "inconnu"), ("service", "inactif"), ("service", "introuvable")),
            _("Le code service « {service_code} » n'existe pas ou n'est plus actif chez le destinataire (BT-10)."),
            routing_fix,
        ),
        _Rule(
            frozenset({"ENGAGEMENT_OBLIGATOIRE", "DEST_ENGAGEMENT_OBLIGATOIRE", "20005"}),
            (("engagement", "obligatoire"), ("engagement", "absent"), ("engagement", "manquant")),
            _(
                "Le destinataire exige un numéro d'engagement et la facture n'en porte pas "
                "(« numéro d'engagement », BT-13)."
            ),
            routing_fix,
        ),
        _Rule(
            frozenset({"ENGAGEMENT_INCONNU", "DEST_ENGAGEMENT_INCONNU", "20006"}),
            (("engagement", "inconnu"), ("engagement", "invalide")),
            _("Le numéro d'engagement « {commitment_number} » est inconnu du destinataire (BT-13)."),
            routing_fix,
        ),
        _Rule(
            frozenset({"DESTINATAIRE_INCONNU", "DEST_INCONNU", "20001"}),
            (("destinataire", "inconnu"), ("siret", "inconnu"), ("destinataire", "inactif")),
            _("Le SIRET destinataire {siret} n'est pas une structure active de ChorusPro (« SIRET destinataire »)."),
            routing_fix,
        ),
        _Rule(
            frozenset({"HTTP_401", "HTTP_403"}),
            (("identifiants",), ("compte technique",)),
            _("ChorusPro a refusé les identifiants de la plateforme : la facture n'a pas été transmise."),
            _(
                "Le fournisseur vérifie les identifiants PISTE et le compte technique ChorusPro (le mot de passe "
                "du compte technique expire), puis redépose la facture depuis le back-office."
            ),
        ),
        _Rule(
            frozenset({"DOUBLON", "FACTURE_DOUBLON"}),
            (("doublon",), ("deja", "deposee")),
            _("ChorusPro a déjà reçu une facture portant le numéro {number} pour ce destinataire."),
            _("Rien à redéposer : suivez l'état de la facture déjà reçue, ou contactez votre chargé de compte."),
        ),
    )


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def explain(code: str, label: str, **context: str) -> Explanation:
    """The French reason and fix for ChorusPro's ``code`` / ``label``; ``context`` fills the names."""
    values = {"perimeter": "", "service_code": "", "commitment_number": "", "siret": "", "number": "", **context}
    plain = _plain(label)
    for rule in _rules():
        if code in rule.codes or any(all(word in plain for word in group) for group in rule.words):
            return Explanation(rule.reason.format(**values), rule.fix.format(**values))
    said = f"{label} (code {code})" if label and code else label or code or _("sans motif")
    return Explanation(
        _("ChorusPro a refusé la facture : {said}.").format(said=said),
        _("Contactez votre chargé de compte, qui vérifiera la facture avec vous."),
    )
