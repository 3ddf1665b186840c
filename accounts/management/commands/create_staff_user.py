"""Create a supplier account manager (back-office) in the public schema.

With a password (prompted, or read from $STAFF_USER_PASSWORD with --no-input) the account
can log in at once; without one it receives an activation link. Either way the first
login asks it to pair an authenticator app (TOTP) before opening the back-office.
"""

from __future__ import annotations

import getpass
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction
from django_tenants.utils import schema_context

from accounts.choices import Role
from accounts.mail import absolute_url
from accounts.models import User
from accounts.services import user_activation_send, user_create
from config.env import env_str

PASSWORD_ENV = "STAFF_USER_PASSWORD"  # noqa: S105 (the name of a variable, not a password)


class Command(BaseCommand):
    help = "Crée un chargé de compte du fournisseur (back-office, schéma public) et affiche la suite à donner."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument(
            "--no-input",
            action="store_true",
            help=f"no prompt: the password comes from ${PASSWORD_ENV}, or else an activation link is mailed",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip().lower()
        try:
            validate_email(email)
        except ValidationError as exc:
            raise CommandError(f"Adresse e-mail invalide : {email}") from exc
        with schema_context("public"):  # staff accounts live in the public schema only
            if User.objects.filter(email__iexact=email).exists():
                raise CommandError(f"Un compte existe déjà avec l'adresse {email}.")
            candidate = User(email=email, first_name=options["first_name"], last_name=options["last_name"])
            password = env_str(PASSWORD_ENV) if options["no_input"] else self._prompt(candidate)
            if password:
                try:
                    password_validation.validate_password(password, candidate)
                except ValidationError as exc:
                    raise CommandError(" ".join(exc.messages)) from exc
            with transaction.atomic():
                user = user_create(
                    email=email,
                    role=Role.ACCOUNT_MANAGER,
                    first_name=options["first_name"],
                    last_name=options["last_name"],
                    password=password or None,
                )
                link = None if password else user_activation_send(user=user)
            login = absolute_url("accounts:login")
        self.stdout.write(f"Chargé de compte créé : {email}")
        if link:
            self.stdout.write(f"Lien d'activation (valable 24 h, envoyé par e-mail) : {link}")
            self.stdout.write(f"Ensuite, connexion sur {login} : le second facteur (TOTP) sera configuré à ce moment.")
        else:
            self.stdout.write(
                f"Connexion sur {login} : le second facteur (TOTP) sera configuré à la première connexion."
            )

    def _prompt(self, candidate: User) -> str:
        """Ask twice; an empty answer means: send an activation link instead."""
        while True:
            password = getpass.getpass("Mot de passe (vide : envoyer un lien d'activation) : ")
            if not password:
                return ""
            if getpass.getpass("Confirmez le mot de passe : ") != password:
                self.stderr.write("Les deux mots de passe ne sont pas identiques.")
                continue
            try:
                password_validation.validate_password(password, candidate)
            except ValidationError as exc:
                self.stderr.write(" ".join(exc.messages))
                continue
            return password
