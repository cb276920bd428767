"""The environment the suite runs in, set before Django reads its settings.

pyproject.toml loads this module with ``-p`` so it runs ahead of pytest-django. Debug stays
off, as in production; only a throwaway secret key is supplied and the HTTPS redirect is off.
"""

import os
import tempfile

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-not-a-secret")
os.environ.pop("DJANGO_DEBUG", None)
# The test client and the browser tests' live server speak plain HTTP, with no nginx in front.
os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "0"
# A cache folder of this run's own, so that no page cached by `make run` or an earlier run is served.
os.environ.setdefault("DJANGO_CACHE_DIR", tempfile.mkdtemp(prefix="patientinfo-test-cache-"))
