"""Matrix entries of the core pages (home, login, landing)."""

from tests.isolation.matrix import Route, any_member_user, public_page

ROUTES = [
    Route("ui:home", any_member_user()),
    Route("accounts:login", public_page()),
    Route("accounts:login", public_page(), host="public"),
    Route("landing", public_page(), host="public"),
    Route("health", public_page(), host="public"),
]
