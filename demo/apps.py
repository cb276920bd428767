from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo content and `manage.py load_demo`; nothing else in the project imports it."""

    name = "demo"
    verbose_name = "Demo content"
