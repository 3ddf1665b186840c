"""Self-readings ("auto-relève"): a member types the index of each post of a non-communicating meter.

Rules (PRODUCT.md section 4):
- communicating meters send their indexes themselves: a self-reading is refused;
- one index per post of the site's tariff option (``perimeter.choices.POSTS_BY_OPTION``);
- an index lower than the last known one is refused, unless the member declares a
  meter turnover (the counter went past its maximum and restarted from zero);
- the energy since the last index is compared with the site's annual reference
  consumption (CAR) prorated over the elapsed days: above ``PLAUSIBLE_FACTOR`` times
  that, the reading is refused until the member confirms it, then stored *flagged*
  for the supplier to check.

How the energy since the last index is counted:
- across a declared turnover, a post whose index went down counted
  ``(register capacity − last index) + new index``. The register's capacity is not in
  the park: it is taken as the next power of ten above the last index, with at least
  ``REGISTER_MIN_DIGITS`` digits in kWh (a meter at 99,850 kWh rolls over at 100,000).
  A turnover declared on a meter far from its maximum therefore counts as a huge
  consumption and needs the member's confirmation, like any implausible value;
- a post without any previous index (the meter's first reading) has no reference: a
  cumulative index says nothing about a period's consumption, and its size alone
  proves nothing (a 20-year-old meter can show any value). Such a post is stored
  unchecked; only the posts that have a previous index are counted, and a first
  reading of every post is never called implausible;
- without a CAR (empty or zero), the reference is ``SEGMENT_REFERENCE_KWH`` for the
  site's segment: the upper end of what a site of that segment consumes in a year
  (gas segments are defined by annual consumption; for C5, 36 kVA used about 2,800
  hours). Generous on purpose: without the site's own figure, only a value
  implausible for any site of its segment is questioned.

The indexes are written as ``Reading`` rows (source "member", nature "self-reading",
in Wh), the submission itself with its checks as ``SelfReadingSubmission``; the
confirmation mail (with the optional extra contact) is queued on commit; audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.mail import absolute_url, mail_queue
from accounts.models import User
from consumption.choices import ReadingNature, ReadingSource
from consumption.models import SelfReadingSubmission
from consumption.partitions import partitions_ensure_range
from perimeter.choices import POSTS_BY_OPTION, TariffOption
from perimeter.models import Site

PLAUSIBLE_FACTOR = 2.0  # × the CAR prorated over the days since the last index
# Below this energy (kWh) since the last index, no reading is called implausible (tiny CARs, same-day readings).
PLAUSIBLE_FLOOR_KWH = 50.0
# A meter's register is assumed to have at least this many digits (kWh) when it rolls over.
REGISTER_MIN_DIGITS = 5
# Annual reference (kWh) by segment when the site has no CAR: the upper end of the segment.
SEGMENT_REFERENCE_KWH = {
    "C5": 100_000,
    "C4": 1_500_000,
    "C3": 10_000_000,
    "C2": 10_000_000,
    "C1": 50_000_000,
    "T1": 6_000,
    "T2": 300_000,
    "T3": 5_000_000,
    "T4": 50_000_000,
    "TP": 50_000_000,
}


class SelfReadingRefused(Exception):
    """The self-reading cannot be stored; ``errors`` maps a post (or "" for the whole form) to messages."""

    def __init__(self, errors: dict[str, list[str]], *, needs_confirmation: bool = False) -> None:
        super().__init__("; ".join(m for messages in errors.values() for m in messages))
        self.errors = errors
        self.needs_confirmation = needs_confirmation


@dataclass(frozen=True)
class LastIndex:
    read_on: dt.date
    index_wh: int
    nature: str


@dataclass
class SelfReadingCheck:
    """What the rules found, before anything is written."""

    errors: dict[str, list[str]] = field(default_factory=dict)
    implausible: str = ""

    def refuse(self, post: str, message: str) -> None:
        self.errors.setdefault(post, []).append(message)


def posts_for(site: Site) -> list[str]:
    return list(POSTS_BY_OPTION.get(TariffOption(site.tariff_option), ["BASE"]))


def self_reading_allowed(site: Site) -> bool:
    return not site.meter_communicating


def communicating_refusal() -> str:
    return _(
        "Ce compteur est communicant : ses index nous parviennent automatiquement chaque jour. "
        "L'auto-relève est réservée aux compteurs non communicants."
    )


def last_indexes(site_id: int, *, before: dt.date, replacing: dt.date | None = None) -> dict[str, LastIndex]:
    """The latest index of each post strictly before ``before`` (any source), in one query.

    ``replacing``: the day of a self-reading about to be replaced (a second one the same
    day): the member's own reading of that day is not its reference. An estimated index
    is never a reference either: it is the distributor's guess, and a member's reading
    below it is precisely how an over-estimate gets corrected.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT DISTINCT ON (post) post, read_on, index_wh, nature
            FROM consumption_reading
            WHERE site_id = %s AND read_on < %s AND (read_on IS DISTINCT FROM %s OR source <> %s)
              AND nature <> %s
            ORDER BY post, read_on DESC, (source = 'member') DESC
            """,
            [site_id, before, replacing, ReadingSource.MEMBER, ReadingNature.ESTIMATED],
        )
        return {post: LastIndex(read_on, index_wh, nature) for post, read_on, index_wh, nature in cursor.fetchall()}


def self_reading_check(
    *, site: Site, indexes_wh: dict[str, int], read_on: dt.date, meter_turnover: bool
) -> SelfReadingCheck:
    """Apply the rules to declared indexes (Wh) without writing anything."""
    check = SelfReadingCheck()
    if not self_reading_allowed(site):
        check.refuse("", communicating_refusal())
        return check
    posts = posts_for(site)
    if sorted(indexes_wh) != sorted(posts):
        check.refuse("", _("Saisissez un index pour chacun des postes : %(posts)s.") % {"posts": ", ".join(posts)})
        return check
    previous = last_indexes(site.pk, before=read_on + dt.timedelta(days=1), replacing=read_on)
    energy_wh = 0
    since: dt.date | None = None
    for post in posts:
        value, last = indexes_wh[post], previous.get(post)
        if value < 0:
            check.refuse(post, _("Un index ne peut pas être négatif."))
            continue
        if last is None:  # the meter's first reading: no reference to count from (module docstring)
            continue
        if value < last.index_wh and not meter_turnover:
            check.refuse(
                post,
                _(
                    "L'index %(post)s (%(value)s kWh) est inférieur au dernier index connu (%(last)s kWh au "
                    "%(day)s). Vérifiez votre saisie, ou indiquez un passage à zéro du compteur."
                )
                % {
                    "post": post,
                    "value": f"{value // 1000:n}",
                    "last": f"{last.index_wh // 1000:n}",
                    "day": f"{last.read_on:%d/%m/%Y}",
                },
            )
        elif value < last.index_wh:  # across the declared turnover
            energy_wh += register_capacity_wh(last.index_wh) - last.index_wh + value
        else:
            energy_wh += value - last.index_wh
        since = last.read_on if since is None else min(since, last.read_on)
    if check.errors or since is None:
        return check
    reference_kwh, reference_label = _annual_reference(site)
    if reference_kwh is None:
        return check
    days = max((read_on - since).days, 1)
    expected_kwh = reference_kwh * days / 365
    energy_kwh = energy_wh / 1000
    if energy_kwh > max(PLAUSIBLE_FACTOR * expected_kwh, PLAUSIBLE_FLOOR_KWH):
        check.implausible = _(
            "La consommation depuis la dernière relève (%(energy)s kWh en %(days)s jours) dépasse nettement "
            "la consommation attendue d'après %(reference)s (environ %(expected)s kWh)."
        ) % {
            "energy": f"{energy_kwh:,.0f}",
            "days": days,
            "reference": reference_label,
            "expected": f"{expected_kwh:,.0f}",
        }
    return check


def register_capacity_wh(last_index_wh: int) -> int:
    """Where a meter whose last index is ``last_index_wh`` rolls over: next power of ten (kWh), 5+ digits."""
    digits = max(len(str(max(last_index_wh, 0) // 1000)), REGISTER_MIN_DIGITS)
    return 10**digits * 1000


def _annual_reference(site: Site) -> tuple[float | None, str]:
    """The site's CAR, or its segment's reference when the CAR is empty (module docstring), with its wording."""
    if site.car_kwh:
        return float(site.car_kwh), _("la consommation annuelle de référence du site")
    reference = SEGMENT_REFERENCE_KWH.get(site.segment)
    if reference is None:
        return None, ""
    return float(reference), _("la consommation habituelle maximale d'un site de segment %(segment)s") % {
        "segment": site.segment
    }


def _readings_upsert(site_id: int, read_on: dt.date, indexes_wh: dict[str, int], meter_turnover: bool) -> None:
    partitions_ensure_range(read_on, read_on)
    with connection.cursor() as cursor:
        for post, value in indexes_wh.items():
            cursor.execute(
                """
                INSERT INTO consumption_reading (site_id, read_on, source, post, nature, index_wh, meter_turnover)
                VALUES (%s, %s, %s, %s, %s, %s, %s)
                ON CONFLICT (site_id, read_on, source, post) DO UPDATE
                SET nature = EXCLUDED.nature, index_wh = EXCLUDED.index_wh, meter_turnover = EXCLUDED.meter_turnover
                """,
                [site_id, read_on, ReadingSource.MEMBER, post, ReadingNature.SELF_READING, value, meter_turnover],
            )


@transaction.atomic
def self_reading_submit(
    *,
    site: Site,
    user: User,
    indexes_kwh: dict[str, int],
    meter_turnover: bool = False,
    confirm_high: bool = False,
    copy_to: str = "",
    read_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> SelfReadingSubmission:
    """Check and store a self-reading; raise ``SelfReadingRefused`` with the reasons otherwise.

    ``site`` must come from the member-scoping helpers. A second self-reading on the same
    day replaces the first (same reading key).
    """
    read_on = read_on or timezone.localdate()
    indexes_wh = {post: int(value) * 1000 for post, value in indexes_kwh.items()}
    check = self_reading_check(site=site, indexes_wh=indexes_wh, read_on=read_on, meter_turnover=meter_turnover)
    if check.errors:
        raise SelfReadingRefused(check.errors)
    if check.implausible and not confirm_high:
        message = check.implausible + " " + _("Vérifiez vos index ; s'ils sont exacts, cochez la case de confirmation.")
        raise SelfReadingRefused({"": [message]}, needs_confirmation=True)
    _readings_upsert(site.pk, read_on, indexes_wh, meter_turnover)
    submission = SelfReadingSubmission.objects.create(
        site=site,
        read_on=read_on,
        submitted_by=user,
        indexes_wh=indexes_wh,
        meter_turnover=meter_turnover,
        flagged=bool(check.implausible),
        flag_reason=check.implausible[:300],
        copy_to=copy_to,
    )
    audit_record(
        action="consumption.self_reading_submitted",
        actor=user,
        request=request,
        target=site,
        details={
            "read_on": read_on.isoformat(),
            "indexes_wh": indexes_wh,
            "meter_turnover": meter_turnover,
            "flagged": submission.flagged,
            "copy_to": copy_to,
        },
    )
    recipients = [user.email] + ([copy_to] if copy_to and copy_to.lower() != user.email.lower() else [])
    mail_queue(
        to=recipients,
        subject=_("Votre auto-relève du %(day)s") % {"day": f"{read_on:%d/%m/%Y}"},
        template="consumption/mail/self_reading",
        context={
            "site": site,
            "user": user,
            "read_on": read_on,
            "indexes": list(indexes_kwh.items()),
            "flagged": submission.flagged,
            "meter_turnover": meter_turnover,
            "readings_url": absolute_url("consumption:site_readings", pk=site.pk),
        },
    )
    return submission
