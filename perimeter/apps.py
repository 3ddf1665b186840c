from django.apps import AppConfig


class PerimeterConfig(AppConfig):
    name = "perimeter"
    verbose_name = "Parc"

    def ready(self) -> None:
        # Registers the "Sites du parc" export in the reports registry (web and worker).
        from perimeter import reports  # noqa: F401
