"""Back-office pages of payments: per syndicate, the imports of the accounting's payments file.

Account managers only (public host). The syndicate's schema is entered explicitly; the file
goes through ``payments.services.payments_import`` (all or nothing, idempotent), whose result
— counts, or every error by line and column — is shown at once. Every look and import is
written to the public audit trail (the import also to the syndicate's, signed with the
manager's e-mail).
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods
from django_tenants.utils import tenant_context

from accounts.access import require_account_manager
from accounts.audit import audit_record
from backoffice.selectors import get_syndicate_for_backoffice, syndicates_for_backoffice
from payments.models import PaymentImport
from payments.reading import MAX_BYTES
from payments.selectors import payment_imports
from payments.services import payments_import


class PaymentFileForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier des paiements (Excel .xlsx ou CSV)"),
        help_text=_(
            "Colonnes : « Numéro de facture », « Date », « Montant » (TTC, en euros) et, facultative, « Référence »."
        ),
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("Fichier de plus de 20 Mo."))
        return upload


@login_required
@require_GET
def payment_home(request: HttpRequest) -> HttpResponse:
    require_account_manager(request)
    return render(request, "backoffice/payment_home.html", {"syndicates": list(syndicates_for_backoffice())})


@login_required
@require_http_methods(["GET", "POST"])
def payment_imports_page(request: HttpRequest, code: str) -> HttpResponse:
    """The syndicate's payment imports (newest first) and the upload form; after an upload, its result."""
    manager = require_account_manager(request)
    syndicate = get_syndicate_for_backoffice(code)
    form = PaymentFileForm(request.POST or None, request.FILES or None)
    result: PaymentImport | None = None
    with tenant_context(syndicate):
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            result = payments_import(file=upload, by=manager.email, file_name=upload.name)
            form = PaymentFileForm()
        imports = payment_imports()
        response = render(
            request,
            "backoffice/payment_imports.html",
            {"syndicate": syndicate, "form": form, "result": result, "imports": imports},
        )
    audit_record(
        action="backoffice.payments_imported" if result is not None else "backoffice.payment_imports_viewed",
        request=request,
        details={"schema": syndicate.schema_name}
        | (
            {
                "import": result.pk,
                "status": result.status,
                "created": result.created,
                "duplicates": result.duplicates,
                "errors": len(result.errors),
            }
            if result is not None
            else {}
        ),
    )
    return response
