"""Print the current TOTP code of a supplier staff account (demo and support use)."""

from __future__ import annotations

from typing import Any

import pyotp
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import schema_context

from accounts.models import User


class Command(BaseCommand):
    help = "Affiche le code TOTP courant d'un compte du fournisseur (schéma public)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")

    def handle(self, *args: Any, **options: Any) -> None:
        with schema_context("public"):  # staff accounts live in the public schema only
            user = User.objects.filter(email__iexact=options["email"].strip()).first()
        if user is None or not user.totp_secret:
            raise CommandError("Aucun compte du fournisseur avec un second facteur pour cette adresse.")
        self.stdout.write(pyotp.TOTP(user.totp_secret).now())
