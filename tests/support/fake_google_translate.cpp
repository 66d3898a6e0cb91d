#include "fake_google_translate.hpp"

#include "fake_util.hpp"
#include "shiksha/json.hpp"

#include <algorithm>
#include <deque>
#include <mutex>
#include <optional>
#include <utility>

namespace shiksha::test {

namespace {

constexpr std::string_view translate_path = "/language/translate/v2";
constexpr std::size_t max_segments = 128;
constexpr std::size_t max_code_points = 5000;

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool form_decode(std::string_view text, std::string& out) {
    out.clear();
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '+') {
            out += ' ';
        } else if (text[i] == '%') {
            if (i + 2 >= text.size()) return false;
            const int high = hex_value(text[i + 1]);
            const int low = hex_value(text[i + 2]);
            if (high < 0 || low < 0) return false;
            out += static_cast<char>(high * 16 + low);
            i += 2;
        } else {
            out += text[i];
        }
    }
    return true;
}

std::string escape_html(std::string_view text) {
    std::string out;
    for (const char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c;
        }
    }
    return out;
}

FakeResponse google_error(int code, std::string_view message, std::string_view reason,
                          std::string_view status, std::string_view domain = "global") {
    return FakeResponse::json(code, google_error_body(code, message, reason, status, domain));
}

FakeResponse failure_response(FakeGoogleFailure failure) {
    switch (failure) {
    case FakeGoogleFailure::daily_limit:
        return google_error(403, "Daily Limit Exceeded", "dailyLimitExceeded", "PERMISSION_DENIED",
                            "usageLimits");
    case FakeGoogleFailure::user_rate_limit:
        return google_error(403, "User Rate Limit Exceeded", "userRateLimitExceeded", "PERMISSION_DENIED",
                            "usageLimits");
    case FakeGoogleFailure::too_many_requests:
        return google_error(429,
                            "Quota exceeded for quota metric 'v2 and v3 general model characters' and limit "
                            "'v2 and v3 general model characters per minute per user'",
                            "rateLimitExceeded", "RESOURCE_EXHAUSTED", "usageLimits");
    case FakeGoogleFailure::forbidden:
        return google_error(
            403, "Cloud Translation API has not been used in project 123 before or it is disabled.",
            "forbidden", "PERMISSION_DENIED");
    case FakeGoogleFailure::server_error:
        return google_error(500, "Internal error encountered.", "backendError", "INTERNAL");
    }
    return google_error(500, "FakeGoogleTranslate: unknown failure", "backendError", "INTERNAL");
}

} // namespace

std::string google_error_body(int code, std::string_view message, std::string_view reason,
                              std::string_view status, std::string_view domain) {
    return Json::object({{"error", Json::object({{"code", code},
                                                 {"message", message},
                                                 {"errors", Json::Array{Json::object({{"message", message},
                                                                                      {"domain", domain},
                                                                                      {"reason", reason}})}},
                                                 {"status", status}})}})
        .dump();
}

std::multimap<std::string, std::string> parse_form(std::string_view body, bool& ok) {
    ok = true;
    std::multimap<std::string, std::string> fields;
    while (!body.empty()) {
        const auto amp = body.find('&');
        const std::string_view pair = body.substr(0, amp);
        body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
        if (pair.empty()) continue;
        const auto eq = pair.find('=');
        std::string name;
        std::string value;
        if (!form_decode(pair.substr(0, eq), name) ||
            (eq != std::string_view::npos && !form_decode(pair.substr(eq + 1), value))) {
            ok = false;
            return {};
        }
        fields.emplace(std::move(name), std::move(value));
    }
    return fields;
}

std::string FakeGoogleRequest::field(const std::string& name) const {
    const auto it = fields.find(name);
    return it == fields.end() ? std::string() : it->second;
}

std::string FakeGoogleTranslate::untranslated(std::string_view target, std::string_view text) {
    return "[untranslated:" + std::string(target) + "] " + std::string(text);
}

struct FakeGoogleTranslate::Impl {
    FakeGoogleOptions options;
    mutable std::mutex mu;
    std::map<std::pair<std::string, std::string>, std::map<std::string, std::string>> dictionaries;
    std::deque<FakeGoogleFailure> failures;
    std::vector<FakeGoogleRequest> requests;

    // Last: destroyed first, so its handler threads are gone before the state above.
    std::unique_ptr<FakeHttpServer> server;

    FakeResponse handle(const FakeRequest& request) {
        std::size_t index = 0;
        {
            const std::lock_guard lock(mu);
            index = requests.size();
            requests.push_back(FakeGoogleRequest{request, {}, {}, 0, {}});
        }
        std::string rejection;
        FakeResponse response = answer(request, index, rejection);
        const std::lock_guard lock(mu);
        requests[index].status = response.status;
        requests[index].rejection = std::move(rejection);
        return response;
    }

    bool known_language(const std::string& code) const {
        return std::ranges::find(options.languages, code) != options.languages.end();
    }

    FakeResponse answer(const FakeRequest& request, std::size_t index, std::string& rejection) {
        if (request.method != "POST" || request.path != translate_path) {
            rejection = "not POST " + std::string(translate_path);
            // Google answers an unknown URL with its HTML 404 page.
            return FakeResponse{404,
                                {{"Content-Type", "text/html; charset=UTF-8"}},
                                "<!DOCTYPE html><title>Error 404 (Not Found)!!1</title>"};
        }
        const std::string content_type = request.header("content-type");
        if (!content_type.starts_with("application/x-www-form-urlencoded")) {
            rejection = "Content-Type is '" + content_type + "'";
            return google_error(400, "Invalid JSON payload received.", "badRequest", "INVALID_ARGUMENT");
        }
        bool ok = false;
        auto fields = parse_form(request.body, ok);
        if (!ok) {
            rejection = "malformed form body";
            return google_error(400, "Invalid form body: malformed %-escape.", "badRequest",
                                "INVALID_ARGUMENT");
        }
        for (const auto& [name, value] : request.query)
            fields.emplace(name, value);
        std::vector<std::string> q;
        for (auto [it, end] = fields.equal_range("q"); it != end; ++it)
            q.push_back(it->second);
        {
            const std::lock_guard lock(mu);
            requests[index].fields = fields;
            requests[index].q = q;
        }

        const auto single = [&](const std::string& name) -> std::optional<std::string> {
            if (fields.count(name) != 1) return std::nullopt;
            return fields.find(name)->second;
        };
        const auto key = single("key");
        if (!fields.contains("key") || (key && key->empty())) {
            rejection = "no key";
            return google_error(403, "The request is missing a valid API key.", "forbidden",
                                "PERMISSION_DENIED");
        }
        if (!key || *key != options.api_key) {
            rejection = "wrong key";
            // Google's newer envelope adds an ErrorInfo detail with API_KEY_INVALID.
            Json body = *Json::parse(google_error_body(400, "API key not valid. Please pass a valid API key.",
                                                       "keyInvalid", "INVALID_ARGUMENT"));
            body["error"]["details"] =
                Json::Array{Json::object({{"@type", "type.googleapis.com/google.rpc.ErrorInfo"},
                                          {"reason", "API_KEY_INVALID"},
                                          {"domain", "googleapis.com"}})};
            return FakeResponse::json(400, body.dump());
        }
        {
            const std::lock_guard lock(mu);
            if (!failures.empty()) {
                const FakeGoogleFailure failure = failures.front();
                failures.pop_front();
                rejection = "scripted failure";
                return failure_response(failure);
            }
        }
        if (q.empty()) {
            rejection = "no q";
            return google_error(400, "Required Text", "required", "INVALID_ARGUMENT");
        }
        const auto target = single("target");
        const auto source = single("source");
        const auto format = single("format");
        if (!target || !known_language(*target)) {
            rejection = "target missing, repeated or unknown";
            return google_error(400, "Invalid Value", "invalid", "INVALID_ARGUMENT");
        }
        if (!source || !known_language(*source)) {
            rejection = "source missing, repeated or unknown";
            return google_error(400, "Invalid Value", "invalid", "INVALID_ARGUMENT");
        }
        if (!format || *format != "text") {
            rejection = "format is not text";
            return google_error(400, "Invalid Value", "invalid", "INVALID_ARGUMENT");
        }
        if (q.size() > max_segments) {
            rejection = "too many q";
            return google_error(400, "Too many text segments", "invalid", "INVALID_ARGUMENT");
        }
        std::size_t total = 0;
        for (const auto& text : q)
            total += code_points(text);
        if (total > max_code_points) {
            rejection = "text too long";
            return google_error(400, "Text too long", "invalid", "INVALID_ARGUMENT");
        }

        Json translations = Json::array();
        {
            const std::lock_guard lock(mu);
            const auto dictionary = dictionaries.find({*source, *target});
            for (const auto& text : q) {
                std::string translated = untranslated(*target, text);
                if (dictionary != dictionaries.end()) {
                    if (const auto hit = dictionary->second.find(text); hit != dictionary->second.end())
                        translated = hit->second;
                }
                if (options.escape_html) translated = escape_html(translated);
                translations.push_back(Json::object({{"translatedText", translated}}));
            }
        }
        return FakeResponse::json(
            200, Json::object({{"data", Json::object({{"translations", std::move(translations)}})}}).dump());
    }
};

FakeGoogleTranslate::FakeGoogleTranslate(FakeGoogleOptions options) : impl_(std::make_unique<Impl>()) {
    impl_->options = std::move(options);
    impl_->server = std::make_unique<FakeHttpServer>(
        [impl = impl_.get()](const FakeRequest& request) { return impl->handle(request); });
}

FakeGoogleTranslate::~FakeGoogleTranslate() {
    impl_->server.reset();
}

std::string FakeGoogleTranslate::base_url() const {
    std::string url = impl_->server->url("/");
    url.pop_back();
    return url;
}

void FakeGoogleTranslate::add_translations(const std::string& source, const std::string& target,
                                           const std::map<std::string, std::string>& dictionary) {
    const std::lock_guard lock(impl_->mu);
    auto& known = impl_->dictionaries[{source, target}];
    for (const auto& [text, translation] : dictionary)
        known.insert_or_assign(text, translation);
}

void FakeGoogleTranslate::push_failure(FakeGoogleFailure failure, int times) {
    const std::lock_guard lock(impl_->mu);
    for (int i = 0; i < times; ++i)
        impl_->failures.push_back(failure);
}

std::vector<FakeGoogleRequest> FakeGoogleTranslate::requests() const {
    const std::lock_guard lock(impl_->mu);
    return impl_->requests;
}

std::size_t FakeGoogleTranslate::request_count() const {
    const std::lock_guard lock(impl_->mu);
    return impl_->requests.size();
}

} // namespace shiksha::test
