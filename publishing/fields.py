from django import forms
from django_ckeditor_5.fields import CKEditor5Field

from .sanitise import sanitise_html


class RichTextFormField(forms.CharField):
    """Reads submitted HTML as it will be stored, so an untouched section never counts as changed.

    (The editor posts "<p>&nbsp;</p>" for an empty section and drops the rel attributes the
    sanitiser adds to links; without this, every save would "change" those fields.)
    """

    def to_python(self, value):
        return sanitise_html(super().to_python(value))


class RichTextField(CKEditor5Field):
    """Staff-edited HTML, sanitised on its way into the database whatever path it takes.

    pre_save covers ordinary saves and keeps the instance in step with what was stored;
    get_db_prep_save also covers fixtures (raw saves), bulk_create and QuerySet.update().
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": RichTextFormField, **kwargs})

    def pre_save(self, model_instance, add):
        value = sanitise_html(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value

    def get_db_prep_save(self, value, connection):
        if isinstance(value, str):
            value = sanitise_html(value)
        return super().get_db_prep_save(value, connection)
