"""The latency histogram: Prometheus buckets are cumulative (le = "less than or equal")."""

from __future__ import annotations

from api.metrics import BUCKETS, Metrics


def test_buckets_count_every_request_at_or_under_their_bound() -> None:
    metrics = Metrics()
    for seconds in (0.001, 0.005, 0.007, 0.3, 9.0):
        metrics.observe_request("GET", "/r", 200, seconds)
    text = metrics.render([])
    bucket = {
        line.split('le="')[1].split('"')[0]: int(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith('casework_request_seconds_bucket{route="/r"')
    }
    assert list(bucket) == [str(b) for b in BUCKETS] + ["+Inf"]
    # 0.005 is counted in le="0.005" itself; 9 s only in +Inf.
    assert bucket["0.005"] == 2
    assert bucket["0.01"] == 3
    assert bucket["0.25"] == 3
    assert bucket["0.5"] == 4
    assert bucket["5.0"] == 4
    assert bucket["+Inf"] == 5
    assert 'casework_request_seconds_count{route="/r"} 5' in text
    assert 'casework_requests_total{method="GET",route="/r",status="200"} 5' in text
