from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "backoffice"
    verbose_name = "Back-office du fournisseur"

    def ready(self) -> None:
        from accounts.mail import public_url
        from reports.extensions import register_staff_links

        # The mail of an export asked by an account manager links to the back-office's pages.
        register_staff_links(
            lambda token: (
                public_url("backoffice:export_list"),
                public_url("backoffice:export_link_download", token=token),
            )
        )
