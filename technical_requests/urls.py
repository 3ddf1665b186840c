from django.urls import path

from technical_requests import views

app_name = "technical_requests"
urlpatterns = [
    path("", views.request_list, name="list"),
    path("nouvelle/", views.request_new, name="new"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/enregistree/", views.request_created, name="created"),
    path("<int:pk>/messages/", views.request_message, name="message"),
    path("<int:pk>/annuler/", views.request_cancel, name="cancel"),
    path("<int:pk>/pieces-jointes/<int:attachment_pk>/", views.attachment_download, name="attachment"),
]
