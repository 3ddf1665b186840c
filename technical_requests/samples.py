"""Plausible data for any request type, read from its declaration (the demo and the tests use it)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from technical_requests.catalogue import Field, RequestType
from technical_requests.choices import FieldKind
from technical_requests.validation import earliest_date

TEXTS = {
    "contact_name": ["Claire Martin", "Jean Lefèvre", "Services techniques"],
    "event": ["Fête communale", "Marché de Noël", "Travaux de l'école"],
    "subject": ["Compteur bruyant", "Index contesté", "Question sur le raccordement"],
    "new_location": ["Limite de propriété", "Local technique"],
    "building": ["Vestiaires du stade", "Borne de recharge"],
}


def sample_value(field: Field, today: dt.date, rng: random.Random, delivery_point: str = "") -> Any:
    kind = field.kind
    if kind == FieldKind.DATE:
        start = earliest_date(field, today) or today
        return (start + dt.timedelta(days=rng.randint(0, 10))).isoformat()
    if kind == FieldKind.CHOICE:
        return rng.choice(field.choice_values)
    if kind == FieldKind.BOOLEAN:
        return rng.random() < 0.5
    if kind == FieldKind.DECIMAL:
        return str(rng.randint(int(field.min_value or 1), 50000))
    if kind == FieldKind.PHONE:
        return f"02 31 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
    if kind == FieldKind.EMAIL:
        return "contact@mairie.example"
    if kind == FieldKind.POSTCODE:
        return "14000"
    if kind == FieldKind.DELIVERY_POINT:
        return delivery_point
    if kind == FieldKind.LONG_TEXT:
        return "Merci de prévenir la mairie la veille de l'intervention."
    return rng.choice(TEXTS.get(field.name, ["Mairie, 1 place de la République"]))


def sample_data(
    rtype: RequestType,
    today: dt.date,
    *,
    new_site: bool = False,
    rng: random.Random | None = None,
    delivery_point: str = "",
) -> dict[str, Any]:
    """Valid data for ``rtype`` (every field filled, dates at their earliest allowed, spans in range)."""
    rng = rng or random.Random(0)  # noqa: S311 (demo data, not a secret)
    data = {f.name: sample_value(f, today, rng, delivery_point) for f in rtype.fields_for(new_site=new_site)}
    if "end_date" in data and rtype.span_days is not None:
        start = dt.date.fromisoformat(data["desired_date"])
        data["end_date"] = (start + dt.timedelta(days=rng.randint(*rtype.span_days))).isoformat()
    if "restore_date" in data and "desired_date" in data:
        data["restore_date"] = max(data["restore_date"], data["desired_date"])
    return data
