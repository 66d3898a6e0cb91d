import datetime

import pytest
import shiksha


def test_create_then_get_returns_the_stored_cluster(platform, new_cluster):
    created = platform.clusters.create(**new_cluster(key_issues="No lab", total_teachers=42))
    assert created.id > 0
    assert created.name == "Bastar Tribal Cluster"
    assert created.key_issues == "No lab"
    assert created.total_teachers == 42
    assert created.additional_notes is None
    assert created.pinned is False

    fetched = platform.clusters.get(created.id)
    assert fetched.to_dict() == created.to_dict()
    assert platform.clusters.count() == 1


def test_timestamps_are_naive_utc_datetimes(platform, new_cluster):
    before = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    cluster = platform.clusters.create(**new_cluster())
    after = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    assert isinstance(cluster.created_at, datetime.datetime)
    assert cluster.created_at.tzinfo is None
    # The store keeps microseconds; a one-second margin allows for clock granularity.
    margin = datetime.timedelta(seconds=1)
    assert before - margin <= cluster.created_at <= after + margin
    assert cluster.updated_at == cluster.created_at


def test_to_dict_is_the_wire_form(platform, new_cluster):
    cluster = platform.clusters.create(**new_cluster(key_issues="Multigrade"))
    wire = cluster.to_dict()
    assert wire["id"] == cluster.id
    assert wire["region_type"] == wire["geographic_type"] == "Tribal Belt"
    assert wire["language"] == wire["primary_language"] == "Hindi"
    assert wire["infrastructure_constraints"] == wire["infrastructure_level"] == "Low"
    assert wire["key_issues"] == wire["specific_challenges"] == "Multigrade"
    assert wire["additional_notes"] is None
    assert wire["pinned"] is False
    assert wire["created_at"] == cluster.created_at.isoformat()


def test_create_from_dict_accepts_the_db_name_aliases(platform):
    cluster = platform.clusters.create_from_dict(
        {
            "name": "Satara Rural Marathi Cluster",
            "geographic_type": "Rural",
            "primary_language": "Marathi",
            "infrastructure_level": "Low",
            "specific_challenges": "Seasonal migration",
            "total_teachers": 65.0,  # lax like the HTTP API: a whole float is an integer
            "unknown_key": [1, 2, {"ignored": True}],
        }
    )
    assert cluster.region_type == "Rural"
    assert cluster.language == "Marathi"
    assert cluster.infrastructure_constraints == "Low"
    assert cluster.key_issues == "Seasonal migration"
    assert cluster.total_teachers == 65


def test_create_from_dict_accepts_the_wire_keys(platform):
    cluster = platform.clusters.create_from_dict(
        {
            "name": "Mumbai Urban Cluster",
            "region_type": "Urban",
            "language": "Hindi",
            "infrastructure_constraints": "Medium",
            "key_issues": None,
            "additional_notes": "Two shifts",
        }
    )
    assert cluster.key_issues is None
    assert cluster.additional_notes == "Two shifts"
    assert cluster.total_teachers == 1


def test_update_changes_only_the_given_fields(platform, new_cluster):
    cluster = platform.clusters.create(**new_cluster(key_issues="No lab", additional_notes="Forest villages"))
    updated = platform.clusters.update(cluster.id, total_teachers=50, language="Gondi")
    assert updated.total_teachers == 50
    assert updated.language == "Gondi"
    assert updated.name == cluster.name
    assert updated.key_issues == "No lab"
    assert updated.additional_notes == "Forest villages"
    assert updated.updated_at >= cluster.updated_at


def test_update_with_none_clears_a_nullable_field(platform, new_cluster):
    cluster = platform.clusters.create(**new_cluster(key_issues="No lab", additional_notes="Notes"))
    updated = platform.clusters.update(cluster.id, key_issues=None)
    assert updated.key_issues is None
    assert updated.additional_notes == "Notes"
    assert platform.clusters.get(cluster.id).key_issues is None


def test_update_accepts_the_db_name_aliases(platform, new_cluster):
    cluster = platform.clusters.create(**new_cluster())
    updated = platform.clusters.update(cluster.id, geographic_type="Rural", specific_challenges="Floods")
    assert updated.region_type == "Rural"
    assert updated.key_issues == "Floods"


def test_update_refuses_none_for_a_required_field(platform, new_cluster):
    cluster = platform.clusters.create(**new_cluster())
    with pytest.raises(shiksha.InvalidArgumentError) as err:
        platform.clusters.update(cluster.id, name=None)
    assert err.value.field == "name"


def test_update_with_no_fields_leaves_the_cluster_as_it_was(platform, new_cluster):
    cluster = platform.clusters.create(**new_cluster())
    assert platform.clusters.update(cluster.id).name == cluster.name


def test_delete_removes_the_cluster(platform, new_cluster):
    cluster = platform.clusters.create(**new_cluster())
    platform.clusters.delete(cluster.id)
    assert platform.clusters.count() == 0
    with pytest.raises(shiksha.NotFoundError):
        platform.clusters.get(cluster.id)
    with pytest.raises(shiksha.NotFoundError):
        platform.clusters.delete(cluster.id)


def test_toggle_pin_flips_the_flag(platform, new_cluster):
    cluster = platform.clusters.create(**new_cluster())
    assert platform.clusters.toggle_pin(cluster.id).pinned is True
    assert platform.clusters.get(cluster.id).pinned is True
    assert platform.clusters.toggle_pin(cluster.id).pinned is False


def test_list_puts_pinned_first_then_newest_first(platform, new_cluster):
    first = platform.clusters.create(**new_cluster(name="First cluster"))
    second = platform.clusters.create(**new_cluster(name="Second cluster"))
    third = platform.clusters.create(**new_cluster(name="Third cluster"))
    assert [c.id for c in platform.clusters.list()] == [third.id, second.id, first.id]

    platform.clusters.toggle_pin(first.id)
    assert [c.id for c in platform.clusters.list()] == [first.id, third.id, second.id]


def test_list_pages_with_skip_and_limit(platform, new_cluster):
    ids = [platform.clusters.create(**new_cluster(name=f"Cluster {i}")).id for i in range(5)]
    newest_first = list(reversed(ids))
    assert [c.id for c in platform.clusters.list(limit=2)] == newest_first[:2]
    assert [c.id for c in platform.clusters.list(skip=2, limit=2)] == newest_first[2:4]
    assert platform.clusters.list(skip=10) == []


def test_a_teacher_hides_a_cluster_an_admin_deletes_it(platform, new_cluster):
    teacher = platform.auth.create_user("priya", "a long passphrase", shiksha.Role.teacher)
    admin = platform.auth.create_user("root", "a long passphrase", "admin")
    kept = platform.clusters.create(**new_cluster(name="Kept cluster"))
    hidden = platform.clusters.create(**new_cluster(name="Hidden cluster"))

    assert platform.clusters.remove_as(hidden.id, teacher) == shiksha.ClusterRemoval.hidden
    assert [c.id for c in platform.clusters.list(hidden_for_user=teacher.id)] == [kept.id]
    assert len(platform.clusters.list()) == 2

    assert platform.clusters.remove_as(hidden.id, admin) == shiksha.ClusterRemoval.deleted
    assert platform.clusters.count() == 1


def test_cluster_is_read_only(platform, new_cluster):
    cluster = platform.clusters.create(**new_cluster())
    with pytest.raises(AttributeError):
        cluster.name = "Renamed"
    with pytest.raises(TypeError):
        shiksha.Cluster()


def test_changes_from_python_are_audited_as_python(platform, new_cluster):
    platform.clusters.create(**new_cluster())
    entries = platform.auth.audit_log()
    assert any(e.action == "cluster.create" and e.client == "python" for e in entries)
