// shiksha.AuthEngine: users, roles, passwords and tokens.
#include "bindings.hpp"

#include "shiksha/auth.hpp"

#include <pybind11/stl.h>

#include <string>

namespace shiksha::python {

namespace {

/// A Role, or its name in any case ("teacher", "Admin") through the library's parse_role().
Role role_from_py(py::handle value) {
    if (py::isinstance<Role>(value)) return value.cast<Role>();
    if (py::isinstance<py::str>(value)) return unwrap(parse_role(value.cast<std::string>()));
    throw py::type_error("role must be a shiksha.Role or a str");
}

std::string user_repr(const User& u) {
    return "User(id=" + std::to_string(u.id) + ", username='" + u.username +
           "', role=" + std::string(to_string(u.role)) + ", active=" + (u.active ? "True" : "False") + ")";
}

void bind_values(py::module_& m) {
    py::enum_<Role>(m, "Role",
                    "The permission ladder, lowest first (principal and coordinator share a rung).")
        .value("viewer", Role::viewer)
        .value("teacher", Role::teacher)
        .value("principal", Role::principal)
        .value("coordinator", Role::coordinator)
        .value("admin", Role::admin)
        .def_property_readonly("rank", &role_rank, "viewer 0, teacher 1, principal = coordinator 2, admin 3");
    m.def(
        "parse_role", [](std::string_view text) { return unwrap(parse_role(text)); }, py::arg("text"),
        "Case-insensitive; InvalidArgumentError lists the valid roles.");

    py::class_<User>(m, "User", "A stored account (read-only snapshot).")
        .def_readonly("id", &User::id)
        .def_readonly("username", &User::username)
        .def_readonly("email", &User::email)
        .def_readonly("name", &User::name)
        .def_readonly("role", &User::role)
        .def_readonly("school_id", &User::school_id)
        .def_readonly("school_name", &User::school_name)
        .def_readonly("active", &User::active)
        .def_property_readonly("last_login", [](const User& u) { return py_datetime(u.last_login); })
        .def_property_readonly("created_at", [](const User& u) { return py_datetime(u.created_at); })
        .def_property_readonly("updated_at", [](const User& u) { return py_datetime(u.updated_at); })
        .def(
            "to_dict", [](const User& u) { return py_from_json(to_json(u)); },
            "The wire form (what GET /api/auth/me returns).")
        .def("__repr__", &user_repr);

    py::class_<School>(m, "School")
        .def(py::init([](const std::string& name, const std::string& district, const std::string& state,
                         const std::string& school_type, std::int64_t total_teachers) {
                 return School{.name = name,
                               .district = district,
                               .state = state,
                               .school_type = school_type,
                               .total_teachers = total_teachers};
             }),
             py::arg("name"), py::arg("district") = "", py::arg("state") = "", py::arg("school_type") = "",
             py::arg("total_teachers") = 0)
        .def_readonly("id", &School::id)
        .def_readwrite("name", &School::name)
        .def_readwrite("district", &School::district)
        .def_readwrite("state", &School::state)
        .def_readwrite("school_type", &School::school_type)
        .def_readwrite("total_teachers", &School::total_teachers)
        .def("__repr__", [](const School& s) {
            return "School(id=" + std::to_string(s.id) + ", name='" + s.name + "')";
        });

    // Tokens are secrets: the reprs leave them out.
    py::class_<TokenPair>(m, "TokenPair")
        .def_readonly("access_token", &TokenPair::access_token)
        .def_readonly("refresh_token", &TokenPair::refresh_token)
        .def_readonly("expires_in", &TokenPair::expires_in, "seconds until the access token expires")
        .def_readonly("user", &TokenPair::user)
        .def("__repr__", [](const TokenPair& t) {
            return "TokenPair(user=" + user_repr(t.user) + ", expires_in=" + std::to_string(t.expires_in) +
                   ")";
        });

    py::class_<Session>(m, "Session", "Who is calling, as established by authenticate().")
        .def_readonly("user", &Session::user)
        .def_readonly("token_id", &Session::token_id, "the access token's jti")
        .def_property_readonly("expires_at", [](const Session& s) { return py_datetime(s.expires_at); })
        .def("__repr__", [](const Session& s) { return "Session(user=" + user_repr(s.user) + ")"; });

    py::class_<AuditEntry>(m, "AuditEntry")
        .def_readonly("id", &AuditEntry::id)
        .def_property_readonly("at", [](const AuditEntry& e) { return py_datetime(e.at); })
        .def_readonly("user_id", &AuditEntry::user_id)
        .def_readonly("action", &AuditEntry::action)
        .def_readonly("target", &AuditEntry::target)
        .def_readonly("detail", &AuditEntry::detail, "JSON text")
        .def_readonly("request_id", &AuditEntry::request_id)
        .def_readonly("client", &AuditEntry::client)
        .def("__repr__", [](const AuditEntry& e) {
            return "AuditEntry(id=" + std::to_string(e.id) + ", action='" + e.action + "', target='" +
                   e.target + "')";
        });
}

void bind_engine(py::module_& m) {
    const Page page;
    py::class_<AuthEngine>(m, "AuthEngine", "Obtained from Platform.auth. Thread-safe.")
        .def(
            "create_user",
            [](AuthEngine& a, const std::string& username, const std::string& password, py::handle role,
               const std::string& email, const std::string& name, std::optional<std::int64_t> school_id) {
                const NewUser u{.username = username,
                                .email = email,
                                .name = name,
                                .role = role_from_py(role),
                                .password = password,
                                .school_id = school_id};
                return unwrap(without_gil([&] { return a.create_user(u, python_actor()); }));
            },
            py::arg("username"), py::arg("password"), py::arg("role"), py::arg("email") = "",
            py::arg("name") = "", py::arg("school_id") = py::none(),
            "Creates an account; the password is hashed with Argon2id.\n"
            "\n"
            "Args:\n"
            "    username: a unique login name.\n"
            "    password: at least 8 characters.\n"
            "    role: a Role or its name (\"teacher\").\n"
            "    email: optional, unique when given.\n"
            "    name: full name.\n"
            "    school_id: the user's school, or None.\n"
            "\n"
            "Returns:\n"
            "    User: the stored account.\n"
            "\n"
            "Raises:\n"
            "    InvalidArgumentError: a field is malformed (field names it).\n"
            "    ConflictError: the username or e-mail is taken.\n"
            "    NotFoundError: no such school.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "get_user",
            [](AuthEngine& a, std::int64_t id) {
                return unwrap(without_gil([&] { return a.get_user(id); }));
            },
            py::arg("id"),
            "One account by id.\n"
            "\n"
            "Args:\n"
            "    id: the user id.\n"
            "\n"
            "Returns:\n"
            "    User\n"
            "\n"
            "Raises:\n"
            "    NotFoundError: no such user.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "find_user",
            [](AuthEngine& a, const std::string& login) {
                return unwrap(without_gil([&] { return a.find_user(login); }));
            },
            py::arg("login"),
            "One account by username or e-mail (case-insensitive).\n"
            "\n"
            "Args:\n"
            "    login: username or e-mail.\n"
            "\n"
            "Returns:\n"
            "    User\n"
            "\n"
            "Raises:\n"
            "    NotFoundError: no such user.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "list_users",
            [](AuthEngine& a, std::int64_t skip, std::int64_t limit) {
                return unwrap(without_gil([&] { return a.list_users(Page{skip, limit}); }));
            },
            py::arg("skip") = page.skip, py::arg("limit") = page.limit,
            "Accounts, oldest first.\n"
            "\n"
            "Args:\n"
            "    skip: rows to skip (>= 0).\n"
            "    limit: 1-1000 rows.\n"
            "\n"
            "Returns:\n"
            "    list[User]\n"
            "\n"
            "Raises:\n"
            "    InvalidArgumentError: skip or limit out of range.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "set_password",
            [](AuthEngine& a, std::int64_t user_id, const std::string& password) {
                unwrap(without_gil([&] { return a.set_password(user_id, password, python_actor()); }));
            },
            py::arg("user_id"), py::arg("password"),
            "Replaces a password (and revokes the user's refresh tokens).\n"
            "\n"
            "Args:\n"
            "    user_id: the user.\n"
            "    password: at least 8 characters.\n"
            "\n"
            "Returns:\n"
            "    None\n"
            "\n"
            "Raises:\n"
            "    NotFoundError: no such user.\n"
            "    InvalidArgumentError: password too short.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "set_active",
            [](AuthEngine& a, std::int64_t user_id, bool active) {
                unwrap(without_gil([&] { return a.set_active(user_id, active, python_actor()); }));
            },
            py::arg("user_id"), py::arg("active"),
            "Activates or deactivates an account; deactivation also revokes its refresh tokens.\n"
            "\n"
            "Args:\n"
            "    user_id: the user.\n"
            "    active: False locks the account out.\n"
            "\n"
            "Returns:\n"
            "    None\n"
            "\n"
            "Raises:\n"
            "    NotFoundError: no such user.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "check_password",
            [](AuthEngine& a, const std::string& login, const std::string& password) {
                return unwrap(without_gil([&] { return a.check_password(login, password); }));
            },
            py::arg("login"), py::arg("password"),
            "Checks a password without logging in (no lockout, no audit entry).\n"
            "\n"
            "Args:\n"
            "    login: username or e-mail.\n"
            "    password: the candidate.\n"
            "\n"
            "Returns:\n"
            "    bool: True when it is the current password.\n"
            "\n"
            "Raises:\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "create_school",
            [](AuthEngine& a, const School& school) {
                return unwrap(without_gil([&] { return a.create_school(school); }));
            },
            py::arg("school"),
            "Creates a school.\n"
            "\n"
            "Args:\n"
            "    school: a School (name required).\n"
            "\n"
            "Returns:\n"
            "    School: with its id.\n"
            "\n"
            "Raises:\n"
            "    InvalidArgumentError: no name.\n"
            "    ConflictError: a school of that name exists.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "find_school",
            [](AuthEngine& a, const std::string& name) {
                return unwrap(without_gil([&] { return a.find_school(name); }));
            },
            py::arg("name"),
            "A school by exact name.\n"
            "\n"
            "Args:\n"
            "    name: the school's name.\n"
            "\n"
            "Returns:\n"
            "    School | None\n"
            "\n"
            "Raises:\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "login",
            [](AuthEngine& a, const std::string& login, const std::string& password) {
                return unwrap(without_gil([&] { return a.login(login, password, python_actor()); }));
            },
            py::arg("login"), py::arg("password"),
            "Logs in and issues an access and a refresh token.\n"
            "\n"
            "Args:\n"
            "    login: username or e-mail.\n"
            "    password: the password.\n"
            "\n"
            "Returns:\n"
            "    TokenPair: tokens, expiry and the user.\n"
            "\n"
            "Raises:\n"
            "    UnauthenticatedError: wrong login or password.\n"
            "    PermissionDeniedError: the account is inactive.\n"
            "    RateLimitedError: too many attempts for this account.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "refresh",
            [](AuthEngine& a, const std::string& refresh_token) {
                return unwrap(without_gil([&] { return a.refresh(refresh_token, python_actor()); }));
            },
            py::arg("refresh_token"),
            "Exchanges a refresh token for a new pair (the presented token is spent; reusing a spent one "
            "revokes its family).\n"
            "\n"
            "Args:\n"
            "    refresh_token: from login() or a previous refresh().\n"
            "\n"
            "Returns:\n"
            "    TokenPair\n"
            "\n"
            "Raises:\n"
            "    UnauthenticatedError: unknown, expired, spent or revoked token.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "authenticate",
            [](AuthEngine& a, const std::string& access_token) {
                return unwrap(without_gil([&] { return a.authenticate(access_token); }));
            },
            py::arg("access_token"),
            "Checks an access token.\n"
            "\n"
            "Args:\n"
            "    access_token: the JWT from login().\n"
            "\n"
            "Returns:\n"
            "    Session: the user, the token's id and expiry.\n"
            "\n"
            "Raises:\n"
            "    UnauthenticatedError: invalid, expired or revoked token.\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "logout",
            [](AuthEngine& a, const Session& session, const std::string& refresh_token) {
                unwrap(without_gil([&] { return a.logout(session, refresh_token, python_actor()); }));
            },
            py::arg("session"), py::arg("refresh_token") = "",
            "Revokes the session's access token (and a refresh token's family).\n"
            "\n"
            "Args:\n"
            "    session: from authenticate().\n"
            "    refresh_token: also revoke this token's family; \"\" for none.\n"
            "\n"
            "Returns:\n"
            "    None\n"
            "\n"
            "Raises:\n"
            "    UnavailableError: the database cannot be reached or is busy.")
        .def(
            "audit_log",
            [](AuthEngine& a, std::int64_t skip, std::int64_t limit) {
                return unwrap(without_gil([&] { return a.audit_log(Page{skip, limit}); }));
            },
            py::arg("skip") = page.skip, py::arg("limit") = page.limit,
            "The audit log (logins, uploads, deletions...), newest first.\n"
            "\n"
            "Args:\n"
            "    skip: rows to skip (>= 0).\n"
            "    limit: 1-1000 rows.\n"
            "\n"
            "Returns:\n"
            "    list[AuditEntry]\n"
            "\n"
            "Raises:\n"
            "    InvalidArgumentError: skip or limit out of range.\n"
            "    UnavailableError: the database cannot be reached or is busy.");
}

} // namespace

void bind_auth(py::module_& m) {
    bind_values(m);
    bind_engine(m);
}

} // namespace shiksha::python
