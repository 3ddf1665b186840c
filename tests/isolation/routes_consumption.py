"""Matrix entries of the consumption back-office API (public host, supplier staff only)."""

from tests.isolation.matrix import Route, staff_only

SAMPLE = "point;horodate;puissance_w;pas_minutes\n30000000000009;2025-01-15T10:00:00+01:00;1000;30\n"

ROUTES = [
    Route(
        "consumption_backoffice_api:ingestions",
        staff_only(api=True),
        host="public",
        api=True,
        leak=lambda w: [w.member_b.legal_name],
    ),
    Route(
        "consumption_backoffice_api:ingestions",
        staff_only(api=True),
        host="public",
        method="post",
        api=True,
        data=lambda w, target: {"syndicate": "alpha", "file_name": "matrice.csv", "content": SAMPLE},
    ),
]
