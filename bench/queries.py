"""Print, as JSON, the database queries each URL given costs on its second request (the first warms any cache).

Run by bench/run.py with the environment of the server it measures: `python -m bench.queries /hello/ ...`.
"""

import json
import sys

import django
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


def main(urls):
    django.setup()
    # As nginx passes requests on: over HTTPS, for the site's own host.
    client = Client(headers={"X-Forwarded-Proto": "https"}, HTTP_HOST="127.0.0.1")
    counts = {}
    for url in urls:
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            status = client.get(url).status_code
        if status != 200:
            sys.exit(f"GET {url} answered {status}, not 200")
        counts[url] = len(queries)
    print(json.dumps(counts))


if __name__ == "__main__":
    main(sys.argv[1:])
