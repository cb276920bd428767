"""The environment the suite runs in, set before Django reads its settings.

pyproject.toml loads this module with ``-p`` so it runs ahead of pytest-django. Debug stays
off, as in production; only a throwaway secret key is supplied and the HTTPS redirect is off.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-not-a-secret")
os.environ.pop("DJANGO_DEBUG", None)
# The test client and the browser tests' live server speak plain HTTP, with no nginx in front.
os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "0"
