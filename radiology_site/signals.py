"""A deactivated user's sessions end at once, whether they were deactivated in the admin or the shell."""

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def end_sessions_of_inactive_user(sender, instance, **kwargs):
    # Django ignores an inactive user's session but keeps it, so re-activating the account would
    # bring the old cookie back to life. Sessions are in the database (Django's default engine).
    if instance.is_active:
        return
    user_id = instance._meta.pk.value_to_string(instance)
    live = Session.objects.filter(expire_date__gt=timezone.now())
    theirs = [session.pk for session in live.iterator() if session.get_decoded().get(SESSION_KEY) == user_id]
    Session.objects.filter(pk__in=theirs).delete()
