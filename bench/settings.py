"""The site's own settings with one addition for `make bench`: the URLconf that adds the hello view."""

from radiology_site.settings import *  # noqa: F403 (the bench must run exactly the site's settings)

ROOT_URLCONF = "bench.urls"

# Keys of the bench's own: in a shared Redis, its demo pages must never stand in for a real site's.
for _cache in CACHES.values():  # noqa: F405
    _cache["KEY_PREFIX"] = "bench"
