#include "fake_twilio.hpp"

#include "fake_google_translate.hpp" // parse_form
#include "fake_util.hpp"
#include "shiksha/json.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <deque>
#include <mutex>
#include <thread>

namespace shiksha::test {

namespace {

constexpr std::size_t max_body_code_points = 1600;

/// Twilio's date format, RFC 2822 in UTC: "Sat, 21 Nov 2026 10:00:00 +0000".
std::string rfc2822(std::chrono::system_clock::time_point at) {
    const std::time_t t = std::chrono::system_clock::to_time_t(at);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buffer[64];
    const std::size_t n = std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    return std::string(buffer, n);
}

std::string iso_date(std::chrono::system_clock::time_point at) {
    const std::time_t t = std::chrono::system_clock::to_time_t(at);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buffer[16];
    const std::size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%d", &tm);
    return std::string(buffer, n);
}

FakeResponse twilio_error(int code, std::string_view message, int status) {
    return FakeResponse::json(status, twilio_error_body(code, message, status));
}

bool valid_whatsapp_number(std::string_view address) {
    if (!address.starts_with("whatsapp:+")) return false;
    const std::string_view digits = address.substr(10);
    return digits.size() >= 8 && digits.size() <= 15 && digits.front() != '0' &&
           std::ranges::all_of(digits, [](char c) { return c >= '0' && c <= '9'; });
}

bool http_url(std::string_view url) {
    return (url.starts_with("http://") || url.starts_with("https://")) &&
           url.find(' ') == std::string_view::npos && url.size() > 8;
}

std::string whatsapp_address(std::string_view to) {
    if (to.starts_with("whatsapp:")) return std::string(to);
    return "whatsapp:" + std::string(to);
}

struct Failure {
    FakeTwilioFailure kind;
    std::optional<std::chrono::seconds> retry_after;
};

} // namespace

std::string twilio_error_body(int code, std::string_view message, int status) {
    return Json::object({{"code", code},
                         {"message", message},
                         {"more_info", "https://www.twilio.com/docs/errors/" + std::to_string(code)},
                         {"status", status}})
        .dump();
}

std::vector<std::pair<std::string, std::string>>
twilio_status_callback(std::string_view message_sid, std::string_view status, std::string_view to,
                       std::string_view account_sid, std::string_view error_code) {
    std::vector<std::pair<std::string, std::string>> params = {
        {"SmsSid", std::string(message_sid)},
        {"SmsStatus", std::string(status)},
        {"MessageStatus", std::string(status)},
        {"ChannelToAddress", std::string(to.starts_with("whatsapp:") ? to.substr(9) : to)},
        {"To", whatsapp_address(to)},
        {"ChannelPrefix", "whatsapp"},
        {"MessageSid", std::string(message_sid)},
        {"AccountSid", std::string(account_sid)},
        {"From", "whatsapp:+14155238886"},
        {"ApiVersion", "2010-04-01"},
        {"ChannelInstallSid", "XE" + std::string(32, '0')},
    };
    if (!error_code.empty()) {
        params.emplace_back("ErrorCode", std::string(error_code));
        params.emplace_back("ErrorMessage", "Message Delivery - Unknown error");
    }
    return params;
}

std::string twilio_signature(std::string_view auth_token, std::string_view url,
                             const std::vector<std::pair<std::string, std::string>>& params) {
    auto sorted = params;
    std::ranges::sort(sorted);
    std::string data(url);
    for (const auto& [name, value] : sorted)
        data += name + value;
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha1(), auth_token.data(), static_cast<int>(auth_token.size()),
         reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &length);
    return base64(std::string_view(reinterpret_cast<const char*>(out), length));
}

std::string FakeTwilioRequest::field(std::string_view name) const {
    for (const auto& [key, value] : fields) {
        if (key == name) return value;
    }
    return {};
}

struct FakeTwilio::Impl {
    FakeTwilioOptions options;
    mutable std::mutex mu;
    std::deque<Failure> failures;
    std::chrono::milliseconds latency{0};
    std::vector<FakeTwilioRequest> requests;
    std::vector<FakeTwilioMessage> messages;

    // Last: destroyed first, so its handler threads are gone before the state above.
    std::unique_ptr<FakeHttpServer> server;

    FakeResponse handle(const FakeRequest& request) {
        std::chrono::milliseconds wait{0};
        std::size_t index = 0;
        {
            const std::lock_guard lock(mu);
            wait = latency;
            index = requests.size();
            requests.push_back(FakeTwilioRequest{request, {}, 0, {}, {}});
        }
        if (wait.count() > 0) std::this_thread::sleep_for(wait);
        FakeTwilioRequest record{request, {}, 0, {}, {}};
        FakeResponse response = answer(request, record);
        record.status = response.status;
        const std::lock_guard lock(mu);
        requests[index] = std::move(record);
        return response;
    }

    [[nodiscard]] std::string messages_path() const {
        return "/2010-04-01/Accounts/" + options.account_sid + "/Messages.json";
    }

    Json resource(const FakeTwilioMessage& message, std::string_view status) const {
        const std::string uri = "/2010-04-01/Accounts/" + options.account_sid + "/Messages/" + message.sid;
        return Json::object({{"account_sid", options.account_sid},
                             {"api_version", "2010-04-01"},
                             {"body", message.body},
                             {"date_created", rfc2822(message.created)},
                             {"date_sent", status == "queued" ? Json() : Json(rfc2822(message.created))},
                             {"date_updated", rfc2822(message.created)},
                             {"direction", "outbound-api"},
                             {"error_code", nullptr},
                             {"error_message", nullptr},
                             {"from", message.from},
                             {"messaging_service_sid", nullptr},
                             {"num_media", message.media_url.empty() ? "0" : "1"},
                             {"num_segments", "1"},
                             {"price", nullptr},
                             {"price_unit", nullptr},
                             {"sid", message.sid},
                             {"status", status},
                             {"subresource_uris", Json::object({{"media", uri + "/Media.json"}})},
                             {"to", message.to},
                             {"uri", uri + ".json"}});
    }

    FakeResponse answer(const FakeRequest& request, FakeTwilioRequest& record) {
        const std::string expected_auth = "Basic " + base64(options.account_sid + ":" + options.auth_token);
        const std::string authorization = request.header("authorization");
        if (authorization.empty() || authorization != expected_auth) {
            record.rejection = authorization.empty() ? "no credentials" : "wrong credentials";
            FakeResponse response = twilio_error(20003, "Authenticate", 401);
            response.headers.emplace_back("WWW-Authenticate", "Basic realm=\"Twilio API\"");
            return response;
        }
        if (request.path != messages_path() || (request.method != "POST" && request.method != "GET")) {
            record.rejection = "unknown resource " + request.method + " " + request.path;
            return twilio_error(20404, "The requested resource " + request.path + " was not found", 404);
        }
        {
            const std::lock_guard lock(mu);
            if (!failures.empty()) {
                const Failure failure = failures.front();
                failures.pop_front();
                record.rejection = "scripted failure";
                FakeResponse response = failure.kind == FakeTwilioFailure::throttle
                                            ? twilio_error(20429, "Too Many Requests", 429)
                                            : twilio_error(20500, "Internal Server Error", 500);
                if (failure.retry_after)
                    response.headers.emplace_back("Retry-After",
                                                  std::to_string(failure.retry_after->count()));
                return response;
            }
        }
        return request.method == "GET" ? list(request) : create(request, record);
    }

    FakeResponse list(const FakeRequest& request) const {
        const auto query = [&](const std::string& name) -> std::string {
            const auto it = request.query.find(name);
            return it == request.query.end() ? std::string() : it->second;
        };
        const std::string to = query("To");
        const std::string since = query("DateSent>");
        std::size_t page_size = 50;
        if (const std::string size = query("PageSize"); !size.empty()) {
            const auto [end, ec] = std::from_chars(size.data(), size.data() + size.size(), page_size);
            if (ec != std::errc() || end != size.data() + size.size() || page_size == 0)
                return twilio_error(20001, "Invalid PageSize", 400);
        }
        Json list = Json::array();
        const std::lock_guard lock(mu);
        for (auto it = messages.rbegin(); it != messages.rend() && list.as_array().size() < page_size; ++it) {
            if (!to.empty() && it->to != to) continue;
            if (!since.empty() && iso_date(it->created) < since) continue;
            list.push_back(resource(*it, "sent"));
        }
        return FakeResponse::json(
            200, Json::object({{"end", static_cast<std::int64_t>(list.as_array().size()) - 1},
                               {"first_page_uri", request.target},
                               {"messages", std::move(list)},
                               {"next_page_uri", nullptr},
                               {"page", 0},
                               {"page_size", static_cast<std::int64_t>(page_size)},
                               {"previous_page_uri", nullptr},
                               {"start", 0},
                               {"uri", request.target}})
                     .dump());
    }

    FakeResponse create(const FakeRequest& request, FakeTwilioRequest& record) {
        // Twilio reads only form bodies; anything else looks like a request without parameters.
        if (request.header("content-type").starts_with("application/x-www-form-urlencoded")) {
            bool ok = false;
            const auto fields = parse_form(request.body, ok);
            if (!ok) {
                record.rejection = "malformed form body";
                return twilio_error(20001, "Malformed form body", 400);
            }
            // parse_form's multimap loses the order between names; Twilio does not care.
            record.fields.assign(fields.begin(), fields.end());
        }
        const std::string to = record.field("To");
        const std::string from = record.field("From");
        const std::string body = record.field("Body");
        const std::string media_url = record.field("MediaUrl");
        const std::string callback = record.field("StatusCallback");
        if (to.empty()) {
            record.rejection = "no To";
            return twilio_error(21604, "A 'To' phone number is required.", 400);
        }
        if (!valid_whatsapp_number(to)) {
            record.rejection = "bad To";
            return twilio_error(21211, "Invalid 'To' Phone Number: " + to, 400);
        }
        if (std::ranges::find(options.invalid_numbers, to.substr(9)) != options.invalid_numbers.end()) {
            record.rejection = "not a mobile number";
            return twilio_error(21614, "'To' number " + to.substr(9) + " is not a valid mobile number", 400);
        }
        if (from.empty()) {
            record.rejection = "no From";
            return twilio_error(21603, "A 'From' phone number is required.", 400);
        }
        if (from != options.from) {
            record.rejection = "unknown From";
            return twilio_error(63007, "Twilio could not find a Channel with the specified From address",
                                400);
        }
        if (body.empty() && media_url.empty()) {
            record.rejection = "no Body or MediaUrl";
            return twilio_error(21619, "A text message body or media urls must be specified.", 400);
        }
        if (code_points(body) > max_body_code_points) {
            record.rejection = "Body too long";
            return twilio_error(21617, "The concatenated message body exceeds the 1600 character limit.",
                                400);
        }
        if (!media_url.empty() && !http_url(media_url)) {
            record.rejection = "bad MediaUrl";
            return twilio_error(21620, "Invalid media URL(s)", 400);
        }
        if (!callback.empty() && !http_url(callback)) {
            record.rejection = "bad StatusCallback";
            return twilio_error(21609, "Invalid StatusCallback url", 400);
        }
        FakeTwilioMessage message{"SM" + hex(random_bytes(16)),    to, from, body, media_url, callback,
                                  std::chrono::system_clock::now()};
        record.sid = message.sid;
        const std::lock_guard lock(mu);
        messages.push_back(message);
        return FakeResponse::json(201, resource(message, "queued").dump());
    }
};

FakeTwilio::FakeTwilio(FakeTwilioOptions options) : impl_(std::make_unique<Impl>()) {
    impl_->options = std::move(options);
    impl_->server = std::make_unique<FakeHttpServer>(
        [impl = impl_.get()](const FakeRequest& request) { return impl->handle(request); });
}

FakeTwilio::~FakeTwilio() {
    impl_->server.reset();
}

std::string FakeTwilio::base_url() const {
    std::string url = impl_->server->url("/");
    url.pop_back();
    return url;
}

const FakeTwilioOptions& FakeTwilio::options() const noexcept {
    return impl_->options;
}

void FakeTwilio::push_failure(FakeTwilioFailure failure, int times,
                              std::optional<std::chrono::seconds> retry_after) {
    const std::lock_guard lock(impl_->mu);
    for (int i = 0; i < times; ++i)
        impl_->failures.push_back({failure, retry_after});
}

void FakeTwilio::set_latency(std::chrono::milliseconds latency) {
    const std::lock_guard lock(impl_->mu);
    impl_->latency = latency;
}

std::vector<FakeTwilioRequest> FakeTwilio::requests() const {
    const std::lock_guard lock(impl_->mu);
    return impl_->requests;
}

std::size_t FakeTwilio::request_count() const {
    const std::lock_guard lock(impl_->mu);
    return impl_->requests.size();
}

std::vector<std::string> FakeTwilio::accepted(std::string_view to) const {
    std::string address = to.starts_with("whatsapp:") ? std::string(to) : "whatsapp:" + std::string(to);
    if (!address.starts_with("whatsapp:+")) address.insert(9, "+");
    const std::lock_guard lock(impl_->mu);
    std::vector<std::string> sids;
    for (const auto& message : impl_->messages) {
        if (message.to == address) sids.push_back(message.sid);
    }
    return sids;
}

std::size_t FakeTwilio::accepted_count() const {
    const std::lock_guard lock(impl_->mu);
    return impl_->messages.size();
}

std::vector<FakeTwilioMessage> FakeTwilio::messages() const {
    const std::lock_guard lock(impl_->mu);
    return impl_->messages;
}

} // namespace shiksha::test
