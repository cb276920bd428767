from django.views.generic import ListView

from publishing.views import PublishableDetailView

from .models import Condition


class ConditionListView(ListView):
    queryset = Condition.objects.published().only("name", "slug", "summary", "also_known_as")
    http_method_names = ["get", "head"]


class ConditionDetailView(PublishableDetailView):
    model = Condition
