import pytest
import shiksha

ERROR_CLASSES = {
    "invalid_argument": shiksha.InvalidArgumentError,
    "not_found": shiksha.NotFoundError,
    "conflict": shiksha.ConflictError,
    "unauthenticated": shiksha.UnauthenticatedError,
    "permission_denied": shiksha.PermissionDeniedError,
    "rate_limited": shiksha.RateLimitedError,
    "unavailable": shiksha.UnavailableError,
    "deadline_exceeded": shiksha.DeadlineExceededError,
    "internal": shiksha.InternalError,
}


def test_every_error_class_derives_from_shiksha_error():
    assert issubclass(shiksha.Error, Exception)
    for code, cls in ERROR_CLASSES.items():
        assert issubclass(cls, shiksha.Error)
        assert cls.code == code
        assert cls.__module__ == "shiksha"


def test_error_classes_can_be_raised_from_python():
    with pytest.raises(shiksha.Error) as err:
        raise shiksha.NotFoundError("nothing here")
    assert err.value.code == "not_found"
    assert err.value.field == ""
    assert str(err.value) == "nothing here"


def test_duplicate_name_is_a_conflict(platform, new_cluster):
    platform.clusters.create(**new_cluster())
    with pytest.raises(shiksha.ConflictError) as err:
        platform.clusters.create(**new_cluster(name="BASTAR tribal cluster"))  # case-insensitive
    assert isinstance(err.value, shiksha.Error)
    assert err.value.code == "conflict"
    assert "already exists" in str(err.value)


def test_short_name_is_invalid_and_names_the_field(platform, new_cluster):
    with pytest.raises(shiksha.InvalidArgumentError) as err:
        platform.clusters.create(**new_cluster(name="X"))
    assert err.value.code == "invalid_argument"
    assert err.value.field == "name"


def test_unknown_id_is_not_found(platform):
    with pytest.raises(shiksha.NotFoundError) as err:
        platform.clusters.get(999)
    assert err.value.code == "not_found"
    with pytest.raises(shiksha.NotFoundError):
        platform.clusters.update(999, name="Renamed")
    with pytest.raises(shiksha.NotFoundError):
        platform.clusters.toggle_pin(999)
    with pytest.raises(shiksha.NotFoundError):
        platform.auth.get_user(999)


def test_create_from_dict_reports_the_field_like_http(platform):
    with pytest.raises(shiksha.InvalidArgumentError) as err:
        platform.clusters.create_from_dict({"name": "No region"})
    assert err.value.field == "region_type"

    body = {"name": "Typed", "region_type": "Urban", "language": "Hindi", "infrastructure_constraints": "Low"}
    with pytest.raises(shiksha.InvalidArgumentError) as err:
        platform.clusters.create_from_dict({**body, "total_teachers": "12"})
    assert err.value.field == "total_teachers"
    with pytest.raises(shiksha.InvalidArgumentError) as err:
        platform.clusters.create_from_dict({**body, "language": 7})
    assert err.value.field == "language"


def test_a_body_that_is_not_an_object_is_invalid(platform):
    with pytest.raises(shiksha.InvalidArgumentError) as err:
        platform.clusters.create_from_dict(["not", "an", "object"])
    assert err.value.field == "body"


def test_values_json_cannot_hold_are_python_errors(platform):
    with pytest.raises(TypeError):
        platform.clusters.create_from_dict({"name": object()})
    with pytest.raises(TypeError):
        platform.clusters.create_from_dict({1: "non-str key"})
    with pytest.raises(OverflowError):
        platform.clusters.create_from_dict({"total_teachers": 2**64})
    cyclic = {}
    cyclic["self"] = cyclic
    with pytest.raises(ValueError):
        platform.clusters.create_from_dict(cyclic)


def test_an_error_leaves_the_store_unchanged(platform, new_cluster):
    platform.clusters.create(**new_cluster())
    with pytest.raises(shiksha.ConflictError):
        platform.clusters.create(**new_cluster())
    assert platform.clusters.count() == 1
