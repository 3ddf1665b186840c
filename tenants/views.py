"""Public landing page on the supplier's address: nothing private, a link to the back-office."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe


@require_safe
def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "tenants/landing.html")
