"""Modules and grounded answers from Python, with the offline adapter (no LLM configured)."""

import pytest
import shiksha

from conftest import SAMPLE_PDF, make_config


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    platform = shiksha.Platform(make_config(tmp_path_factory.mktemp("modules")))
    shiksha.seed_demo(platform)
    manual = platform.manuals.ingest(SAMPLE_PDF, title="Handbook").manual
    clusters = {c.name: c for c in platform.clusters.list()}
    return platform, manual, clusters


def test_generate_stores_a_structured_offline_module(demo):
    platform, manual, clusters = demo
    cluster = clusters["Bastar Tribal Cluster"]
    module = platform.modules.generate(manual.id, cluster.id, "Series and parallel circuits", grade="6-8")
    assert module.title == "Series and parallel circuits"
    assert module.generation.adapter == "offline-rules"
    assert module.generation.offline
    assert module.language == "hindi"  # the cluster's language, as the contract resolves it
    assert module.grade == "6-8"
    assert module.content.sections and module.content.teaching_tips and module.content.citations
    assert all(c.manual_id == manual.id and c.page_start >= 1 for c in module.content.citations)
    assert "Series and parallel circuits" in module.adapted_content
    assert platform.modules.get(module.id).to_dict()["content"] == module.content.to_dict()
    assert platform.modules.adapter == "offline-rules"


def test_clusters_with_different_profiles_get_different_modules(demo):
    platform, manual, clusters = demo
    tribal = platform.modules.generate(manual.id, clusters["Bastar Tribal Cluster"].id, "Acids and bases")
    urban = platform.modules.generate(manual.id, clusters["Mumbai Urban Cluster"].id, "Acids and bases")
    assert tribal.content.teaching_tips != urban.content.teaching_tips
    assert tribal.adapted_content != urban.adapted_content


def test_list_filters_approve_and_delete(demo):
    platform, manual, clusters = demo
    rural = clusters["Satara Rural Marathi Cluster"]
    module = platform.modules.generate(manual.id, rural.id, "Think pair share", target_language="English")
    assert module.language == "english"
    listed = platform.modules.list(cluster_id=rural.id)
    assert [m.id for m in listed] == [module.id]
    assert platform.modules.approve(module.id).approved
    platform.modules.delete(module.id)
    with pytest.raises(shiksha.NotFoundError):
        platform.modules.get(module.id)


def test_generation_errors_are_typed(demo):
    platform, manual, clusters = demo
    cluster_id = clusters["Mumbai Urban Cluster"].id
    with pytest.raises(shiksha.NotFoundError) as missing:
        platform.modules.generate(9999, cluster_id, "Circuits")
    assert "Manual with ID 9999 not found" in str(missing.value)
    with pytest.raises(shiksha.NotFoundError):
        platform.modules.generate(manual.id, 9999, "Circuits")
    with pytest.raises(shiksha.InvalidArgumentError) as short:
        platform.modules.generate(manual.id, cluster_id, "x")
    assert short.value.field == "topic"
    with pytest.raises(shiksha.NotFoundError) as unrelated:
        platform.modules.generate(manual.id, cluster_id, "Quantum chromodynamics of gluons")
    assert "No relevant content" in str(unrelated.value)


def test_ask_answers_with_pages_or_says_it_cannot(demo):
    platform, manual, _ = demo
    answer = platform.ask("How do I make a lemon battery?", manual_ids=[manual.id])
    assert answer.grounded
    assert any(s.page_start == 2 for s in answer.sources)
    assert "p. 2" in answer.answer
    nothing = platform.modules.ask("Who won the cricket world cup in 1983?")
    assert not nothing.grounded
    assert nothing.sources == []


def test_generate_async_returns_a_job_with_the_module(demo):
    platform, manual, clusters = demo
    job = platform.modules.generate_async(manual.id, clusters["Mumbai Urban Cluster"].id, "Turmeric indicator")
    done = platform.jobs.wait(job.id)
    assert done.state == shiksha.JobState.succeeded
    assert done.result["title"] == "Turmeric indicator"


def test_languages_follow_the_contract_order():
    langs = shiksha.languages()
    assert list(langs)[:3] == ["english", "hindi", "marathi"]
    assert langs["urdu"] == "اردو (Urdu)"
    assert len(langs) == 12


def test_translation_offline_is_explicit_and_memory_serves(tmp_path):
    platform = shiksha.Platform(make_config(tmp_path))
    tr = platform.translation
    assert tr.providers == []
    with pytest.raises(shiksha.UnavailableError) as offline:
        tr.translate("Ice melts.", "hi")
    assert "SHIKSHA_TRANSLATE_PROVIDER" in str(offline.value)
    tr.remember("Ice melts.", "बर्फ पिघलती है।", "hindi")
    result = tr.translate("Ice melts.\n- Ice melts.", "Hindi")
    assert result.text == "बर्फ पिघलती है।\n- बर्फ पिघलती है।"
    assert result.stats["memory_hits"] == 1 and result.stats["segments"] == 2
    texts, stats = tr.translate_batch(["Ice melts.", "Ice melts."], "hi")
    assert texts == ["बर्फ पिघलती है।"] * 2
    with pytest.raises(shiksha.InvalidArgumentError) as unknown:
        tr.translate("x", "klingon")
    assert "Supported: english, hindi" in str(unknown.value)


def test_glossary_and_languages(tmp_path):
    platform = shiksha.Platform(make_config(tmp_path))
    entry = platform.translation.add_term("hindi", "NEP 2020")
    assert entry.translation is None
    assert [t.term for t in platform.translation.terms("hi")] == ["NEP 2020"]
    platform.translation.remove_term(entry.id)
    assert platform.translation.terms() == []
    assert shiksha.find_language("Oriya").key == "odia"
    assert shiksha.find_language("ur").right_to_left
    assert shiksha.find_language("klingon") is None
    assert [l.key for l in shiksha.supported_languages()][-1] == "assamese"


def test_module_for_a_hindi_cluster_offline_says_why_it_is_english(demo):
    platform, manual, clusters = demo
    module = platform.modules.generate(manual.id, clusters["Bastar Tribal Cluster"].id, "Lemon battery")
    assert module.language == "hindi"
    assert module.translations == []
    assert module.translation_status.startswith("unavailable: ")
