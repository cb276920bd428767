from django.views.generic import DetailView, ListView

from .models import Condition


class ConditionListView(ListView):
    queryset = Condition.objects.published().only("name", "slug", "summary", "also_known_as")
    http_method_names = ["get", "head"]


class ConditionDetailView(DetailView):
    http_method_names = ["get", "head"]

    def get_queryset(self):
        return Condition.objects.for_detail_page()
