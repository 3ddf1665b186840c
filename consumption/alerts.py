"""Consumption alerts: computed once a day per syndicate, listed for the members, emailed as a digest.

Three kinds (PRODUCT.md section 4):
- overconsumption: the last ``OVERCONSUMPTION_DAYS`` days consumed more than
  ``OVERCONSUMPTION_FACTOR`` × the same days one year earlier;
- missing data: a communicating meter that used to send data sent nothing for
  ``MISSING_DAYS`` days or more;
- subscribed power exceeded: a load-curve point above the subscribed power over the
  last ``POWER_DAYS`` days (kVA taken as kW: the contract's own approximation).

Each kind is one aggregate SQL query over the whole syndicate (partition-pruned by
the period), so the daily run stays short whatever the number of sites.

An alert is one episode (see ``Alert``): the run opens it when the condition appears,
refreshes its period and value while the condition holds, and resolves it the first
day the condition no longer holds (it leaves the lists). The digest mails each alert
once, the day after it opened: it selects alerts opened since the user's last digest,
never on ``updated_at`` (which every run refreshes).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import can_read
from accounts.choices import Module
from accounts.mail import absolute_url, mail_queue
from accounts.models import User
from consumption.choices import AlertKind
from consumption.models import Alert, AlertDigestPreference
from consumption.selectors import local_day_bounds
from perimeter.choices import SiteStatus
from perimeter.selectors import sites_for

OVERCONSUMPTION_DAYS = 30
OVERCONSUMPTION_FACTOR = 1.5
OVERCONSUMPTION_MIN_KWH = 100.0  # ignore tiny consumptions: +50 % of almost nothing is noise
MISSING_DAYS = 7
POWER_DAYS = 7
# Sites whose data is no longer expected.
INACTIVE_STATUSES = (
    SiteStatus.TERMINATED,
    SiteStatus.ALREADY_TERMINATED,
    SiteStatus.OUT_OF_MARKET,
    SiteStatus.NOT_MINE,
)

Found = tuple[int, dt.date, dt.date, float, float]  # site, period start, period end, value, threshold


def _rows(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _overconsumption(today: dt.date) -> list[Found]:
    last = today - dt.timedelta(days=1)
    first = last - dt.timedelta(days=OVERCONSUMPTION_DAYS - 1)
    rows = _rows(
        """
        SELECT site_id,
               sum(kwh) FILTER (WHERE day >= %(first)s) AS current,
               sum(kwh) FILTER (WHERE day < %(first)s) AS previous
        FROM consumption_dailyenergy
        WHERE (day BETWEEN %(first)s AND %(last)s) OR (day BETWEEN %(pfirst)s AND %(plast)s)
        GROUP BY site_id
        HAVING sum(kwh) FILTER (WHERE day < %(first)s) >= %(minimum)s
           AND sum(kwh) FILTER (WHERE day >= %(first)s) > %(factor)s * sum(kwh) FILTER (WHERE day < %(first)s)
        """,
        {
            "first": first,
            "last": last,
            "pfirst": first - dt.timedelta(days=364),  # same weekdays one year earlier
            "plast": last - dt.timedelta(days=364),
            "minimum": OVERCONSUMPTION_MIN_KWH,
            "factor": OVERCONSUMPTION_FACTOR,
        },
    )
    return [(site, first, last, float(current), OVERCONSUMPTION_FACTOR * float(prev)) for site, current, prev in rows]


def _missing_data(today: dt.date) -> list[Found]:
    """Communicating meters with data in the last year but none in the last ``MISSING_DAYS`` days."""
    rows = _rows(
        """
        SELECT d.site_id, max(d.day)
        FROM consumption_dailyenergy d JOIN perimeter_site s ON s.id = d.site_id
        WHERE d.day >= %(since)s AND d.day < %(today)s AND s.meter_communicating
          AND NOT s.status = ANY(%(inactive)s)
        GROUP BY d.site_id
        HAVING max(d.day) < %(limit)s
        """,
        {
            "since": today - dt.timedelta(days=365),
            "today": today,
            "limit": today - dt.timedelta(days=MISSING_DAYS),
            "inactive": list(INACTIVE_STATUSES),
        },
    )
    last = today - dt.timedelta(days=1)
    return [
        (site, latest + dt.timedelta(days=1), last, float((last - latest).days), float(MISSING_DAYS))
        for site, latest in rows
    ]


def _power_exceeded(today: dt.date) -> list[Found]:
    last = today - dt.timedelta(days=1)
    first = last - dt.timedelta(days=POWER_DAYS - 1)
    start, end = local_day_bounds(first, last)
    rows = _rows(
        """
        SELECT p.site_id, max(p.power_w), s.subscribed_power_kva * 1000
        FROM consumption_loadcurvepoint p JOIN perimeter_site s ON s.id = p.site_id
        WHERE p.ends_at > %(start)s AND p.ends_at <= %(end)s AND s.subscribed_power_kva IS NOT NULL
        GROUP BY p.site_id, s.subscribed_power_kva
        HAVING max(p.power_w) > s.subscribed_power_kva * 1000
        """,
        {"start": start, "end": end},
    )
    return [(site, first, last, float(peak), float(limit)) for site, peak, limit in rows]


FINDERS = {
    AlertKind.OVERCONSUMPTION: _overconsumption,
    AlertKind.MISSING_DATA: _missing_data,
    AlertKind.POWER_EXCEEDED: _power_exceeded,
}


@transaction.atomic
def alerts_compute(*, today: dt.date | None = None) -> dict[str, int]:
    """Find the alerts of the current syndicate for ``today`` and store them; idempotent.

    Per kind: an ongoing alert of a site still found is refreshed (period, value,
    threshold), a site newly found gets a new alert, and an ongoing alert of a site no
    longer found is resolved. Returns the number of alerts found per kind.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    counts: dict[str, int] = {}
    for kind, finder in FINDERS.items():
        found = {f[0]: f for f in finder(today)}
        counts[kind.value] = len(found)
        ongoing = Alert.objects.filter(kind=kind, resolved_at__isnull=True)
        ongoing.exclude(site_id__in=list(found)).update(resolved_at=now, updated_at=now)
        refreshed = {alert.site_id: alert for alert in ongoing.filter(site_id__in=list(found))}
        new, changed = [], []
        for site_id, start, end, value, threshold in found.values():
            alert = refreshed.get(site_id)
            if alert is None:
                new.append(
                    Alert(
                        site_id=site_id,
                        kind=kind,
                        period_start=start,
                        period_end=end,
                        value=value,
                        threshold=threshold,
                    )
                )
            elif (alert.period_start, alert.period_end, alert.value, alert.threshold) != (start, end, value, threshold):
                alert.period_start, alert.period_end, alert.value, alert.threshold = start, end, value, threshold
                alert.updated_at = now
                changed.append(alert)
        Alert.objects.bulk_create(new, batch_size=1000)
        Alert.objects.bulk_update(
            changed, ["period_start", "period_end", "value", "threshold", "updated_at"], batch_size=1000
        )
    return counts


def alerts_queryset_for(user: User) -> QuerySet[Alert]:
    """Open alerts (ongoing, not acknowledged) of the sites the user may read (scoping through ``sites_for``)."""
    if not can_read(user, Module.CONSUMPTION):
        return Alert.objects.none()
    return (
        Alert.objects.filter(
            site__in=sites_for(user).order_by().values("pk"), acknowledged_at__isnull=True, resolved_at__isnull=True
        )
        .select_related("site")
        .order_by("-created_at", "-id")
    )


def alerts_for(user: User, limit: int = 5) -> list[Alert]:
    """The latest open alerts the user may see (home pages): one query."""
    return list(alerts_queryset_for(user)[:limit])


def alert_description(alert: Alert) -> str:
    """A sentence for the lists and the digest (French, for the member)."""
    if alert.kind == AlertKind.OVERCONSUMPTION:
        return _(
            "%(value)s kWh consommés du %(start)s au %(end)s, plus de 1,5 fois la même période de l'an dernier "
            "(seuil %(threshold)s kWh)."
        ) % _numbers(alert)
    if alert.kind == AlertKind.MISSING_DATA:
        return _("Aucune donnée reçue depuis le %(start)s (%(value)s jours).") % _numbers(alert)
    return _(
        "Puissance de %(value)s W atteinte du %(start)s au %(end)s (puissance souscrite : %(threshold)s W)."
    ) % _numbers(alert)


def _numbers(alert: Alert) -> dict[str, str]:
    return {
        "value": f"{alert.value:,.0f}".replace(",", "\u202f"),
        "threshold": f"{alert.threshold:,.0f}".replace(",", "\u202f"),
        "start": f"{alert.period_start:%d/%m/%Y}",
        "end": f"{alert.period_end:%d/%m/%Y}",
    }


@transaction.atomic
def alert_acknowledge(*, alert: Alert, user: User) -> Alert:
    """Take an alert off the user's lists (``alert`` comes from ``alerts_queryset_for``).

    The episode goes on while its condition holds (the daily run keeps it and raises no
    new one); it is resolved when the condition ends.
    """
    alert.acknowledged_at = timezone.now()
    alert.acknowledged_by = user
    alert.save(update_fields=["acknowledged_at", "acknowledged_by", "updated_at"])
    return alert


def digest_preference_set(*, user: User, daily_digest: bool) -> AlertDigestPreference:
    preference, _created = AlertDigestPreference.objects.update_or_create(
        user=user, defaults={"daily_digest": daily_digest}
    )
    return preference


def digest_enabled(user: User) -> bool:
    return AlertDigestPreference.objects.filter(user=user, daily_digest=True).exists()


@transaction.atomic
def alerts_digest_send(*, now: dt.datetime | None = None) -> int:
    """One email per opted-in user with the open alerts opened since their last digest; returns the count.

    An alert is mailed once: the day after it opened. One still ongoing the next day is
    not sent again (its ``updated_at`` moves every day, its ``created_at`` does not);
    one that ended and came back is a new alert, so it is sent.
    """
    now = now or timezone.now()
    sent = 0
    preferences = (
        AlertDigestPreference.objects.filter(daily_digest=True, user__is_active=True)
        .select_related("user")
        .select_for_update(of=("self",))
    )
    for preference in preferences:
        user = preference.user
        since = preference.last_sent_at or now - dt.timedelta(days=1)
        alerts = list(alerts_queryset_for(user).filter(created_at__gt=since, created_at__lte=now)[:200])
        if not alerts:
            continue
        mail_queue(
            to=[user.email],
            subject=_("Vos alertes de consommation"),
            template="consumption/mail/alerts_digest",
            context={
                "user": user,
                "alerts": [(alert, alert_description(alert)) for alert in alerts],
                "alerts_url": absolute_url("consumption:alerts"),
            },
        )
        preference.last_sent_at = now
        preference.save(update_fields=["last_sent_at"])
        sent += 1
    return sent
