from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "backoffice"
    verbose_name = "Back-office du fournisseur"

    def ready(self) -> None:
        from accounts.mail import public_url
        from backoffice import workspace_kinds
        from reports.extensions import register_staff_links

        workspace_kinds.register()  # the work queue's kinds of today's apps

        # The mail of an export asked by an account manager links to the back-office's pages.
        register_staff_links(
            lambda token: (
                public_url("backoffice:export_list"),
                public_url("backoffice:export_link_download", token=token),
            )
        )
