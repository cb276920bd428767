"""Two people editing one object: a save from a form opened before someone else's save is refused."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from reversion.models import Version

from ..diff import field_changes, field_values


class EditConflictForm(forms.ModelForm):
    """A form for an EditCounted model that saves over nobody else's work.

    Every save counts the object's `edit_count` up, and the form carries the count it was opened at.
    """

    opened_edit = forms.IntegerField(
        required=False,
        min_value=0,
        widget=forms.HiddenInput,
        error_messages={"invalid": "The form's edit number is missing or damaged; reload the page."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict = None
        if not self.instance._state.adding:
            self.fields["opened_edit"].required = True
            self.fields["opened_edit"].initial = self.instance.edit_count

    def clean(self):
        cleaned_data = super().clean()
        if not self.instance._state.adding and cleaned_data.get("opened_edit") is not None:
            self.refuse_if_saved_since_opened(cleaned_data["opened_edit"])
        return cleaned_data

    def refuse_if_saved_since_opened(self, opened):
        obj = self.instance
        # Locking the row makes a simultaneous second save wait here, then see the first one's count.
        # The larger count wins because a revert rewinds the row, and the admin then gives the object
        # the count it had before the revert (RecordedAdmin.get_object).
        saved_count = type(obj).objects.select_for_update().values_list("edit_count", flat=True).get(pk=obj.pk)
        latest = max(obj.edit_count, saved_count)
        obj.edit_count = latest  # the save counts on from here
        if opened == latest:
            return
        saved = type(obj).objects.get(pk=obj.pk)
        self.conflict = self.differences_from(saved)
        # A second save after reading the differences is deliberate, so let it through.
        self.data = self.data.copy()
        self.data[self.add_prefix("opened_edit")] = latest
        who, when = "someone else", getattr(saved, "updated_at", None)
        # Name who made the latest save when the admin recorded it; saves from elsewhere have no revision.
        last = Version.objects.get_for_object(obj).select_related("revision__user").first()
        if last and last.field_dict.get("edit_count") == latest and last.revision.user:
            who, when = (
                last.revision.user.get_full_name() or last.revision.user.get_username(),
                last.revision.date_created,
            )
        raise ValidationError(
            "This %(kind)s was edited by %(who)s%(when)s since you opened it, so your changes were not saved. "
            "Your text is still in the form below. Check the differences from the saved %(kind)s, "
            "then save again to replace it with your version.",
            code="stale",
            params={
                "kind": "page" if hasattr(obj, "status") else obj._meta.verbose_name,
                "who": who,
                "when": f" at {date_format(timezone.localtime(when), 'j F Y, H:i')}" if when else "",
            },
        )

    def differences_from(self, saved):
        """How the saved object differs from what this form holds, field by field."""
        names = [name for name in self.fields if name in self.cleaned_data and name != "opened_edit"]
        submitted = {saved._meta.get_field(name).attname: self.cleaned_data[name] for name in names}
        return field_changes(type(saved), names, field_values(saved), submitted)
