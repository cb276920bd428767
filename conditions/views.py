from django.views.generic import ListView

from publishing.views import PublishableDetailView

from .models import Condition


class ConditionListView(ListView):
    http_method_names = ["get", "head"]

    def get_queryset(self):
        # Not a class attribute: published() compares expiry times with the time of each request.
        return Condition.objects.listed()


class ConditionDetailView(PublishableDetailView):
    model = Condition
