from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    """The account managers' workspace (public schema): the search index and the work queue."""

    name = "workspace"
    verbose_name = "Espace des chargés de compte"

    def ready(self) -> None:
        from workspace import kinds

        kinds.register_builtin()
