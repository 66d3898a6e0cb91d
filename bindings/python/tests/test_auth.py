import datetime

import pytest
import shiksha

from conftest import PASSWORD


@pytest.fixture
def asha(platform):
    return platform.auth.create_user(
        "asha", PASSWORD, shiksha.Role.coordinator, email="asha@diet.gov.in", name="Asha"
    )


def test_create_user_returns_the_stored_user(platform, asha):
    assert asha.id > 0
    assert asha.username == "asha"
    assert asha.email == "asha@diet.gov.in"
    assert asha.name == "Asha"
    assert asha.role == shiksha.Role.coordinator
    assert asha.active is True
    assert asha.last_login is None
    assert asha.school_id is None
    assert isinstance(asha.created_at, datetime.datetime)
    assert platform.auth.get_user(asha.id).username == "asha"


def test_role_may_be_given_by_name(platform):
    user = platform.auth.create_user("ravi", PASSWORD, "Teacher")
    assert user.role == shiksha.Role.teacher
    assert user.name == "ravi"  # the display name defaults to the username
    with pytest.raises(shiksha.InvalidArgumentError):
        platform.auth.create_user("sunil", PASSWORD, "superuser")
    with pytest.raises(TypeError):
        platform.auth.create_user("sunil", PASSWORD, 3)


def test_role_ladder(platform):
    assert shiksha.Role.viewer.rank < shiksha.Role.teacher.rank < shiksha.Role.admin.rank
    assert shiksha.Role.principal.rank == shiksha.Role.coordinator.rank
    assert shiksha.parse_role("ADMIN") == shiksha.Role.admin


def test_duplicate_username_is_a_conflict(platform, asha):
    with pytest.raises(shiksha.ConflictError):
        platform.auth.create_user("asha", PASSWORD, "viewer")


def test_short_password_is_invalid(platform):
    with pytest.raises(shiksha.InvalidArgumentError) as err:
        platform.auth.create_user("meena", "short", "viewer")
    assert err.value.field == "password"


def test_find_user_by_username_or_email(platform, asha):
    assert platform.auth.find_user("ASHA").id == asha.id
    assert platform.auth.find_user("asha@diet.gov.in").id == asha.id
    with pytest.raises(shiksha.NotFoundError):
        platform.auth.find_user("nobody")


def test_list_users(platform, asha):
    platform.auth.create_user("ravi", PASSWORD, "teacher")
    assert {u.username for u in platform.auth.list_users()} == {"asha", "ravi"}
    assert len(platform.auth.list_users(limit=1)) == 1


def test_login_authenticate_refresh_round_trip(platform, asha):
    tokens = platform.auth.login("asha", PASSWORD)
    assert tokens.user.id == asha.id
    assert tokens.expires_in == 3600
    assert tokens.access_token and tokens.refresh_token
    assert platform.auth.get_user(asha.id).last_login is not None

    session = platform.auth.authenticate(tokens.access_token)
    assert session.user.id == asha.id
    assert session.user.role == shiksha.Role.coordinator
    assert session.token_id
    assert session.expires_at > datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)

    rotated = platform.auth.refresh(tokens.refresh_token)
    assert rotated.refresh_token != tokens.refresh_token
    assert platform.auth.authenticate(rotated.access_token).user.id == asha.id


def test_login_by_email(platform, asha):
    assert platform.auth.login("asha@diet.gov.in", PASSWORD).user.id == asha.id


def test_wrong_password_is_unauthenticated(platform, asha):
    with pytest.raises(shiksha.UnauthenticatedError) as err:
        platform.auth.login("asha", "not the password")
    assert err.value.code == "unauthenticated"
    # The same answer for an unknown login, so it reveals nothing.
    with pytest.raises(shiksha.UnauthenticatedError) as unknown:
        platform.auth.login("nobody", "not the password")
    assert str(unknown.value) == str(err.value)


def test_a_spent_refresh_token_revokes_its_family(platform, asha):
    tokens = platform.auth.login("asha", PASSWORD)
    rotated = platform.auth.refresh(tokens.refresh_token)
    with pytest.raises(shiksha.UnauthenticatedError):
        platform.auth.refresh(tokens.refresh_token)
    with pytest.raises(shiksha.UnauthenticatedError):
        platform.auth.refresh(rotated.refresh_token)


def test_garbage_access_token_is_unauthenticated(platform):
    with pytest.raises(shiksha.UnauthenticatedError):
        platform.auth.authenticate("not.a.jwt")


def test_logout_revokes_the_access_token_and_refresh_family(platform, asha):
    tokens = platform.auth.login("asha", PASSWORD)
    session = platform.auth.authenticate(tokens.access_token)
    platform.auth.logout(session, tokens.refresh_token)
    with pytest.raises(shiksha.UnauthenticatedError):
        platform.auth.authenticate(tokens.access_token)
    with pytest.raises(shiksha.UnauthenticatedError):
        platform.auth.refresh(tokens.refresh_token)


def test_an_inactive_user_cannot_log_in(platform, asha):
    platform.auth.set_active(asha.id, False)
    assert platform.auth.get_user(asha.id).active is False
    with pytest.raises(shiksha.PermissionDeniedError):
        platform.auth.login("asha", PASSWORD)
    platform.auth.set_active(asha.id, True)
    platform.auth.login("asha", PASSWORD)


def test_set_password(platform, asha):
    platform.auth.set_password(asha.id, "another long passphrase")
    assert platform.auth.check_password("asha", "another long passphrase") is True
    assert platform.auth.check_password("asha", PASSWORD) is False
    with pytest.raises(shiksha.UnauthenticatedError):
        platform.auth.login("asha", PASSWORD)
    platform.auth.login("asha", "another long passphrase")


def test_schools(platform):
    satara = shiksha.School("Satara ZP School", district="Satara", total_teachers=9)
    school = platform.auth.create_school(satara)
    assert school.id > 0
    assert platform.auth.find_school("Satara ZP School").id == school.id
    assert platform.auth.find_school("Nowhere") is None
    user = platform.auth.create_user("kavita", PASSWORD, "teacher", school_id=school.id)
    assert user.school_id == school.id
    assert user.school_name == "Satara ZP School"


def test_reprs_hide_tokens(platform, asha):
    tokens = platform.auth.login("asha", PASSWORD)
    assert tokens.access_token not in repr(tokens)
    assert tokens.refresh_token not in repr(tokens)
    assert "asha" in repr(tokens)
