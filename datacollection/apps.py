from django.apps import AppConfig


class DatacollectionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "datacollection"
    verbose_name = "Collecte de données"

    def ready(self) -> None:
        from billing_groups.extensions import register_perimeter_defaults
        from datacollection.demo import demo_campaigns
        from datacollection.selectors import campaign_billing_defaults
        from datacollection.services import journey_assert_editable
        from perimeter.extensions import register_demo_generator, register_member_write_guard

        # Billing perimeters (and any later collected data) freeze with the validated journey.
        register_member_write_guard(journey_assert_editable)
        # A new billing perimeter starts from the campaign's default parameters.
        register_perimeter_defaults(campaign_billing_defaults)
        # The demo's open campaigns, after the meter data.
        register_demo_generator("campaigns", demo_campaigns, order=20)
