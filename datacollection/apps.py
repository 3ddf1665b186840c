from django.apps import AppConfig


class DatacollectionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "datacollection"
    verbose_name = "Collecte de données"

    def ready(self) -> None:
        from datacollection.services import journey_assert_editable
        from perimeter.extensions import register_member_write_guard

        # Billing perimeters (and any later collected data) freeze with the validated journey.
        register_member_write_guard(journey_assert_editable)
