from django.apps import AppConfig


class ConsumptionConfig(AppConfig):
    """Meter data of a syndicate: readings, daily energy, load curves, their ingestion and rollups."""

    name = "consumption"
    verbose_name = "Consommation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from consumption.demo import demo_meter_data
        from consumption.models import Reading
        from perimeter.extensions import register_demo_generator, register_last_readings
        from perimeter.models import Site

        def last_readings(site: Site, n: int) -> list[Reading]:
            # The technical sheet's "dernières relèves": newest first, one row per post.
            return list(Reading.objects.filter(site_id=site.pk).order_by("-read_on", "post")[:n])

        register_last_readings(last_readings)
        # The demo's meter data comes first: the campaigns (order 20) do not depend on it.
        register_demo_generator("consumption", demo_meter_data, order=10)
