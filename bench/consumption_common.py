"""Shared set-up of the consumption benchmarks: a full-size syndicate park in the throwaway database.

``syndicate_with_park()`` creates the syndicate ``sdec`` with the demo syndicate's size
(330 + 249 members, 11,220 C5 electricity sites and 1,747 gas sites, member sizes
skewed) in the database that ``bench.common.bench_database`` set up.
"""

from __future__ import annotations

import time
from typing import Any


def _member_sizes(members: int, sites: int, rng: Any) -> Any:
    import numpy as np

    weights = 1 / np.arange(1, members + 1) ** 1.1
    sizes = np.maximum(1, np.floor(weights / weights.sum() * sites)).astype(int)
    sizes[0] += sites - sizes.sum()  # the largest city takes the remainder
    rng.shuffle(sizes[1:])
    return sizes


def syndicate_with_park(code: str = "sdec") -> tuple[Any, dict[str, float]]:
    """The syndicate and its park (bulk-created: the park is not what is measured here)."""
    import datetime as dt

    import numpy as np
    from django_tenants.utils import tenant_context

    from perimeter.models import Lot, Member, Site
    from tenants.services import public_tenant_ensure, syndicate_create
    from tests.factories import valid_siret

    start = time.perf_counter()
    public_tenant_ensure()
    syndicate = syndicate_create(code=code, name="SDEC (banc d'essai)")
    rng = np.random.default_rng(1)
    with tenant_context(syndicate):
        period = {"delivery_start": dt.date(2025, 1, 1), "delivery_end": dt.date(2027, 12, 31)}
        lot1 = Lot.objects.create(number=1, name="Électricité C5", fluid="elec", segment_family="C5", **period)
        lot3 = Lot.objects.create(number=3, name="Gaz naturel", fluid="gas", segment_family="T1/T2/T3", **period)
        members = Member.objects.bulk_create(
            Member(legal_name=f"Membre {i}", siret=valid_siret(i + 1), customer_number=f"C{i + 1:08d}")
            for i in range(330 + 249)
        )
        sites: list[Site] = []
        kinds = ["Éclairage public secteur", "École", "Mairie", "Salle des fêtes", "Gymnase", "Ateliers"]
        elec_sizes = _member_sizes(330, 11_220, rng)
        n = 0
        for member, size in zip(members[:330], elec_sizes, strict=True):
            for _ in range(size):
                kind = kinds[int(rng.choice(len(kinds), p=[0.4, 0.15, 0.15, 0.1, 0.1, 0.1]))]
                option = (
                    "BASE"
                    if kind.startswith("Éclairage")
                    else str(rng.choice(["BASE", "HPHC", "4P"], p=[0.5, 0.4, 0.1]))
                )
                sites.append(
                    Site(
                        member=member,
                        lot=lot1,
                        fluid="elec",
                        delivery_point=f"{20000000000000 + n:014d}",
                        distributor="ENEDIS",
                        segment="C5",
                        tariff_formula="BTINFCUST",
                        tariff_option=option,
                        subscribed_power_kva=int(rng.choice([6, 9, 12, 18, 24, 36])),
                        car_kwh=int(rng.lognormal(np.log(9000), 0.9)),
                        site_name=f"{kind} {n}",
                    )
                )
                n += 1
        gas_sizes = _member_sizes(249, 1_747, rng)
        segments = rng.choice(["T1", "T2", "T3"], size=1_747, p=[155 / 1747, 1477 / 1747, 115 / 1747])
        car = {"T1": (3_000, 0.4), "T2": (60_000, 0.8), "T3": (900_000, 0.5)}
        g = 0
        for member, size in zip(members[330:], gas_sizes, strict=True):
            for _ in range(size):
                segment = str(segments[g])
                sites.append(
                    Site(
                        member=member,
                        lot=lot3,
                        fluid="gas",
                        delivery_point=f"{10000000000000 + g:014d}",
                        distributor="GRDF",
                        segment=segment,
                        tariff_formula=segment,
                        tariff_option="GAS",
                        car_kwh=int(rng.lognormal(np.log(car[segment][0]), car[segment][1])),
                        site_name=f"Chaufferie {g}",
                    )
                )
                g += 1
        Site.objects.bulk_create(sites, batch_size=2000)
    return syndicate, {"park_seconds": round(time.perf_counter() - start, 1), "sites": len(sites)}
