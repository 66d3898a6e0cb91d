"""Video suggestions from Python, offline: the local catalogue, suggestions, search, durations."""

import pytest
import shiksha

from conftest import SAMPLE_PDF, make_config


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    platform = shiksha.Platform(make_config(tmp_path_factory.mktemp("videos")))
    shiksha.seed_demo(platform)
    manual = platform.manuals.ingest(SAMPLE_PDF, title="Handbook").manual
    cluster = platform.clusters.list()[0]
    module = platform.modules.generate(manual.id, cluster.id, "Series and parallel circuits",
                                       target_language="english")
    return platform, module


@pytest.mark.parametrize("iso,seconds,shown", [("PT8M12S", 492, "8:12"), ("PT1H2M3S", 3723, "1:02:03"),
                                               ("P0D", 0, "0:00")])
def test_durations(iso, seconds, shown):
    assert shiksha.parse_iso8601_duration(iso) == seconds
    assert shiksha.format_video_duration(seconds) == shown
    assert shiksha.parse_iso8601_duration("8 minutes") is None


def test_catalogue_import_and_suggestions(setup, tmp_path):
    platform, module = setup
    empty = platform.videos.suggest(module.id)
    assert empty["videos"] == [] and empty["source"] == "none" and "catalogue is empty" in empty["reason"]
    path = tmp_path / "videos.csv"
    path.write_text("video_id,title,duration,language\n"
                    "cat1,Series and parallel circuits with cells,7:05,english\n"
                    "cat2,Photosynthesis,5:00,hindi\n"
                    "cat3,,1:00,\n")
    report = platform.videos.import_catalogue(str(path))
    assert report["added"] == 2 and report["problems"][0]["row"] == 4
    assert platform.videos.catalogue_size() == 2
    s = platform.videos.suggest(module.id, limit=1)
    assert s["source"] == "catalogue" and not s["cached"]
    assert [v["video_id"] for v in s["videos"]] == ["cat1"]
    assert 0 <= s["videos"][0]["relevance_score"] <= 1 and s["videos"][0]["relevance_reason"]
    assert platform.videos.suggest(module.id, limit=2)["cached"]
    with pytest.raises(shiksha.InvalidArgumentError) as e:
        platform.videos.suggest(module.id, limit=11)
    assert e.value.field == "limit"


def test_search_and_quota(setup):
    platform, _ = setup
    r = platform.videos.search("circuits", language="english", max_results=5)
    assert r["source"] == "catalogue" and r["videos"]
    with pytest.raises(shiksha.InvalidArgumentError):
        platform.videos.search("circuits", duration="tiny")
    usage = platform.videos.quota_usage()
    assert usage["units"] == 0 and usage["limit"] == 10000 and len(usage["day"]) == 10
    assert any(l["key"] == "hindi" for l in platform.videos.languages())
