from django.urls import path

from perimeter import views

app_name = "perimeter"
urlpatterns = [
    path("", views.park, name="park"),
    path("sites/<int:pk>/", views.site_detail, name="site_detail"),
    path("sites/<int:pk>/libelles/", views.site_labels, name="site_labels"),
]
