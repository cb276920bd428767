import secrets

from django import forms
from django.core.files.base import ContentFile
from django.db import models
from django.db.models.fields.files import ImageFieldFile

from publishing import uploads

from . import images


class CaseImageFormField(forms.ImageField):
    """Refuses unsafe uploads with a message that says what to do instead."""

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "accept": images.ACCEPT}

    def to_python(self, data):
        # forms.FileField's checks only: forms.ImageField would decode the file a second time, and
        # open_upload's checks are stricter. The decoded image rides along for the save.
        if data in self.empty_values:
            return None
        data.checked_image = images.open_upload(data)
        return forms.FileField.to_python(self, data)


class CaseImageFieldFile(ImageFieldFile):
    def save(self, name, content, save=True):
        """Store a re-encoded copy of content under a random name, with its renditions.

        Every way in (admin form, ORM, demo loader) ends here, so the uploaded bytes and file
        name are never stored. The rendition widths are recorded on the instance; the model
        declares that field after this one, so the model save that follows stores them.
        """
        # Checked and decoded already when it came through a form; the ORM and loader get checked here.
        upload = getattr(content, "checked_image", None) or images.open_upload(content, name)
        pixels = images.pixels_only(upload)
        image_format = images.image_format(upload)
        random_name = secrets.token_hex(16) + images.EXTENSIONS[image_format][0]
        # Named, so that ImageFieldFile reads the width and height from it rather than from storage.
        encoded = ContentFile(images.encode(pixels, image_format), name=random_name)
        super().save(random_name, encoded, save=False)
        # A rollback of the save deletes the files again, so no upload outlives a row that never was.
        uploads.delete_on_rollback(self.storage, self.name)
        widths = []
        for width, data in images.make_renditions(pixels):
            rendition = self.storage.save(images.rendition_name(self.name, width), ContentFile(data))
            uploads.delete_on_rollback(self.storage, rendition)
            widths.append(width)
        setattr(self.instance, self.field.renditions_field, widths)
        if save:
            self.instance.save()

    save.alters_data = True

    def delete(self, save=True):
        if self:
            for name in self.rendition_names():
                self.storage.delete(name)
            setattr(self.instance, self.field.renditions_field, [])
        super().delete(save=save)

    delete.alters_data = True

    def rendition_names(self):
        widths = getattr(self.instance, self.field.renditions_field)
        return [images.rendition_name(self.name, width) for width in widths]

    def all_files_exist(self):
        return bool(self) and all(self.storage.exists(name) for name in [self.name, *self.rendition_names()])


class CaseImageField(models.ImageField):
    """An image stored only as re-encoded pixels, with WebP renditions made once, on save."""

    attr_class = CaseImageFieldFile

    def __init__(self, *args, renditions_field=None, **kwargs):
        self.renditions_field = renditions_field
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["renditions_field"] = self.renditions_field
        return name, path, args, kwargs

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": CaseImageFormField, **kwargs})
