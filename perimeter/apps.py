from django.apps import AppConfig


class PerimeterConfig(AppConfig):
    name = "perimeter"
    verbose_name = "Parc"

    def ready(self) -> None:
        from accounts.extensions import register_access_request_member
        from perimeter.selectors import member_by_customer_number_and_delivery_point

        # A "Demande d'inscription" names its member by customer number and delivery point.
        register_access_request_member(member_by_customer_number_and_delivery_point)
