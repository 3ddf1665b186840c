"""Matrix entries of the REST API (config/api_urls.py, perimeter/api/)."""

from tests.isolation.matrix import Route, any_member_user, public_page

ROUTES = [
    Route("api:api-root", any_member_user(api=True)),
    # The schema and its documentation pages describe the API, not any syndicate's
    # data (the same for every tenant), so they are open like the login page.
    Route("api:schema", public_page()),
    Route("api:docs", public_page()),
    Route("api:redoc", public_page()),
]
