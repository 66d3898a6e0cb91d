import shiksha


def test_demo_accounts_are_the_contracts_seven_admin_first():
    accounts = shiksha.demo_accounts()
    assert len(accounts) == 7
    assert accounts[0].username == "admin"
    assert accounts[0].role == "admin"
    assert {a.role for a in accounts} == {"admin", "principal", "teacher"}


def test_seed_demo_is_idempotent(platform):
    first = shiksha.seed_demo(platform)
    assert first.users_created == 7
    assert first.clusters_created == 3
    assert first.actions

    second = shiksha.seed_demo(platform)
    assert second.users_created == 0
    assert second.clusters_created == 0
    assert platform.clusters.count() == 3
    assert len(platform.auth.list_users()) == 7


def test_demo_accounts_can_log_in(platform):
    shiksha.seed_demo(platform)
    teacher = next(a for a in shiksha.demo_accounts() if a.role == "teacher")
    tokens = platform.auth.login(teacher.email, teacher.password)
    assert tokens.user.role == shiksha.Role.teacher
    assert tokens.user.school_name == teacher.school


def test_demo_accounts_with_default_password(platform):
    assert shiksha.demo_accounts_with_default_password(platform) == []
    shiksha.seed_demo(platform)
    assert len(shiksha.demo_accounts_with_default_password(platform)) == 7
    admin = platform.auth.find_user("admin")
    platform.auth.set_password(admin.id, "a new and private passphrase")
    assert "admin" not in shiksha.demo_accounts_with_default_password(platform)
