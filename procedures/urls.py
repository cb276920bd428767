from django.urls import path

from feedback.views import FeedbackView, ThanksView
from publishing.page_cache import cached_page

from . import views
from .models import Procedure

app_name = "procedures"
urlpatterns = [
    path("", cached_page(views.ProcedureListView.as_view(), Procedure.LIST_TAG), name="index"),
    path("<slug:slug>/", cached_page(views.ProcedureDetailView.as_view()), name="detail"),
    path("<slug:slug>/leaflet.pdf", views.ProcedureLeafletView.as_view(), name="leaflet"),
    path("<slug:slug>/feedback/", FeedbackView.as_view(model=Procedure), name="feedback"),
    path("<slug:slug>/feedback/thanks/", ThanksView.as_view(model=Procedure), name="feedback_thanks"),
]
