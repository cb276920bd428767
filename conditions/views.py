from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from publishing.views import LeafletView, PublishableDetailView

from .models import CaseImage, Condition


class ConditionListView(ListView):
    http_method_names = ["get", "head"]

    def get_queryset(self):
        # Not a class attribute: published() compares expiry times with the time of each request.
        return Condition.objects.listed()


class ConditionDetailView(PublishableDetailView):
    model = Condition


class CaseImageView(DetailView):
    """One case image as large as the site keeps it, with its caption: the labels drawn in a scan cannot be
    read at a phone's width on the condition page, and a link to a bare image file would lose the caption.

    Not page-cached: a change to the image invalidates its condition's page (CaseImage.pages_showing), and
    this page costs two small queries.
    """

    http_method_names = ["get", "head"]
    template_name = "conditions/case_image.html"
    context_object_name = "image"

    def get_object(self, queryset=None):
        condition = get_object_or_404(Condition.objects.published().only("name", "slug"), slug=self.kwargs["slug"])
        image = get_object_or_404(
            CaseImage.objects.public().select_related("case_study", "modality"),
            pk=self.kwargs["pk"],
            case_study__condition=condition,
        )
        image.case_study.condition = condition
        return image


class ConditionLeafletView(LeafletView):
    model = Condition
