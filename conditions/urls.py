from django.urls import path

from feedback.views import FeedbackView, ThanksView
from publishing.page_cache import cached_page

from . import views
from .models import Condition

app_name = "conditions"
urlpatterns = [
    path("", cached_page(views.ConditionListView.as_view(), Condition.LIST_TAG), name="index"),
    path("<slug:slug>/", cached_page(views.ConditionDetailView.as_view()), name="detail"),
    path("<slug:slug>/leaflet.pdf", views.ConditionLeafletView.as_view(), name="leaflet"),
    path("<slug:slug>/feedback/", FeedbackView.as_view(model=Condition), name="feedback"),
    path("<slug:slug>/feedback/thanks/", ThanksView.as_view(model=Condition), name="feedback_thanks"),
    path("<slug:slug>/images/<int:pk>/", views.CaseImageView.as_view(), name="case_image"),
]
