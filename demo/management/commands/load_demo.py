"""`manage.py load_demo`: the demo condition, procedures and case study, where they are missing (demo/loader.py).

Safe to run as often as you like: what is already there, staff work included, is never changed.
To see edits to demo/content.py or demo/images.py, load into a fresh database (delete db.sqlite3).
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from demo.loader import DemoLoader


class Command(BaseCommand):
    help = "Load the demo condition, procedures and case study where they are missing; never change what is there."

    def handle(self, *args, **options):
        loader = DemoLoader()
        with transaction.atomic():
            loader.load()
        self.stdout.write(self.style.SUCCESS(loader.summary()))
