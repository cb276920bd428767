from django.core.management.base import BaseCommand, CommandError

from publishing import page_cache


class Command(BaseCommand):
    help = (
        "Make every cached public page out of date, on every app server: run it after a release or a database "
        "restore, which change pages without an approval to tell the cache."
    )

    def handle(self, **options):
        try:
            page_cache.clear()
        except Exception as error:
            raise CommandError(f"The page cache could not be cleared ({error}); is the cache server up?") from error
        self.stdout.write("Every cached page will be rendered afresh on its next request.")
