"""WhatsApp delivery from Python, offline: phone numbers, contacts, deep-link sharing, report."""

import pytest
import shiksha

from conftest import SAMPLE_PDF, make_config


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    platform = shiksha.Platform(make_config(tmp_path_factory.mktemp("delivery")))
    shiksha.seed_demo(platform)
    manual = platform.manuals.ingest(SAMPLE_PDF, title="Handbook").manual
    cluster = next(c for c in platform.clusters.list() if c.name == "Mumbai Urban Cluster")
    module = platform.modules.generate(manual.id, cluster.id, "Series and parallel circuits",
                                       target_language="english")
    return platform, cluster, module


@pytest.mark.parametrize("written", ["9876543210", "098765 43210", "+91-98765-43210", "0091 9876543210"])
def test_normalize_phone_accepts_common_forms(written):
    assert shiksha.normalize_phone(written) == "+919876543210"


@pytest.mark.parametrize("bad", ["", "12345", "5876543210", "+1 415 555 0100", "98765abc10"])
def test_normalize_phone_rejects_with_the_field(bad):
    with pytest.raises(shiksha.InvalidArgumentError) as e:
        shiksha.normalize_phone(bad)
    assert e.value.field == "phone"


def test_contacts_and_csv_import(setup):
    platform, cluster, _ = setup
    asha = platform.delivery.add_contact(cluster.id, "Asha", "98765 43210", language="hindi")
    assert asha.phone == "+919876543210" and asha.opted_in
    with pytest.raises(shiksha.ConflictError):
        platform.delivery.add_contact(cluster.id, "Asha again", "+919876543210")
    result = platform.delivery.import_contacts_csv(cluster.id, "name,phone,opted_in\nRavi,9123456789,no\nX,1,\n")
    assert result["added"] == 1 and result["problems"][0][0] == 3
    ravi = next(c for c in platform.delivery.contacts(cluster.id) if c.name == "Ravi")
    assert not ravi.opted_in
    assert platform.delivery.update_contact(ravi.id, opted_in=True).opted_in


def test_share_as_deep_links_then_report(setup):
    platform, cluster, module = setup
    shared = platform.delivery.share_whatsapp(module.id, cluster_id=cluster.id,
                                              recipient_numbers=["7000000001", "bad"])
    assert shared.queued == len(shared.deliveries) >= 2
    assert shared.rejected == [("bad", shared.rejected[0][1])]
    assert all(d.status == "manual" and d.link.startswith("https://wa.me/91") for d in shared.deliveries)
    assert "/api/files/shared/" in shared.pdf_url
    again = platform.delivery.share_whatsapp(module.id, cluster_id=cluster.id, recipient_numbers=["7000000001"])
    assert again.queued == 0 and again.reused == len(shared.deliveries)
    report = platform.delivery.report(module.id)
    assert report.counts["manual"] == len(shared.deliveries)
    assert report.to_dict()["total"] == len(shared.deliveries)
    platform.delivery.wait_idle(module.id, timeout=5)


def test_share_errors_are_typed(setup):
    platform, _, module = setup
    with pytest.raises(shiksha.NotFoundError):
        platform.delivery.share_whatsapp(987654, recipient_numbers=["9876543210"])
    with pytest.raises(shiksha.InvalidArgumentError) as e:
        platform.delivery.share_whatsapp(module.id, recipient_numbers=["123"])
    assert e.value.field == "recipient_numbers"
