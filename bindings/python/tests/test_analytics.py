"""Feedback analytics from Python: submit, helpful default, validation, summary, ranking."""

import pytest
import shiksha

from conftest import SAMPLE_PDF, make_config


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    platform = shiksha.Platform(make_config(tmp_path_factory.mktemp("analytics")))
    shiksha.seed_demo(platform)
    manual = platform.manuals.ingest(SAMPLE_PDF, title="Handbook").manual
    cluster = next(c for c in platform.clusters.list() if c.name == "Mumbai Urban Cluster")
    good = platform.modules.generate(manual.id, cluster.id, "Series and parallel circuits",
                                     target_language="english")
    lucky = platform.modules.generate(manual.id, cluster.id, "Lemon battery",
                                      target_language="english")
    return platform, cluster, good, lucky


def test_submit_feedback_defaults_helpful_from_rating(setup):
    platform, cluster, good, _ = setup
    fb = platform.analytics.submit_feedback(good.id, 4, comment="Clear steps", tags=["too_complex"],
                                            submitted_at="2026-01-10T09:00:00")
    assert fb.helpful and fb.cluster_id == cluster.id and fb.tags == ["too_complex"]
    assert not platform.analytics.submit_feedback(good.id, 3, submitted_at="2026-01-10").helpful
    assert platform.analytics.submit_feedback(good.id, 2, helpful=True, submitted_at="2026-01-11").helpful
    assert fb.to_dict()["submitted_at"] == "2026-01-10T09:00:00"


def test_invalid_feedback_raises_with_the_field(setup):
    platform, _, good, _ = setup
    with pytest.raises(shiksha.InvalidArgumentError) as e:
        platform.analytics.submit_feedback(good.id, 6)
    assert e.value.field == "rating"
    with pytest.raises(shiksha.InvalidArgumentError) as e:
        platform.analytics.submit_feedback(good.id, 3, comment="x" * 2001)
    assert e.value.field == "comment"
    with pytest.raises(shiksha.NotFoundError):
        platform.analytics.submit_feedback(99999, 3)
    with pytest.raises(shiksha.InvalidArgumentError):
        platform.analytics.summary(date_from="2026-02-01", date_to="2026-01-01")


def test_summary_and_ranking(setup):
    platform, cluster, good, lucky = setup
    for i in range(20):
        platform.analytics.submit_feedback(good.id, 5 if i < 18 else 2, comment="lab needed" if i >= 18 else None,
                                           submitted_at="2026-03-05T10:00:00")
    platform.analytics.submit_feedback(lucky.id, 5, submitted_at="2026-03-06T10:00:00")

    march = platform.analytics.summary(date_from="2026-03-01", date_to="2026-03-31")
    assert march["total_feedback"] == 21
    assert march["helpful_count"] == 19
    assert march["average_rating"] == pytest.approx((18 * 5 + 2 * 2 + 5) / 21, abs=1e-4)
    assert [d["date"] for d in march["by_day"]] == ["2026-03-05", "2026-03-06"]
    assert march["by_cluster"][0]["cluster_id"] == cluster.id
    assert {"phrase": "lab needed", "count": 2} in march["common_issue_counts"]
    assert "lab needed" in march["common_issues"]  # the requirement's list of strings
    assert platform.analytics.summary(date_from="2027-01-01")["total_feedback"] == 0

    ranked = platform.analytics.module_performance(min_ratings=1, limit=5)
    ids = [m["module_id"] for m in ranked["top_modules"]]
    assert ids == [good.id, lucky.id]  # 18/20 helpful beats 1/1
    assert ranked["top_modules"][1]["wilson_lower_bound"] == pytest.approx(
        shiksha.wilson_lower_bound(1, 1), abs=1e-4)
    picky = platform.analytics.module_performance(min_ratings=1, threshold=0.95)
    assert [m.module_id for m in picky.top] == [lucky.id]  # 1/1 clears 0.95, 18/20 does not
    assert [m.module_id for m in picky.underperforming] == [good.id]
    strict = platform.analytics.module_performance(min_ratings=2)
    assert strict["modules_excluded"] == 1 and strict["modules_ranked"] == 1
