from django.apps import AppConfig, apps


class PublishingConfig(AppConfig):
    name = "publishing"
    verbose_name = "Publishing"

    def ready(self):
        from . import page_cache

        # Every model that says which cached pages show it invalidates them when it changes.
        for model in apps.get_models():
            if hasattr(model, "pages_showing"):
                page_cache.watch(model)
