from django.apps import AppConfig


class PerimeterConfig(AppConfig):
    name = "perimeter"
    verbose_name = "Parc"
