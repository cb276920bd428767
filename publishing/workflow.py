"""The review of a page's changes: send for review, send back, approve (now or at a set time), take down.

Plain functions, so the admin, `publish_scheduled`, leaflets and tests all go the same way.
Approving is the only thing that makes a new approved version (see publishing/versions.py).
"""

import re

import reversion
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from . import leaflets, notifications
from .models import ApprovedVersion, PendingChanges, ReviewEvent, Status, page_key, publishable_models
from .versions import deserialize, restore, rolled_back, same_content, snapshot, version_objects, working_data

Action = ReviewEvent.Action


def may_approve(user, page):
    return user.has_perm(type(page).PUBLISH_PERMISSION)


def state(page):
    """The page's place in the workflow, as staff read it in lists and banners."""
    if page.is_expired:
        return "Expired"
    scheduled = page.scheduled_version()
    pending = page.pending()
    if scheduled:
        when = date_format(timezone.localtime(scheduled.go_live_at), "j M Y, H:i")
        return f"Published · new version scheduled for {when}" if page.is_published else f"Scheduled for {when}"
    if page.is_published:
        return "Published · changes awaiting review" if pending and pending.data else "Published"
    if pending and pending.sent_back_at and not pending.in_review:
        return f"{page.get_status_display()} · sent back"
    return page.get_status_display()


def _has_pending(page):
    pending = page.pending()
    return bool(pending and pending.data)


def request_review(page, user):
    """Ask the clinical reviewers to review the page's changes, and tell them by email."""
    if page.is_published and not _has_pending(page):
        raise ValidationError("There are no changes to review: patients already see this version.")
    pending, _ = PendingChanges.objects.get_or_create(**page_key(page))
    pending.requested_by, pending.requested_at = user, timezone.now()
    pending.save(update_fields=["requested_by", "requested_at"])
    if not page.is_published and page.status != Status.REVIEW:
        type(page).objects.filter(pk=page.pk).update(status=Status.REVIEW)
        page.status = Status.REVIEW
    record(page, Action.REQUESTED, user, "Sent for review.")
    transaction.on_commit(lambda: notifications.review_requested(page, user), robust=True)


def send_back(page, user, comment):
    """Return the changes to their editor with a comment saying what needs doing."""
    _check_reviewer(user, page)
    comment = comment.strip()
    if not comment:
        raise ValidationError("Say what needs changing, so the editor knows what to do.")
    pending, _ = PendingChanges.objects.get_or_create(**page_key(page))
    pending.requested_by = pending.requested_at = None
    pending.sent_back_by, pending.sent_back_at, pending.sent_back_comment = user, timezone.now(), comment
    pending.save()
    if page.status == Status.REVIEW:
        type(page).objects.filter(pk=page.pk).update(status=Status.DRAFT)
        page.status = Status.DRAFT
    record(page, Action.SENT_BACK, user, "Sent back:", comment)


def approval_problems(page, consent_confirmed=()):
    """What stops the page's pending version being approved: case studies without (re-confirmed) consent."""
    problems = []
    data = working_data(page) if page.is_published else snapshot(page)
    if data is None:
        return ["There are no changes to approve."]
    live = snapshot(page) if page.is_published else (latest_approved_data(page) or "[]")
    for case in changed_case_studies(data, live):
        if not case["consent_recorded"]:
            problems.append(
                f"The case study “{case['title']}” has no recorded consent. A clinical reviewer must record "
                "consent in the case study, or remove it from the page, before the page can be approved."
            )
        elif case["images_changed"] and case["pk"] not in consent_confirmed:
            problems.append(
                f"The pictures of the case study “{case['title']}” have changed. Confirm that the recorded "
                "consent covers the new pictures."
            )
    return problems


def changed_case_studies(data, base):
    """Case studies new or changed in data compared with base, each noting whether pictures were added."""
    before, after = _cases(base), _cases(data)
    changed = []
    for pk, case in after.items():
        old = before.get(pk)
        if old == case:
            continue
        added = case["pictures"] - (old["pictures"] if old else set())
        changed.append({**case["fields"], "pk": pk, "images_changed": bool(added)})
    return changed


def _cases(data):
    """{case study id: its fields, its pictures' files, and its images' fields} in a snapshot."""
    from conditions.models import CaseImage, CaseStudy

    def fields(obj):
        values = {field.attname: field.value_from_object(obj) for field in obj._meta.concrete_fields}
        values.pop("edit_count", None)
        return values

    objects = [item.object for item in deserialize(data)]
    cases = {
        obj.pk: {"fields": fields(obj), "pictures": set(), "images": []}
        for obj in objects
        if isinstance(obj, CaseStudy)
    }
    for obj in objects:
        if isinstance(obj, CaseImage) and obj.case_study_id in cases:
            cases[obj.case_study_id]["pictures"].add(obj.image.name)
            cases[obj.case_study_id]["images"].append(fields(obj))
    return cases


def latest_approved_data(page):
    version = page.approved_versions().first()
    return version.data if version else None


def approve(
    page,
    user,
    *,
    last_reviewed=None,
    reviewed_by=None,
    next_review_due=None,
    go_live_at=None,
    comment="",
    consent_confirmed=(),
):
    """Make the page's pending changes (or an unpublished page as it is) its new approved version.

    With go_live_at in the future the version waits for publish_scheduled; patients keep the
    current version until then. Returns the ApprovedVersion.
    """
    _check_reviewer(user, page)
    problems = approval_problems(page, consent_confirmed)
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    scheduled = go_live_at is not None and go_live_at > now
    with transaction.atomic():
        type(page).objects.select_for_update().filter(pk=page.pk).first()
        review = last_reviewed, reviewed_by, next_review_due
        if scheduled:
            # Patients keep the current rows until publish_scheduled puts this version live.
            with rolled_back():
                approved, reviewed = _approved_rows(page, *review)
            page.refresh_from_db()
        else:
            approved, reviewed = _approved_rows(page, *review)
        version = ApprovedVersion.objects.create(
            **page_key(page),
            number=(page.approved_versions().values_list("number", flat=True).first() or 0) + 1,
            data=approved,
            title=reviewed[2],
            approved_by=user,
            approved_at=now,
            go_live_at=go_live_at if scheduled else None,
            went_live_at=None if scheduled else now,
            last_reviewed=reviewed[0],
            reviewed_by=reviewed[1],
            comment=comment,
        )
        PendingChanges.objects.for_page(page).delete()
        # Made once the approval commits, from the version as approved: each approval is a new leaflet version.
        leaflets.make_after_approval(version)
        if scheduled:
            when = date_format(timezone.localtime(go_live_at), "j F Y, H:i")
            record(page, Action.SCHEDULED, user, f"Approved as version {version.number}, to go live {when}.", comment)
        else:
            record(page, Action.APPROVED, user, f"Published: approved as version {version.number}.", comment)
    return version


def record(page, action, user, message, comment="", version_number=None):
    """Write a workflow step into the page's history: a review event, the admin log and, when it changed
    what patients read, a revision of the page as it now is (so staff can compare with it and revert to it)."""
    number = version_number or _number_in(message)
    ReviewEvent.record(page, action, user, comment=comment, version_number=number)
    text = f"{message} {comment}".strip() if comment else message
    if user is not None:
        LogEntry.objects.log_actions(user.pk, [page], CHANGE, change_message=text, single_object=True)
    if action in (Action.APPROVED, Action.WENT_LIVE, Action.UNPUBLISHED, Action.EXPIRED):
        with reversion.create_revision():
            reversion.set_user(user)
            reversion.set_comment(text)
            for obj in version_objects(page):
                reversion.add_to_revision(obj)


def _number_in(message):
    found = re.search(r"version (\d+)", message)
    return int(found.group(1)) if found else None


def _approved_rows(page, last_reviewed, reviewed_by, next_review_due):
    """Write the page's working version with its review details; returns (snapshot, (last reviewed, by))."""
    data = working_data(page) if page.is_published else None
    if data:
        restore(page, data)
    page.status, page.expired = Status.PUBLISHED, False
    page.last_reviewed = last_reviewed or page.last_reviewed or timezone.localdate()
    page.reviewed_by = (reviewed_by or page.reviewed_by).strip()
    if not page.reviewed_by:
        raise ValidationError("Say who reviewed the page: their role is printed on it.")
    if last_reviewed or next_review_due:
        page.next_review_due = next_review_due  # empty: the review interval from the new date
    page.save()
    return snapshot(page), (page.last_reviewed, page.reviewed_by, str(page))


def go_live(version, now=None):
    """Publish a scheduled version: its rows replace the live ones; later pending work stays pending."""
    page = version.page
    with transaction.atomic():
        version.went_live_at = now or timezone.now()
        version.save(update_fields=["went_live_at"])
        if not page.is_published:
            # The rows of an unpublished page are its draft; keep any work since the approval as pending.
            draft = snapshot(page)
        else:
            draft = None
        restore(page, version.data)
        if draft is not None and not same_content(draft, version.data):
            PendingChanges.objects.update_or_create(**page_key(page), defaults={"data": draft})
        record(page, Action.WENT_LIVE, None, f"Published: version {version.number} went live as scheduled.")
    return page


def unschedule(page, user):
    """Cancel a scheduled approval; its content goes back to being pending changes."""
    _check_reviewer(user, page)
    version = page.scheduled_version()
    if version is None:
        raise ValidationError("Nothing is scheduled for this page.")
    with transaction.atomic():
        pending, _ = PendingChanges.objects.get_or_create(**page_key(page))
        if not pending.data and page.is_published:
            pending.data = version.data
            pending.save(update_fields=["data"])
        version.delete()
        record(page, Action.UNSCHEDULED, user, f"Cancelled the schedule of version {version.number}.")


def take_down(page, user=None, *, expired=False):
    """Take a page off the public site: its rows become its working copy again, pending changes included."""
    with transaction.atomic():
        type(page).objects.select_for_update().filter(pk=page.pk).first()
        data = working_data(page)
        if data and page.pending() and page.pending().data:
            restore(page, data)
        PendingChanges.objects.for_page(page).update(data="")
        page.refresh_from_db()
        page.status, page.expired = Status.DRAFT, expired
        page.save()
        if expired:
            record(page, Action.EXPIRED, user, "Expired: taken off the public site at its expiry time.")
        else:
            record(page, Action.UNPUBLISHED, user, "Unpublished (now draft).")


def publish_scheduled(now=None):
    """Put scheduled versions live and take expired pages off the site; returns (went live, expired) pages."""
    now = now or timezone.now()
    went_live = [
        go_live(version, now)
        for version in ApprovedVersion.objects.filter(went_live_at__isnull=True, go_live_at__lte=now).order_by(
            "go_live_at"
        )
    ]
    expired = []
    for model in publishable_models():
        for page in model.objects.filter(status=Status.PUBLISHED, expires_at__lte=now):
            take_down(page, expired=True)
            expired.append(page)
    return went_live, expired


def _check_reviewer(user, page):
    if user is not None and not may_approve(user, page):
        raise PermissionDenied("Only clinical reviewers can approve, schedule or send back changes.")


def record_imported(page, comment):
    """Record a published page written outside the workflow (the demo loader) as approved, if it changed.

    Such content was approved before it was imported; this keeps the version history, and the
    leaflets made from it, in step with what patients read.
    """
    latest = page.approved_versions().filter(went_live_at__isnull=False).first()
    data = snapshot(page)
    if not page.is_published or (latest and same_content(latest.data, data)):
        return None
    now = timezone.now()
    version = ApprovedVersion.objects.create(
        **page_key(page),
        number=(page.approved_versions().values_list("number", flat=True).first() or 0) + 1,
        data=data,
        title=str(page),
        approved_at=now,
        went_live_at=now,
        last_reviewed=page.last_reviewed,
        reviewed_by=page.reviewed_by,
        comment=comment,
    )
    # The loader gives the page its first revision itself.
    ReviewEvent.record(page, Action.APPROVED, comment=comment, version_number=version.number)
    return version
