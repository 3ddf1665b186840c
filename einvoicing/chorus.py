"""A client for the ChorusPro API, through the State's API gateway (PISTE).

- OAuth2 client credentials at ``CHORUS_TOKEN_URL``: the access token is kept (per process)
  until a minute before it expires, and fetched again on expiry or on a 401.
- Every call carries the technical user's ``cpro-account`` header (base64 of
  ``login:password``) and the bearer token, as JSON POSTs under ``CHORUS_API_URL``.
- ``deposit_flux``: ``factures/v1/deposer/flux`` (``syntaxeFlux`` ``IN_DP_E2_CII_FACTURX``,
  the Factur-X PDF in base64) → the flux number; ``flux_report``:
  ``transverses/v1/consulterCRDetaille`` (the flux integrated or rejected, with each
  error); ``invoice_status``: ``factures/v1/rechercher/fournisseur`` by invoice number →
  ChorusPro's id, status and comment.

Network failures raise ``ChorusUnavailable`` (a ``ConnectionError``: the task policy's
``NETWORK_ERRORS`` retry it); a refusal of the API raises ``ChorusError`` with its code.
"""

from __future__ import annotations

import base64
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import requests
from django.conf import settings

SYNTAX_FACTURX = "IN_DP_E2_CII_FACTURX"
TOKEN_MARGIN_SECONDS = 60


class ChorusUnavailable(ConnectionError):
    """ChorusPro could not be reached, or answered a server error: try again later."""


class ChorusError(Exception):
    """ChorusPro refused the call: ``code`` and ``label`` as it gave them."""

    def __init__(self, code: str, label: str = "") -> None:
        super().__init__(f"{code} {label}".strip())
        self.code = code
        self.label = label


@dataclass(frozen=True)
class ChorusConfig:
    client_id: str
    client_secret: str
    login: str
    password: str
    token_url: str
    api_url: str
    timeout: float = 30

    @property
    def configured(self) -> bool:
        return all((self.client_id, self.client_secret, self.login, self.password))

    @classmethod
    def from_settings(cls) -> ChorusConfig:
        return cls(
            client_id=settings.CHORUS_CLIENT_ID,
            client_secret=settings.CHORUS_CLIENT_SECRET,
            login=settings.CHORUS_TECHNICAL_LOGIN,
            password=settings.CHORUS_TECHNICAL_PASSWORD,
            token_url=settings.CHORUS_TOKEN_URL,
            api_url=settings.CHORUS_API_URL,
            timeout=settings.CHORUS_TIMEOUT_SECONDS,
        )


@dataclass(frozen=True)
class FluxReport:
    """``consulterCRDetaille``: the flux's state and its errors [(code, label)]."""

    state: str  # IN_INTEGRE, IN_INTEGRE_PARTIEL, IN_REJETE, IN_EN_ATTENTE_TRAITEMENT…
    errors: tuple[tuple[str, str], ...] = ()

    @property
    def integrated(self) -> bool:
        return self.state in {"IN_INTEGRE", "IN_INTEGRE_PARTIEL"}

    @property
    def rejected(self) -> bool:
        return self.state == "IN_REJETE"


@dataclass(frozen=True)
class InvoiceStatus:
    chorus_id: str
    status: str  # DEPOSEE, MISE_A_DISPOSITION, A_RECYCLER, REJETEE, SERVICE_FAIT, MANDATEE, MISE_EN_PAIEMENT…
    comment: str = ""
    code: str = ""


@dataclass
class _Token:
    value: str = ""
    expires_at: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


_TOKENS: dict[tuple[str, str], _Token] = {}


def _token_slot(config: ChorusConfig) -> _Token:
    return _TOKENS.setdefault((config.token_url, config.client_id), _Token())


class ChorusClient:
    def __init__(self, config: ChorusConfig | None = None, session: requests.Session | None = None) -> None:
        self.config = config or ChorusConfig.from_settings()
        self.session = session or requests.Session()

    # --- Authentication -----------------------------------------------------------------

    def token(self, *, renew: bool = False) -> str:
        slot = _token_slot(self.config)
        with slot.lock:
            if renew or not slot.value or time.monotonic() >= slot.expires_at:
                try:
                    response = self.session.post(
                        self.config.token_url,
                        data={
                            "grant_type": "client_credentials",
                            "client_id": self.config.client_id,
                            "client_secret": self.config.client_secret,
                            "scope": "openid",
                        },
                        timeout=self.config.timeout,
                    )
                except requests.RequestException as error:
                    raise ChorusUnavailable(f"jeton ChorusPro : {error}") from error
                if response.status_code >= 500:
                    raise ChorusUnavailable(f"jeton ChorusPro : HTTP {response.status_code}")
                if response.status_code != 200:
                    raise ChorusError(f"HTTP_{response.status_code}", "identifiants PISTE refusés")
                body = response.json()
                slot.value = body["access_token"]
                slot.expires_at = time.monotonic() + max(0, int(body.get("expires_in", 3600)) - TOKEN_MARGIN_SECONDS)
            return slot.value

    def account_header(self) -> str:
        return base64.b64encode(f"{self.config.login}:{self.config.password}".encode()).decode()

    # --- Calls --------------------------------------------------------------------------

    def call(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        """POST ``payload`` to ``path``; a 401 renews the token once."""
        url = self.config.api_url.rstrip("/") + "/" + path.lstrip("/")
        for attempt in (1, 2):
            headers = {
                "Authorization": f"Bearer {self.token(renew=attempt == 2)}",
                "cpro-account": self.account_header(),
                "Content-Type": "application/json;charset=utf-8",
                "Accept": "application/json",
            }
            try:
                response = self.session.post(url, json=payload, headers=headers, timeout=self.config.timeout)
            except requests.RequestException as error:
                raise ChorusUnavailable(f"{path} : {error}") from error
            if response.status_code == 401 and attempt == 1:
                continue
            if response.status_code >= 500 or response.status_code == 429:
                raise ChorusUnavailable(f"{path} : HTTP {response.status_code}")
            try:
                body: dict[str, Any] = response.json()
            except ValueError as error:
                raise ChorusError(f"HTTP_{response.status_code}", "réponse illisible") from error
            if response.status_code != 200 or int(body.get("codeRetour", 0)) != 0:
                raise ChorusError(str(body.get("codeRetour", f"HTTP_{response.status_code}")), body.get("libelle", ""))
            return body
        raise ChorusError("HTTP_401", "jeton refusé")  # pragma: no cover  (the loop returns or raises)

    def deposit_flux(self, *, content: bytes, filename: str) -> str:
        """Deposit a Factur-X file; the flux number (``numeroFluxDepot``)."""
        body = self.call(
            "factures/v1/deposer/flux",
            {
                "fichierFlux": base64.b64encode(content).decode(),
                "nomFichier": filename,
                "syntaxeFlux": SYNTAX_FACTURX,
                "avecSignature": False,
            },
        )
        return str(body["numeroFluxDepot"])

    def flux_report(self, flux_number: str) -> FluxReport:
        body = self.call(
            "transverses/v1/consulterCRDetaille", {"numeroFluxDepot": flux_number, "syntaxeFlux": SYNTAX_FACTURX}
        )
        errors = tuple(
            (str(item.get("codeErreurDP", "")), str(item.get("libelleErreurDP", "")))
            for item in body.get("listeErreurDP") or []
        )
        return FluxReport(state=str(body.get("etatCourantFlux", "")), errors=errors)

    def invoice_status(self, number: str) -> InvoiceStatus | None:
        """The newest ChorusPro invoice with ``number`` (ours), or None while it is not integrated."""
        body = self.call("factures/v1/rechercher/fournisseur", {"numeroFacture": number})
        found = body.get("listeFactures") or []
        if not found:
            return None
        item = max(found, key=lambda row: int(row.get("identifiantFactureCPP", 0)))
        return InvoiceStatus(
            chorus_id=str(item["identifiantFactureCPP"]),
            status=str(item.get("statut", "")),
            comment=str(item.get("commentaire", "")),
            code=str(item.get("codeMotif", "")),
        )
