from django.views.generic import ListView

from publishing.views import LeafletView, PublishableDetailView

from .models import Procedure, ProcedureCategory


class ProcedureListView(ListView):
    """Procedures grouped by category; categories with nothing published are left out."""

    template_name = "procedures/procedure_list.html"
    http_method_names = ["get", "head"]

    def get_queryset(self):
        return ProcedureCategory.objects.with_published_procedures()


class ProcedureDetailView(PublishableDetailView):
    model = Procedure


class ProcedureLeafletView(LeafletView):
    model = Procedure
