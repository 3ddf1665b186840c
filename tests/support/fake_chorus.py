"""A local ChorusPro (PISTE gateway + API) for the tests: the one mock allowed, the State's service.

A real HTTP server on 127.0.0.1 (random port, in a thread) implementing the endpoints the
client uses, with the fields of the published API:

- ``POST /api/oauth/token`` (client credentials, form) → ``access_token``, ``expires_in``;
- ``POST /cpro/factures/v1/deposer/flux`` → ``numeroFluxDepot`` (checks the bearer token,
  the ``cpro-account`` header, ``syntaxeFlux`` and that the file is a Factur-X PDF);
- ``POST /cpro/transverses/v1/consulterCRDetaille`` → ``etatCourantFlux`` and ``listeErreurDP``;
- ``POST /cpro/factures/v1/rechercher/fournisseur`` → ``listeFactures`` (``identifiantFactureCPP``,
  ``numeroFacture``, ``statut``, ``codeMotif``, ``commentaire``).

Scriptable: ``reject_next_flux(code, label)`` refuses the next flux at integration,
``recycle_next(code, label)`` makes the next integrated invoice ``A_RECYCLER``,
``advance(number, status)`` moves an invoice on, ``expire_tokens()`` invalidates every token
issued (the next call answers 401), ``token_lifetime`` sets ``expires_in``; ``deposits``
holds every flux received (number, file, XML).
"""

from __future__ import annotations

import base64
import io
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from facturx import get_facturx_xml_from_pdf
from lxml import etree

CLIENT_ID = "client-test"
CLIENT_SECRET = "secret-test"
LOGIN = "TECH_energie@cpro.fr"
PASSWORD = "MotDePasse-Technique-1"


@dataclass
class Flux:
    number: str
    filename: str
    content: bytes
    invoice_number: str
    xml: bytes
    rejected: tuple[str, str] | None = None


@dataclass
class ChorusInvoice:
    chorus_id: int
    number: str
    status: str = "DEPOSEE"
    code: str = ""
    comment: str = ""


@dataclass
class FakeChorus:
    token_lifetime: int = 3600
    tokens: set[str] = field(default_factory=set)
    tokens_issued: int = 0
    deposits: list[Flux] = field(default_factory=list)
    invoices: list[ChorusInvoice] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    _reject: tuple[str, str] | None = None
    _recycle: tuple[str, str] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    # --- Scripting ------------------------------------------------------------------------

    def reject_next_flux(self, code: str, label: str) -> None:
        self._reject = (code, label)

    def recycle_next(self, code: str, label: str) -> None:
        self._recycle = (code, label)

    def expire_tokens(self) -> None:
        self.tokens.clear()

    def advance(self, number: str, status: str, *, code: str = "", comment: str = "") -> None:
        invoice = max((i for i in self.invoices if i.number == number), key=lambda i: i.chorus_id)
        invoice.status, invoice.code, invoice.comment = status, code, comment

    @property
    def base_url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/api/oauth/token"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/cpro/"

    # --- Endpoints --------------------------------------------------------------------------

    def token(self, form: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        if (form.get("grant_type"), form.get("client_id"), form.get("client_secret")) != (
            ["client_credentials"],
            [CLIENT_ID],
            [CLIENT_SECRET],
        ):
            return 401, {"error": "invalid_client"}
        self.tokens_issued += 1
        value = f"token-{self.tokens_issued}"
        self.tokens.add(value)
        return 200, {"access_token": value, "token_type": "Bearer", "expires_in": self.token_lifetime}

    def deposit(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if body.get("syntaxeFlux") != "IN_DP_E2_CII_FACTURX":
            return 400, {"codeRetour": 20001, "libelle": "Syntaxe du flux invalide"}
        content = base64.b64decode(body["fichierFlux"])
        _, xml = get_facturx_xml_from_pdf(io.BytesIO(content), check_xsd=True)
        tree = etree.fromstring(xml)
        number = tree.findtext(".//{*}ExchangedDocument/{*}ID") or ""
        flux = Flux(
            number=f"FLUX{len(self.deposits) + 1:08d}",
            filename=body.get("nomFichier", ""),
            content=content,
            invoice_number=number,
            xml=xml,
            rejected=self._reject,
        )
        self._reject = None
        self.deposits.append(flux)
        if flux.rejected is None:
            invoice = ChorusInvoice(chorus_id=1000 + len(self.invoices) + 1, number=number)
            if self._recycle is not None:
                invoice.status, (invoice.code, invoice.comment) = "A_RECYCLER", self._recycle
                self._recycle = None
            self.invoices.append(invoice)
        return 200, {
            "codeRetour": 0,
            "libelle": "GCU_MSG_01_000",
            "numeroFluxDepot": flux.number,
            "dateDepot": "2026-03-02",
        }

    def flux_report(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        flux = next((f for f in self.deposits if f.number == body.get("numeroFluxDepot")), None)
        if flux is None:
            return 400, {"codeRetour": 20002, "libelle": "Flux inconnu"}
        if flux.rejected:
            code, label = flux.rejected
            errors = [{"numeroDP": flux.invoice_number, "codeErreurDP": code, "libelleErreurDP": label}]
            return 200, {"codeRetour": 0, "libelle": "", "etatCourantFlux": "IN_REJETE", "listeErreurDP": errors}
        return 200, {"codeRetour": 0, "libelle": "", "etatCourantFlux": "IN_INTEGRE", "listeErreurDP": []}

    def search(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        found = [
            {
                "identifiantFactureCPP": i.chorus_id,
                "numeroFacture": i.number,
                "statut": i.status,
                "codeMotif": i.code,
                "commentaire": i.comment,
            }
            for i in self.invoices
            if i.number == body.get("numeroFacture")
        ]
        return 200, {"codeRetour": 0, "libelle": "", "listeFactures": found, "total": len(found)}

    # --- Server ---------------------------------------------------------------------------

    def handle(self, path: str, headers: Any, raw: bytes) -> tuple[int, dict[str, Any]]:
        self.calls.append(path)
        if path == "/api/oauth/token":
            return self.token(parse_qs(raw.decode()))
        authorization = headers.get("Authorization", "")
        if authorization.removeprefix("Bearer ") not in self.tokens:
            return 401, {"error": "invalid_token"}
        expected = base64.b64encode(f"{LOGIN}:{PASSWORD}".encode()).decode()
        if headers.get("cpro-account") != expected:
            return 403, {"codeRetour": 1, "libelle": "Compte technique refusé"}
        body = json.loads(raw or b"{}")
        routes = {
            "/cpro/factures/v1/deposer/flux": self.deposit,
            "/cpro/transverses/v1/consulterCRDetaille": self.flux_report,
            "/cpro/factures/v1/rechercher/fournisseur": self.search,
        }
        if path not in routes:
            return 404, {"codeRetour": 404, "libelle": "Ressource inconnue"}
        return routes[path](body)

    def start(self) -> FakeChorus:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with fake._lock:
                    status, body = fake.handle(self.path, self.headers, raw)
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
