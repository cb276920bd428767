from django import forms
from django_ckeditor_5.fields import CKEditor5Field

from .sanitise import sanitise_html, sanitised


class RichTextFormField(forms.CharField):
    """Reads submitted HTML as it will be stored, so an untouched section never counts as changed.

    (The editor posts "<p>&nbsp;</p>" for an empty section and drops the rel attributes the
    sanitiser adds to links; without this, every save would "change" those fields.)
    """

    # has_changed() reads the submitted text again after clean() has: the second time costs nothing.
    _last_cleaned = (None, None)

    def to_python(self, value):
        value = super().to_python(value)
        if value != self._last_cleaned[0]:
            self._last_cleaned = (value, sanitise_html(value))
        return self._last_cleaned[1]


class RichTextField(CKEditor5Field):
    """Staff-edited HTML, sanitised on its way into the database whatever path it takes.

    pre_save covers ordinary saves and keeps the instance in step with what was stored;
    get_db_prep_save also covers fixtures (raw saves), bulk_create and QuerySet.update().
    Each value is cleaned once: what the sanitiser returned (from the form, or pre_save) is
    marked as such (SanitisedHTML) and not cleaned again.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": RichTextFormField, **kwargs})

    def pre_save(self, model_instance, add):
        value = sanitised(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value

    def get_db_prep_save(self, value, connection):
        if isinstance(value, str):
            value = sanitised(value)
        return super().get_db_prep_save(value, connection)
