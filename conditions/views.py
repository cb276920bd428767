from django.views.generic import ListView

from publishing.views import PublishableDetailView

from .models import Condition


class ConditionListView(ListView):
    queryset = Condition.objects.listed()
    http_method_names = ["get", "head"]


class ConditionDetailView(PublishableDetailView):
    model = Condition
