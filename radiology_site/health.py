"""Health checks for load balancers and systemd: liveness without the database, readiness with it."""

from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta

from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from health_check import checks
from health_check.views import HealthCheckView


@never_cache
@require_safe
def healthz(request):
    """Liveness, for systemd and load balancers: the app is up and answering. It touches no database or cache."""
    return HttpResponse("OK\n", content_type="text/plain; charset=utf-8")


class Database(checks.Database):
    # The library waits a second longer than a check's timeout: /readyz answers within 2 s of a hung database.
    timeout = timedelta(seconds=0.8)


class Readiness(HealthCheckView):
    """Readiness, for load balancers: 200 when the database and the cache answer, else 503 naming which did not."""

    # The cache check's timeout is also its probe key's lifetime, which Redis rounds down to whole seconds. Redis's
    # own socket timeouts (settings.CACHES) answer well within the 2 s the library waits.
    checks = (Database, (checks.Cache, {"timeout": timedelta(seconds=1)}))

    async def get(self, request, *args, **kwargs):
        response = await super().get(request, *args, **kwargs)
        if response.status_code == 500:
            response.status_code = 503  # not ready, rather than broken: what load balancers expect
        return response

    def render_to_response(self, context, **response_kwargs):
        # The library's HTML page has an inline stylesheet, which the Content-Security-Policy refuses.
        return self.render_to_response_text(response_kwargs.get("status", 200))

    @contextmanager
    def get_executor(self):
        # Threads of its own, not waited for: a database check past its deadline must not hold up the answer.
        executor = ThreadPoolExecutor(max_workers=1)
        try:
            yield executor
        finally:
            executor.shutdown(wait=False)
