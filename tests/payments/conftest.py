"""The fake ChorusPro server of the e-invoicing tests, for the "mise en paiement" hook."""

from tests.einvoicing.conftest import chorus  # noqa: F401
