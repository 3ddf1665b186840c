from django.urls import path

from billing_groups import views

app_name = "billing_groups"
urlpatterns = [
    path("", views.perimeter_list, name="list"),
    path("nouveau/", views.perimeter_create, name="create"),
    path("<int:pk>/modifier/", views.perimeter_edit, name="edit"),
    path("<int:pk>/sites/", views.perimeter_attach, name="attach"),
    path("<int:pk>/supprimer/", views.perimeter_delete, name="delete"),
]
