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

/// A duration as a plain int in its own unit (seconds, or milliseconds for the *_ms names).
template <class Owner, class Duration>
void def_duration(py::class_<Owner>& cls, const char* name, Duration Owner::*member, const char* doc) {
    cls.def_property(
        name, [member](const Owner& o) { return static_cast<std::int64_t>((o.*member).count()); },
        [member](Owner& o, std::int64_t count) { o.*member = Duration(count); }, doc);
}

template <class Owner>
void def_seconds(py::class_<Owner>& cls, const char* name, std::chrono::seconds Owner::*member,
                 const char* doc) {
    def_duration(cls, name, member, doc);
}

template <class Owner>
void def_milliseconds(py::class_<Owner>& cls, const char* name, std::chrono::milliseconds Owner::*member,
                      const char* doc) {
    def_duration(cls, name, member, doc);
}

/// "''" or "'***'": secrets never reach a repr (it ends up in logs and tracebacks).
std::string masked(const std::string& secret) {
    return secret.empty() ? "''" : "'***'";
}

std::string py_bool(bool value) {
    return value ? "True" : "False";
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
        .def_readwrite("requests_per_minute", &ServerConfig::requests_per_minute, "per client; 0 disables")
        .def_readwrite("allow_anonymous_upload", &ServerConfig::allow_anonymous_upload,
                       "admit manual uploads without a token (rate-limited, audited)")
        .def_readwrite("anonymous_uploads_per_hour", &ServerConfig::anonymous_uploads_per_hour,
                       "per client address, when allowed");
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
        return "AuthConfig(jwt_secret=" + masked(a.jwt_secret) + ", password_hash_cost='" +
               std::string(to_string(a.password_hash_cost)) + "')";
    });

    py::class_<IngestConfig>(m, "IngestConfig", "PDF upload limits, OCR and chunking.")
        .def(py::init<>())
        .def_readwrite("max_pdf_bytes", &IngestConfig::max_pdf_bytes, "larger PDFs are refused")
        .def_readwrite("ocr", &IngestConfig::ocr, "OCR pages without a usable text layer")
        .def_readwrite("ocr_languages", &IngestConfig::ocr_languages,
                       "Tesseract language packs, '+'-separated (\"eng+hin\")")
        .def_readwrite("tessdata_dir", &IngestConfig::tessdata_dir, "\"\" = Tesseract's default")
        .def_readwrite("ocr_dpi", &IngestConfig::ocr_dpi, "rasterisation for OCR")
        .def_readwrite("chunk_tokens", &IngestConfig::chunk_tokens, "chunk budget in tokens")
        .def_readwrite("chunk_overlap", &IngestConfig::chunk_overlap, "share of a chunk repeated in the next")
        .def("__repr__", [](const IngestConfig& i) {
            return "IngestConfig(ocr=" + py_bool(i.ocr) + ", ocr_languages='" + i.ocr_languages +
                   "', max_pdf_bytes=" + std::to_string(i.max_pdf_bytes) + ")";
        });

    py::class_<EmbeddingsConfig>(m, "EmbeddingsConfig",
                                 "Where embeddings come from: \"\" base_url = the built-in offline embedder.")
        .def(py::init<>())
        .def_readwrite("base_url", &EmbeddingsConfig::base_url, "OpenAI-compatible endpoint, e.g. .../v1")
        .def_readwrite("api_key", &EmbeddingsConfig::api_key, "sent as a Bearer token; never shown in reprs")
        .def_readwrite("model", &EmbeddingsConfig::model)
        .def_readwrite("dimension", &EmbeddingsConfig::dimension,
                       "0 = 384 for the built-in embedder, learned for a remote one")
        .def("__repr__", [](const EmbeddingsConfig& e) {
            return "EmbeddingsConfig(base_url='" + e.base_url + "', model='" + e.model +
                   "', api_key=" + masked(e.api_key) + ")";
        });

    py::class_<LlmConfig>(
        m, "LlmConfig",
        "The chat model for modules and answers; neither base_url nor api_key = offline rules.")
        .def(py::init<>())
        .def_readwrite("base_url", &LlmConfig::base_url,
                       "OpenAI-compatible .../v1 (Groq's when only api_key is set; Ollama, llama.cpp...)")
        .def_readwrite("api_key", &LlmConfig::api_key,
                       "Bearer token; local servers need none; never shown in reprs")
        .def_readwrite("model", &LlmConfig::model)
        .def_readwrite("temperature", &LlmConfig::temperature)
        .def_readwrite("max_tokens", &LlmConfig::max_tokens)
        .def("configured", &LlmConfig::configured, "True when an LLM will be used.")
        .def("__repr__", [](const LlmConfig& l) {
            return "LlmConfig(base_url='" + l.base_url + "', model='" + l.model +
                   "', api_key=" + masked(l.api_key) + ")";
        });

    py::class_<TranslationConfig> translation(m, "TranslationConfig",
                                              "Machine translation after the translation memory.");
    translation.def(py::init<>())
        .def_readwrite("providers", &TranslationConfig::providers,
                       "comma-separated chain: google, llm, bhashini; \"memory\" = memory only")
        .def_readwrite("google_api_key", &TranslationConfig::google_api_key, "never shown in reprs")
        .def_readwrite("google_base_url", &TranslationConfig::google_base_url)
        .def_readwrite("bhashini_user_id", &TranslationConfig::bhashini_user_id)
        .def_readwrite("bhashini_api_key", &TranslationConfig::bhashini_api_key, "never shown in reprs")
        .def_readwrite("bhashini_pipeline_url", &TranslationConfig::bhashini_pipeline_url);
    def_seconds(translation, "memory_ttl", &TranslationConfig::memory_ttl,
                "seconds a stored translation is reused");
    translation.def("__repr__", [](const TranslationConfig& t) {
        return "TranslationConfig(providers='" + t.providers +
               "', google_api_key=" + masked(t.google_api_key) +
               ", bhashini_api_key=" + masked(t.bhashini_api_key) + ")";
    });

    py::class_<VideoConfig> videos(m, "VideoConfig",
                                   "YouTube Data API v3 when a key is set, else the local catalogue.");
    videos.def(py::init<>())
        .def_readwrite("youtube_api_key", &VideoConfig::youtube_api_key, "never shown in reprs")
        .def_readwrite("youtube_base_url", &VideoConfig::youtube_base_url)
        .def_readwrite("daily_quota_units", &VideoConfig::daily_quota_units, "per Pacific day");
    def_seconds(videos, "cache_ttl", &VideoConfig::cache_ttl, "seconds a module's suggestions are reused");
    videos.def("__repr__", [](const VideoConfig& v) {
        return "VideoConfig(youtube_api_key=" + masked(v.youtube_api_key) +
               ", daily_quota_units=" + std::to_string(v.daily_quota_units) + ")";
    });

    py::class_<RetrievalConfig>(m, "RetrievalConfig", "Vector index (hnswlib) and rank fusion settings.")
        .def(py::init<>())
        .def_readwrite("hnsw_m", &RetrievalConfig::hnsw_m)
        .def_readwrite("hnsw_ef_construction", &RetrievalConfig::hnsw_ef_construction)
        .def_readwrite("hnsw_ef_search", &RetrievalConfig::hnsw_ef_search)
        .def_readwrite("rrf_k", &RetrievalConfig::rrf_k, "reciprocal rank fusion constant")
        .def("__repr__", [](const RetrievalConfig& r) {
            return "RetrievalConfig(hnsw_m=" + std::to_string(r.hnsw_m) +
                   ", hnsw_ef_search=" + std::to_string(r.hnsw_ef_search) + ")";
        });

    py::class_<NetConfig> net(m, "NetConfig", "Outbound HTTP(S) for every network provider.");
    net.def(py::init<>())
        .def_readwrite("https_proxy", &NetConfig::https_proxy,
                       "http://[user:pass@]host:port; never shown in reprs (it may hold a password)")
        .def_readwrite("no_proxy", &NetConfig::no_proxy, "comma-separated hosts/suffixes that bypass it")
        .def_readwrite("ca_file", &NetConfig::ca_file, "PEM bundle to trust instead of the system store")
        .def_readwrite("max_attempts", &NetConfig::max_attempts, "first try + retries");
    def_milliseconds(net, "connect_timeout_ms", &NetConfig::connect_timeout, "milliseconds");
    def_milliseconds(net, "read_timeout_ms", &NetConfig::read_timeout, "milliseconds");
    def_milliseconds(net, "backoff_base_ms", &NetConfig::backoff_base, "milliseconds, doubled per retry");
    def_milliseconds(net, "backoff_max_ms", &NetConfig::backoff_max, "milliseconds, cap for one wait");
    net.def("__repr__", [](const NetConfig& n) {
        return "NetConfig(https_proxy=" + masked(n.https_proxy) +
               ", connect_timeout_ms=" + std::to_string(n.connect_timeout.count()) +
               ", read_timeout_ms=" + std::to_string(n.read_timeout.count()) +
               ", max_attempts=" + std::to_string(n.max_attempts) + ")";
    });

    py::class_<ExportConfig>(m, "ExportConfig", "Where exported PDFs live and for how long.")
        .def(py::init<>())
        .def_property(
            "ttl_seconds", [](const ExportConfig& e) { return e.ttl.count(); },
            [](ExportConfig& e, std::int64_t seconds) { e.ttl = std::chrono::seconds(seconds); },
            "exported files are deleted after this many seconds")
        .def_readwrite("public_url", &ExportConfig::public_url, "base of the links printed in the PDFs")
        .def_readwrite("font_dir", &ExportConfig::font_dir, "the Noto fonts (Debian fonts-noto-core)")
        .def("__repr__", [](const ExportConfig& e) {
            return "ExportConfig(ttl_seconds=" + std::to_string(e.ttl.count()) + ", public_url='" +
                   e.public_url + "')";
        });

    py::class_<DeliveryConfig> delivery(m, "DeliveryConfig", "WhatsApp gateway, rate and retries.");
    delivery.def(py::init<>())
        .def_readwrite("gateway", &DeliveryConfig::gateway, "deeplink (default), meta or twilio")
        .def_readwrite("rate_per_second", &DeliveryConfig::rate_per_second,
                       "0 = the gateway's usual limit, negative = no limit")
        .def_readwrite("max_attempts", &DeliveryConfig::max_attempts)
        .def_readwrite("extra_country_codes", &DeliveryConfig::extra_country_codes,
                       "besides +91, e.g. \"1,44\"")
        .def_readwrite("meta_base_url", &DeliveryConfig::meta_base_url)
        .def_readwrite("meta_access_token", &DeliveryConfig::meta_access_token, "never shown in reprs")
        .def_readwrite("meta_phone_number_id", &DeliveryConfig::meta_phone_number_id)
        .def_readwrite("meta_app_secret", &DeliveryConfig::meta_app_secret, "never shown in reprs")
        .def_readwrite("meta_verify_token", &DeliveryConfig::meta_verify_token)
        .def_readwrite("meta_template", &DeliveryConfig::meta_template)
        .def_readwrite("twilio_base_url", &DeliveryConfig::twilio_base_url)
        .def_readwrite("twilio_account_sid", &DeliveryConfig::twilio_account_sid)
        .def_readwrite("twilio_auth_token", &DeliveryConfig::twilio_auth_token, "never shown in reprs")
        .def_readwrite("twilio_from", &DeliveryConfig::twilio_from, "whatsapp:+14155238886");
    def_milliseconds(delivery, "backoff_base_ms", &DeliveryConfig::backoff_base, "first retry wait, doubled");
    def_milliseconds(delivery, "backoff_max_ms", &DeliveryConfig::backoff_max, "cap for one wait");
    delivery.def("__repr__", [](const DeliveryConfig& d) {
        return "DeliveryConfig(gateway='" + d.gateway + "', max_attempts=" + std::to_string(d.max_attempts) +
               ")";
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
        .def_readwrite("ingest", &Config::ingest)
        .def_readwrite("embeddings", &Config::embeddings)
        .def_readwrite("retrieval", &Config::retrieval)
        .def_readwrite("llm", &Config::llm)
        .def_readwrite("translation", &Config::translation)
        .def_readwrite("videos", &Config::videos)
        .def_readwrite("net", &Config::net)
        .def_readwrite("exports", &Config::exports)
        .def_readwrite("delivery", &Config::delivery)
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

py::object py_error(const Error& error) {
    py::handle cls(error_classes.at(static_cast<std::size_t>(error.code)));
    py::object exc = cls(error.message);
    exc.attr("code") = std::string(to_string(error.code));
    exc.attr("field") = error.field;
    return exc;
}

void raise_error(const Error& error) {
    py::object exc = py_error(error);
    PyErr_SetObject(error_classes.at(static_cast<std::size_t>(error.code)), exc.ptr());
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

namespace {
unsigned long main_thread_id = 0; // set at import, which runs on the main thread
} // namespace

bool on_main_thread() {
    return PyThread_get_thread_ident() == main_thread_id;
}

void bind_core(py::module_& m) {
    main_thread_id =
        py::module_::import("threading").attr("main_thread")().attr("ident").cast<unsigned long>();
    bind_errors(m);
    bind_config(m);
}

} // namespace shiksha::python
