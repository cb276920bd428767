from django_ckeditor_5.fields import CKEditor5Field

from .sanitise import sanitise_html


class RichTextField(CKEditor5Field):
    """Staff-edited HTML, sanitised on its way into the database whatever path it takes.

    pre_save covers ordinary saves and keeps the instance in step with what was stored;
    get_db_prep_save also covers fixtures (raw saves), bulk_create and QuerySet.update().
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance, add):
        value = sanitise_html(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value

    def get_db_prep_save(self, value, connection):
        if isinstance(value, str):
            value = sanitise_html(value)
        return super().get_db_prep_save(value, connection)
