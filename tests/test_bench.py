"""`make bench`'s own parts: the hello view it compares pages with, and how it reads wrk and /proc."""

import os

import pytest
from django.urls import reverse

from bench import run

WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:8001/hello/
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     3.12ms    1.01ms  20.50ms   90.00%
    Req/Sec     5.10k   300.00     5.50k    80.00%
  50812 requests in 10.01s, 9.81MB read
Requests/sec:   5076.22
Transfer/sec:      0.98MB
"""


@pytest.mark.django_db
@pytest.mark.urls("bench.urls")
def test_the_hello_view_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/hello/")
    assert response.status_code == 200
    assert response.content == b"Hello"


@pytest.mark.urls("bench.urls")
def test_the_bench_urls_keep_the_sites_own():
    assert reverse("conditions:detail", kwargs={"slug": "bone-pain"}) == "/conditions/bone-pain/"


def test_wrk_output_gives_requests_and_seconds():
    assert run.parse_wrk(WRK_OUTPUT) == (50812, 10.01)


@pytest.mark.parametrize(
    "trouble", ["  Non-2xx or 3xx responses: 12\n", "  Socket errors: connect 0, read 0, write 0, timeout 3\n"]
)
def test_wrk_output_with_failed_requests_stops_the_bench(trouble):
    with pytest.raises(SystemExit):
        run.parse_wrk(WRK_OUTPUT + trouble)


def test_cpu_time_is_read_from_proc():
    sum(range(100_000))  # some CPU time to read
    assert run.cpu_seconds(os.getpid()) > 0
    assert os.getpid() in run.children(os.getppid())
