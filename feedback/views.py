from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from publishing.addresses import address

from .forms import FeedbackForm
from .models import Feedback
from .protection import RateLimitUnavailable, seconds_until_next_window, sent_from_this_site, within_rate_limit


def published_page(model, slug):
    try:
        return model.objects.published().only("name", "slug", "status", "expires_at", "expired").get(slug=slug)
    except model.DoesNotExist:
        raise Http404(f"No published {model._meta.verbose_name} at this address.") from None


# No CSRF cookie: public pages set no cookie at all. feedback/protection.py says what protects the post instead.
@method_decorator([csrf_exempt, never_cache], name="dispatch")
class FeedbackView(View):
    """The "Was this page helpful?" form's answers. A GET shows the form on a page of its own."""

    model = None
    http_method_names = ["get", "post"]

    def get(self, request, slug):
        page = published_page(self.model, slug)
        return self.form_page(page, FeedbackForm(action=request.path))

    def post(self, request, slug):
        page = published_page(self.model, slug)
        if not sent_from_this_site(request):
            return self.refused(
                page,
                "Your feedback was not sent because your browser did not say it came from our website. "
                "Please go back to the page and send it from the form there.",
                status=403,
            )
        try:
            allowed = within_rate_limit(request)
        except RateLimitUnavailable:
            return self.refused(page, "We cannot take feedback just now. Please try again later.", status=503)
        if not allowed:
            minutes = -(-seconds_until_next_window() // 60)
            return self.refused(
                page,
                "So much feedback has come from your internet address in the last few minutes that we have "
                f"paused it. Please try again in {minutes} minute{'s' if minutes != 1 else ''}.",
                status=429,
            )
        form = FeedbackForm(request.POST, action=request.path)
        if form.is_spam:
            return self.refused(page, "Your feedback was not sent because it looked like automated spam.", status=400)
        if not form.is_valid():
            return self.form_page(page, form, status=400)
        Feedback.record(page, form.cleaned_data["helpful"] == "yes", form.cleaned_data["comment"])
        # 303: the thank-you page is fetched with a GET, so reloading it sends nothing again.
        response = HttpResponseRedirect(address(f"{self.model._meta.app_label}:feedback_thanks", slug=page.slug))
        response.status_code = 303
        return response

    def form_page(self, page, form, status=200):
        return render(self.request, "feedback/form.html", {"page": page, "form": form}, status=status)

    def refused(self, page, message, status):
        return render(self.request, "feedback/refused.html", {"page": page, "message": message}, status=status)


@method_decorator(never_cache, name="dispatch")
class ThanksView(View):
    model = None
    http_method_names = ["get", "head"]

    def get(self, request, slug):
        return render(request, "feedback/thanks.html", {"page": published_page(self.model, slug)})
