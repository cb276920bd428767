"""The review screen: what changed, as words and pictures, and the reviewer's approve or send-back."""

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from .. import workflow
from ..diff import version_changes
from ..versions import snapshot, working_data


class ApproveForm(forms.Form):
    last_reviewed = forms.DateField(
        help_text="The date you checked the page. Printed on it as ‘Page last reviewed’.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reviewed_by = forms.CharField(
        max_length=200, help_text="Your role, printed on the page, e.g. ‘Consultant interventional radiologist’."
    )
    next_review_due = forms.DateField(
        required=False,
        help_text="Leave empty for the usual review interval from the date above.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    go_live_at = forms.DateTimeField(
        label="Go live at",
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        help_text="Leave empty to publish now, or choose when the changes should go live.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args, consent_cases=(), **kwargs):
        super().__init__(*args, **kwargs)
        for case in consent_cases:
            self.fields[f"consent_{case['pk']}"] = forms.BooleanField(
                label=f"Consent covers the new pictures of “{case['title']}”",
                help_text="Tick only if the patient's recorded written consent covers these pictures.",
            )

    def clean_last_reviewed(self):
        value = self.cleaned_data["last_reviewed"]
        if value > timezone.localdate():
            raise ValidationError("The review date cannot be in the future.")
        return value

    def clean_go_live_at(self):
        value = self.cleaned_data["go_live_at"]
        if value is not None and value <= timezone.now():
            raise ValidationError("Choose a time in the future, or leave it empty to publish now.")
        return value

    def clean(self):
        cleaned_data = super().clean()
        last, due = cleaned_data.get("last_reviewed"), cleaned_data.get("next_review_due")
        if last and due and due < last:
            self.add_error("next_review_due", "The next review must come after the last one.")
        return cleaned_data

    def consent_confirmed(self):
        return {
            int(name.removeprefix("consent_"))
            for name, value in self.cleaned_data.items()
            if name.startswith("consent_") and value
        }


class SendBackForm(forms.Form):
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Say what needs changing. The editor sees this on the page's form and in its history.",
        error_messages={"required": "Say what needs changing, so the editor knows what to do."},
    )


class ReviewViews:
    """Admin views for a page's review: the review screen, send for review, cancel a schedule."""

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/review/", view(self.review_view), name="{}_{}_review".format(*info)),
            path(
                "<path:object_id>/request-review/",
                view(require_POST(self.request_review_view)),
                name="{}_{}_request_review".format(*info),
            ),
            path(
                "<path:object_id>/unschedule/",
                view(require_POST(self.unschedule_view)),
                name="{}_{}_unschedule".format(*info),
            ),
            *super().get_urls(),
        ]

    def page_or_404(self, request, object_id, permission="change"):
        page = self.get_object(request, unquote(object_id))
        if page is None:
            raise Http404
        allowed = (
            self.has_change_permission(request, page)
            if permission == "change"
            else self.has_publish_permission(request)
        )
        if not allowed:
            raise PermissionDenied
        return page

    def review_view(self, request, object_id):
        page = self.page_or_404(request, object_id)
        can_approve = self.has_publish_permission(request)
        if request.method == "POST" and not can_approve:
            messages.error(request, "Only clinical reviewers can approve, schedule or send back changes.")
            return HttpResponseRedirect(request.path)
        before = snapshot(page) if page.is_published else workflow.latest_approved_data(page)
        after = (working_data(page) if page.is_published else None) or snapshot(page)
        base = before or "[]"
        consent_cases = [case for case in workflow.changed_case_studies(after, base) if case["images_changed"]]
        initial = {"last_reviewed": timezone.localdate(), "reviewed_by": page.reviewed_by}
        approve_form = ApproveForm(initial=initial, consent_cases=consent_cases)
        send_back_form = SendBackForm()
        if request.method == "POST":
            if "send_back" in request.POST:
                send_back_form = SendBackForm(request.POST)
                if send_back_form.is_valid():
                    workflow.send_back(page, request.user, send_back_form.cleaned_data["comment"])
                    messages.success(
                        request, f"The changes to “{page}” were sent back to the editor with your comment."
                    )
                    return HttpResponseRedirect(page.get_admin_url())
            else:
                approve_form = ApproveForm(request.POST, consent_cases=consent_cases)
                if approve_form.is_valid():
                    data = approve_form.cleaned_data
                    try:
                        version = workflow.approve(
                            page,
                            request.user,
                            last_reviewed=data["last_reviewed"],
                            reviewed_by=data["reviewed_by"],
                            next_review_due=data["next_review_due"],
                            go_live_at=data["go_live_at"],
                            comment=data["comment"],
                            consent_confirmed=approve_form.consent_confirmed(),
                        )
                    except ValidationError as error:
                        approve_form.add_error(None, error)
                    else:
                        messages.success(request, approved_message(page, version))
                        return HttpResponseRedirect(page.get_admin_url())
        page_changes, part_changes = version_changes(before, after)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": page,
            "title": f"Review changes to “{page}”",
            "state": workflow.state(page),
            "pending": page.pending(),
            "scheduled": page.scheduled_version(),
            "page_changes": page_changes,
            "part_changes": part_changes,
            "compared_with_live": page.is_published,
            "has_approved_before": before is not None,
            "problems": workflow.approval_problems(page, consent_confirmed={case["pk"] for case in consent_cases}),
            "can_approve": can_approve,
            "approve_form": approve_form,
            "send_back_form": send_back_form,
        }
        return TemplateResponse(request, "admin/publishing/review.html", context)

    def request_review_view(self, request, object_id):
        page = self.page_or_404(request, object_id)
        try:
            workflow.request_review(page, request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"“{page}” was sent for review. The clinical reviewers have been emailed.")
        return HttpResponseRedirect(page.get_admin_url())

    def unschedule_view(self, request, object_id):
        page = self.page_or_404(request, object_id, permission="publish")
        try:
            workflow.unschedule(page, request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "The schedule was cancelled: the changes are pending again.")
        return HttpResponseRedirect(page.get_admin_url())

    def review_url(self, page):
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_review", args=[page.pk])


def approved_message(page, version):
    if version.is_scheduled:
        when = timezone.localtime(version.go_live_at).strftime("%d %B %Y at %H:%M")
        return f"Approved “{page}” as version {version.number}, scheduled to go live on {when}."
    return f"Approved “{page}”: version {version.number} is now what patients read."
