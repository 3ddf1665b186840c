"""Writes on syndicates: creation of a tenant with its schema and its address."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from tenants.models import Domain, Syndicate


def syndicate_domain(code: str) -> str:
    return f"{code}.{settings.PLATFORM_DOMAIN}"


def syndicate_url(syndicate: Syndicate) -> str:
    domain = syndicate.get_primary_domain()
    host = domain.domain if domain else syndicate_domain(syndicate.code)
    port = f":{settings.PLATFORM_PORT}" if settings.PLATFORM_PORT not in {"", "80", "443"} else ""
    return f"{settings.PLATFORM_SCHEME}://{host}{port}"


def syndicate_create(
    *,
    code: str,
    name: str,
    contact_name: str = "",
    contact_email: str = "",
    domain: str | None = None,
    schema_name: str | None = None,
    exist_ok: bool = True,
) -> Syndicate:
    """Create a syndicate, its schema (migrated) and its primary domain.

    Idempotent on ``code`` by default: an existing syndicate is returned unchanged, so
    that the demo seed can run twice; ``exist_ok=False`` refuses it instead. The code
    of the public schema is reserved (it is the supplier's own tenant row).
    """
    if code == settings.PUBLIC_SCHEMA_NAME or schema_name == settings.PUBLIC_SCHEMA_NAME:
        raise ValidationError({"code": f"Le code « {settings.PUBLIC_SCHEMA_NAME} » est réservé à la plateforme."})
    existing = Syndicate.objects.filter(code=code).first()
    if existing is not None:
        if not exist_ok:
            raise ValidationError({"code": f"Un syndicat existe déjà avec le code « {code} » ({existing.name})."})
        return existing
    syndicate = Syndicate(
        code=code,
        name=name,
        contact_name=contact_name,
        contact_email=contact_email,
        schema_name=schema_name or code,
    )
    syndicate.full_clean(exclude=["schema_name"])
    if Domain.objects.filter(domain=domain or syndicate_domain(code)).exists():
        raise ValidationError({"domain": f"L'adresse {domain or syndicate_domain(code)} est déjà utilisée."})
    with transaction.atomic():
        syndicate.save(verbosity=0)  # creates and migrates the schema, quietly
        Domain.objects.create(domain=domain or syndicate_domain(code), tenant=syndicate, is_primary=True)
    return syndicate


def public_tenant_ensure() -> Syndicate:
    """The public schema's own tenant row, bound to the supplier's host (back-office)."""
    public = Syndicate.objects.filter(schema_name=settings.PUBLIC_SCHEMA_NAME).first()
    if public is None:
        public = Syndicate(schema_name=settings.PUBLIC_SCHEMA_NAME, code="public", name="Fournisseur")
        public.save()
    Domain.objects.get_or_create(domain=settings.PLATFORM_DOMAIN, defaults={"tenant": public, "is_primary": True})
    return public
