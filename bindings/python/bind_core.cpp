// Errors, configuration and the Json <-> Python conversion every other binding uses.
#include "bindings.hpp"

#include "shiksha/config.hpp"
#include "shiksha/log.hpp"

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

// After pybind11: <datetime.h> needs Python.h first. PyDateTimeAPI is static per translation
// unit, which is why every datetime conversion lives in this file.
#include <datetime.h>

#include <array>
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace shiksha::python {

namespace {

constexpr std::array all_error_codes = {
    ErrorCode::invalid_argument, ErrorCode::not_found,         ErrorCode::conflict,
    ErrorCode::unauthenticated,  ErrorCode::permission_denied, ErrorCode::rate_limited,
    ErrorCode::unavailable,      ErrorCode::deadline_exceeded, ErrorCode::internal,
};
static_assert(all_error_codes.size() == static_cast<std::size_t>(ErrorCode::internal) + 1,
              "every ErrorCode needs a Python exception class");

// Strong references owned for the life of the process: the classes are also attributes of the
// module, and releasing them during interpreter shutdown (static destructors) would be unsafe.
PyObject* error_base = nullptr;
std::array<PyObject*, all_error_codes.size()> error_classes{};

/// "invalid_argument" -> "InvalidArgumentError".
std::string class_name(ErrorCode code) {
    std::string out;
    bool upper = true;
    for (char c : to_string(code)) {
        if (c == '_') {
            upper = true;
            continue;
        }
        out += upper ? static_cast<char>(c - 'a' + 'A') : c;
        upper = false;
    }
    return out + "Error";
}

void bind_errors(py::module_& m) {
    error_base = PyErr_NewExceptionWithDoc(
        "shiksha.Error",
        "Base of every error the library reports. `code` is the snake_case error code "
        "(\"not_found\"...), `field` the wire name of the invalid input or \"\".",
        PyExc_Exception, nullptr);
    if (error_base == nullptr) throw py::error_already_set();
    py::handle base(error_base);
    base.attr("code") = py::none();
    base.attr("field") = "";
    m.attr("Error") = base;

    for (ErrorCode code : all_error_codes) {
        const std::string name = class_name(code);
        const std::string qualified = "shiksha." + name;
        PyObject* cls = PyErr_NewException(qualified.c_str(), error_base, nullptr);
        if (cls == nullptr) throw py::error_already_set();
        py::handle(cls).attr("code") = std::string(to_string(code));
        error_classes[static_cast<std::size_t>(code)] = cls;
        m.attr(name.c_str()) = py::handle(cls);
    }
}

constexpr int max_json_depth = 64; // what Json::parse allows

Json json_from_py(py::handle value, int depth) {
    if (depth > max_json_depth) {
        throw py::value_error("value is nested more than " + std::to_string(max_json_depth) + " levels deep");
    }
    if (value.is_none()) return Json(nullptr);
    // bool before int: True is an int in Python.
    if (py::isinstance<py::bool_>(value)) return Json(value.cast<bool>());
    if (py::isinstance<py::int_>(value)) {
        int overflow = 0;
        const long long n = PyLong_AsLongLongAndOverflow(value.ptr(), &overflow);
        if (overflow != 0) {
            PyErr_SetString(PyExc_OverflowError, "integer does not fit in 64 bits");
            throw py::error_already_set();
        }
        if (n == -1 && PyErr_Occurred() != nullptr) throw py::error_already_set();
        return Json(static_cast<std::int64_t>(n));
    }
    if (py::isinstance<py::float_>(value)) return Json(value.cast<double>());
    if (py::isinstance<py::str>(value)) return Json(value.cast<std::string>());
    if (py::isinstance<py::dict>(value)) {
        Json::Object members;
        for (auto [key, item] : value.cast<py::dict>()) {
            if (!py::isinstance<py::str>(key)) {
                throw py::type_error("JSON object keys must be str, not " +
                                     std::string(py::str(py::type::of(key).attr("__name__"))));
            }
            members.emplace_back(key.cast<std::string>(), json_from_py(item, depth + 1));
        }
        return Json(std::move(members));
    }
    if (py::isinstance<py::list>(value) || py::isinstance<py::tuple>(value)) {
        Json::Array items;
        for (py::handle item : value)
            items.push_back(json_from_py(item, depth + 1));
        return Json(std::move(items));
    }
    throw py::type_error("cannot convert " + std::string(py::str(py::type::of(value).attr("__name__"))) +
                         " to JSON (expected dict, list, tuple, str, int, float, bool or None)");
}

template <class Owner>
void def_seconds(py::class_<Owner>& cls, const char* name, std::chrono::seconds Owner::*member,
                 const char* doc) {
    cls.def_property(
        name, [member](const Owner& o) { return static_cast<std::int64_t>((o.*member).count()); },
        [member](Owner& o, std::int64_t seconds) { o.*member = std::chrono::seconds(seconds); }, doc);
}

void bind_config(py::module_& m) {
    py::class_<ServerConfig> server(m, "ServerConfig", "HTTP server settings (used by `shiksha serve`).");
    server.def(py::init<>())
        .def_readwrite("host", &ServerConfig::host)
        .def_readwrite("port", &ServerConfig::port, "0 picks a free port")
        .def_readwrite("threads", &ServerConfig::threads, "I/O threads; 0 = one per core")
        .def_readwrite("max_body_bytes", &ServerConfig::max_body_bytes)
        .def_readwrite("cors_origins", &ServerConfig::cors_origins,
                       "exact origins allowed by CORS; assign a new list to change it")
        .def_readwrite("requests_per_minute", &ServerConfig::requests_per_minute, "per client; 0 disables");
    def_seconds(server, "header_timeout", &ServerConfig::header_timeout, "seconds");
    def_seconds(server, "body_timeout", &ServerConfig::body_timeout, "seconds");
    def_seconds(server, "idle_timeout", &ServerConfig::idle_timeout, "seconds");
    def_seconds(server, "shutdown_grace", &ServerConfig::shutdown_grace, "seconds");
    server.def("__repr__", [](const ServerConfig& s) {
        return "ServerConfig(host='" + s.host + "', port=" + std::to_string(s.port) + ")";
    });

    py::class_<AuthConfig> auth(m, "AuthConfig", "Users, passwords and tokens.");
    auth.def(py::init<>())
        .def_readwrite("jwt_secret", &AuthConfig::jwt_secret, "HS256 signing key, at least 32 bytes")
        .def_readwrite("login_attempts_per_minute", &AuthConfig::login_attempts_per_minute)
        .def_property(
            "password_hash_cost",
            [](const AuthConfig& a) { return std::string(to_string(a.password_hash_cost)); },
            [](AuthConfig& a, std::string_view text) {
                a.password_hash_cost = unwrap(parse_password_hash_cost(text));
            },
            "\"minimum\" (tests only), \"interactive\" or \"moderate\"");
    def_seconds(auth, "access_token_ttl", &AuthConfig::access_token_ttl, "seconds");
    def_seconds(auth, "refresh_token_ttl", &AuthConfig::refresh_token_ttl, "seconds");
    // Never show the secret (it would end up in logs and tracebacks).
    auth.def("__repr__", [](const AuthConfig& a) {
        return "AuthConfig(jwt_secret=" + std::string(a.jwt_secret.empty() ? "''" : "'***'") +
               ", password_hash_cost='" + std::string(to_string(a.password_hash_cost)) + "')";
    });

    const Config defaults;
    py::class_<Config>(m, "Config", "Everything Platform.open() needs; plain values with defaults.")
        .def(py::init([](std::filesystem::path data_dir, unsigned workers) {
                 Config c;
                 c.data_dir = std::move(data_dir);
                 c.workers = workers;
                 return c;
             }),
             py::arg("data_dir") = defaults.data_dir, py::arg("workers") = defaults.workers)
        .def_readwrite("data_dir", &Config::data_dir, "database, uploads, exports (str or os.PathLike)")
        .def_readwrite("workers", &Config::workers, "worker pool size; 0 = one per core")
        .def_readwrite("server", &Config::server)
        .def_readwrite("auth", &Config::auth)
        .def_property(
            "log_level", [](const Config& c) { return std::string(to_string(c.log_level)); },
            [](Config& c, std::string_view text) {
                auto level = parse_log_level(text);
                if (!level) {
                    raise_error(Error::invalid("log_level", "log_level must be debug, info, warn or error"));
                }
                c.log_level = *level;
            })
        .def(
            "validate", [](const Config& c) { unwrap(c.validate()); },
            "Raises InvalidArgumentError (with .field) when a value is out of range.")
        .def("__repr__", [](const Config& c) {
            return "Config(data_dir='" + c.data_dir.string() + "', workers=" + std::to_string(c.workers) +
                   ")";
        });

    m.def(
        "config_from_env", [] { return unwrap(config_from_env()); },
        "Defaults overlaid with the SHIKSHA_* environment variables, validated.");
    m.def(
        "config_env_variables",
        [] {
            py::list out;
            for (const auto& v : config_env_variables())
                out.append(py::make_tuple(v.name, v.description));
            return out;
        },
        "(name, description) of every variable config_from_env() reads.");
    m.def(
        "load_or_create_dev_jwt_secret",
        [](const std::filesystem::path& data_dir) {
            return unwrap(without_gil([&] { return load_or_create_dev_jwt_secret(data_dir); }));
        },
        py::arg("data_dir"),
        "A development secret kept in <data_dir>/dev-jwt-secret; never for a deployment.");
}

} // namespace

void raise_error(const Error& error) {
    py::handle cls(error_classes.at(static_cast<std::size_t>(error.code)));
    py::object exc = cls(error.message);
    exc.attr("code") = std::string(to_string(error.code));
    exc.attr("field") = error.field;
    PyErr_SetObject(cls.ptr(), exc.ptr());
    throw py::error_already_set();
}

Json json_from_py(py::handle value) {
    return json_from_py(value, 0);
}

py::object py_from_json(const Json& value) {
    switch (value.kind()) {
    case Json::Kind::null: return py::none();
    case Json::Kind::boolean: return py::bool_(value.as_bool());
    case Json::Kind::integer: return py::int_(value.as_int());
    case Json::Kind::number: return py::float_(value.as_double());
    case Json::Kind::string: return py::str(value.as_string());
    case Json::Kind::array: {
        py::list out;
        for (const auto& item : value.as_array())
            out.append(py_from_json(item));
        return out;
    }
    case Json::Kind::object: {
        py::dict out;
        for (const auto& [key, item] : value.as_object())
            out[py::str(key)] = py_from_json(item);
        return out;
    }
    }
    throw py::value_error("unknown JSON kind");
}

py::object py_datetime(Timestamp t) {
    if (PyDateTimeAPI == nullptr) {
        PyDateTime_IMPORT;
        if (PyDateTimeAPI == nullptr) throw py::error_already_set();
    }
    using namespace std::chrono;
    const auto day = floor<days>(t);
    const year_month_day date{day};
    const hh_mm_ss<microseconds> time{t - day};
    PyObject* dt = PyDateTime_FromDateAndTime(
        static_cast<int>(date.year()), static_cast<int>(static_cast<unsigned>(date.month())),
        static_cast<int>(static_cast<unsigned>(date.day())), static_cast<int>(time.hours().count()),
        static_cast<int>(time.minutes().count()), static_cast<int>(time.seconds().count()),
        static_cast<int>(time.subseconds().count()));
    if (dt == nullptr) throw py::error_already_set();
    return py::reinterpret_steal<py::object>(dt);
}

py::object py_datetime(const std::optional<Timestamp>& t) {
    return t ? py_datetime(*t) : py::none();
}

void bind_core(py::module_& m) {
    bind_errors(m);
    bind_config(m);
}

} // namespace shiksha::python
