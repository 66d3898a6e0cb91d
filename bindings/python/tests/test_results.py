"""Results are typed objects with readable reprs and .to_dict(); lists of them become pandas
DataFrames with shiksha.to_frame(); results that used to be dicts still read like dicts."""

import datetime

import pandas as pd
import pytest
import shiksha

from conftest import SAMPLE_PDF, SAMPLE_TITLE, make_config


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    platform = shiksha.Platform(make_config(tmp_path_factory.mktemp("results")))
    shiksha.seed_demo(platform)
    manual = platform.manuals.ingest(SAMPLE_PDF, title=SAMPLE_TITLE).manual
    cluster = platform.clusters.list()[0]
    module = platform.modules.generate(manual.id, cluster.id, "Series and parallel circuits",
                                       target_language="english")
    return platform, manual, module


def result_objects(value, seen):
    """Every shiksha object reachable from `value` through its attributes."""
    if type(value).__module__ != "shiksha" or id(value) in seen or not hasattr(value, "to_dict"):
        if isinstance(value, (list, tuple)):
            for item in value:
                yield from result_objects(item, seen)
        return
    seen.add(id(value))
    yield value
    for name in dir(type(value)):
        if not name.startswith("_") and isinstance(getattr(type(value), name, None), property):
            yield from result_objects(getattr(value, name), seen)


def test_every_result_has_a_readable_repr_and_a_dict(pipeline):
    platform, manual, module = pipeline
    roots = [module, platform.retrieval.search("lemon battery", k=2), platform.manuals.pages(manual.id),
             platform.ask("How do I make a lemon battery?"), platform.retrieval.stats(),
             platform.translation.translate_batch([], "hindi")[1]]
    seen = set()
    objects = [o for root in roots for o in result_objects(root, seen)]
    kinds = {type(o).__name__ for o in objects}
    assert {"Module", "ModuleContent", "ModuleSection", "Activity", "AssessmentQuestion", "Citation",
            "GenerationInfo", "SearchResult", "SearchHit", "PageReport", "Answer", "AnswerSource",
            "RetrievalStats", "TranslationStats"} <= kinds
    for o in objects:
        text = repr(o)
        assert text.startswith(type(o).__name__ + "(") and " object at 0x" not in text, text
        assert isinstance(o.to_dict(), dict) and o.to_dict()
    section = module.content.sections[0]
    assert section.to_dict() == {"heading": section.heading, "text": section.text}
    assert repr(section).startswith(f"ModuleSection(heading={section.heading!r}")


def test_to_frame_makes_one_row_per_result(pipeline):
    platform, manual, _ = pipeline
    hits = platform.retrieval.search("series circuit bulb", k=3).hits
    frame = shiksha.to_frame(hits)
    assert isinstance(frame, pd.DataFrame) and len(frame) == len(hits) == 3
    assert list(frame["page_start"]) == [h.page_start for h in hits]
    assert list(frame["scores.fused"]) == pytest.approx([h.fused for h in hits])
    pages = shiksha.to_frame(platform.manuals.pages(manual.id))
    assert list(pages["method"]).count("ocr") == 1
    assert shiksha.to_frame([{"a": 1}, {"a": 2}])["a"].tolist() == [1, 2]
    assert shiksha.to_frame([]).empty
    with pytest.raises(TypeError):
        shiksha.to_frame([object()])


def test_analytics_and_videos_are_typed_and_still_read_as_dicts(pipeline):
    platform, _, module = pipeline
    platform.analytics.submit_feedback(module.id, 2, comment="no torch cells", submitted_at="2026-02-01")
    platform.analytics.submit_feedback(module.id, 5, submitted_at="2026-02-02")
    s = platform.analytics.summary(date_from="2026-02-01", date_to="2026-02-28")
    assert isinstance(s, shiksha.FeedbackSummary)
    assert s.total == s["total_feedback"] == 2 and s.rating_distribution == [0, 1, 0, 0, 1]
    assert [d.date for d in s.days] == ["2026-02-01", "2026-02-02"]
    assert "total_feedback" in s and s.get("nothing", 7) == 7 and "by_cluster" in s.keys()
    assert s.to_dict()["by_day"][0]["date"] == "2026-02-01"
    feedback = platform.analytics.list_feedback(module.id)[0]
    assert isinstance(feedback.submitted_at, datetime.datetime)

    v = platform.videos.suggest(module.id)
    assert isinstance(v, shiksha.VideoSuggestions) and v.source == v["source"] == "none"
    assert isinstance(v.fetched_at, datetime.datetime) and v.videos == [] and v["videos"] == []
    assert all(isinstance(l, shiksha.VideoLanguage) and l.key == l["key"] for l in platform.videos.languages())


def test_llm_translation_and_video_settings_hide_their_secrets():
    config = shiksha.Config()
    config.llm.api_key = "sk-very-secret"
    config.translation.google_api_key = "google-very-secret"
    config.videos.youtube_api_key = "youtube-very-secret"
    assert config.llm.configured()  # a key alone means Groq
    text = repr(config.llm) + repr(config.translation) + repr(config.videos)
    assert "very-secret" not in text and "'***'" in text
    config.translation.memory_ttl = 60
    assert config.translation.memory_ttl == 60 and config.videos.cache_ttl == 7 * 24 * 3600
