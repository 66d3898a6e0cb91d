#pragma once
// A fake Meta WhatsApp Cloud API (Graph API) for tests of the Meta gateway and the outbox.
//
//     shiksha::test::FakeMetaWhatsApp fake;              // token "meta-test-token"
//     DeliveryConfig d{.gateway = "meta", .meta_base_url = fake.base_url(),
//                      .meta_access_token = "meta-test-token",
//                      .meta_phone_number_id = fake.phone_number_id()};
//     ... gateway->send({.to = "+919876543210", .text = "Namaste"}) ...
//     CHECK(fake.accepted("+919876543210").size() == 1);
//
// Requests are checked the way Graph checks them and refused with Graph's error envelope
// ({"error": {"message", "type", "code", "error_subcode"?, "error_data"?, "fbtrace_id"}}):
//  - POST /{phone_number_id}/messages or /{phone_number_id}/media (other paths: 400 code 100
//    "Unsupported post request", an unknown phone number id: the same);
//  - `Authorization: Bearer <token>`: missing → 400 code 2500 "An active access token must be
//    used…", wrong → 401 code 190 "Invalid OAuth access token - Cannot parse access token";
//  - then a scripted failure, if one is queued (push_failure);
//  - messages: Content-Type application/json, JSON object, messaging_product "whatsapp",
//    recipient_type "individual" when given, `to` 8–15 digits (an optional '+' is tolerated, as
//    Meta does), in the allow list when one is set (131030 "Recipient phone number not in
//    allowed list"), type text (body 1–4,096 code points), document (id of a media uploaded
//    here, caption ≤ 1,024) or template (a known name, a language code, body parameters);
//  - media: multipart/form-data with messaging_product=whatsapp, type and a `file` part with a
//    filename whose bytes start with %PDF and are at most 100 MB.
// Accepted messages are answered {"messaging_product","contacts":[{"input","wa_id"}],
// "messages":[{"id":"wamid.…"}]}; uploads {"id":"<digits>"}.
//
// Lifetime: the destructor stops the server. Thread-safe.

#include "fake_http_server.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shiksha::test {

enum class FakeMetaFailure {
    throttle,        ///< 429, code 130429 "(#130429) Rate limit hit" (throughput)
    pair_rate_limit, ///< 400, code 131056 "(#131056) (Business Account, Consumer Account) pair rate limit
                     ///< hit"
    server_error,    ///< 500, code 131000 "Something went wrong"
};

struct FakeMetaOptions {
    std::string access_token = "meta-test-token";
    std::string phone_number_id = "106540352242922";
    std::string app_secret = "meta-test-app-secret";
    std::vector<std::string> templates = {"module_ready"}; ///< approved template names
    /// Recipients (digits) a test business number may message; empty = anyone.
    std::vector<std::string> allowed_recipients;
};

/// One request as the fake received and read it.
struct FakeMetaRequest {
    FakeRequest http;
    std::string endpoint;  ///< "messages", "media" or "" (something else)
    std::string to;        ///< messages: as sent
    std::string type;      ///< messages: text/document/template; media: the `type` field
    std::string text;      ///< text body, or the template's first body parameter
    std::string reference; ///< biz_opaque_callback_data
    std::string media_id;  ///< document: the id sent; media: the id given out
    std::string filename;  ///< document / media file name
    std::string caption;   ///< document caption
    std::string template_name;
    std::string template_language;
    std::size_t file_bytes = 0; ///< media: size of the file part
    int status = 0;             ///< what the fake answered
    std::string rejection;      ///< why it refused; empty when it accepted
    std::string message_id;     ///< the wamid given out
};

class FakeMetaWhatsApp {
public:
    explicit FakeMetaWhatsApp(FakeMetaOptions options = {});
    ~FakeMetaWhatsApp();
    FakeMetaWhatsApp(const FakeMetaWhatsApp&) = delete;
    FakeMetaWhatsApp& operator=(const FakeMetaWhatsApp&) = delete;

    /// What DeliveryConfig::meta_base_url should be: "http://127.0.0.1:PORT/v19.0".
    [[nodiscard]] std::string base_url() const;
    [[nodiscard]] const FakeMetaOptions& options() const noexcept;

    /// The next `times` authenticated requests get `failure`, with `Retry-After: <seconds>`
    /// when `retry_after` is set.
    /// `endpoint` ("messages" or "media") limits the failure to those requests.
    void push_failure(FakeMetaFailure failure, int times = 1,
                      std::optional<std::chrono::seconds> retry_after = std::nullopt,
                      std::string_view endpoint = {});
    /// Every answer waits this long first (so a test can stop a process mid-send).
    void set_latency(std::chrono::milliseconds latency);

    [[nodiscard]] std::vector<FakeMetaRequest> requests() const;
    [[nodiscard]] std::size_t request_count() const;
    /// The ids of the messages accepted for `to` ("+91…" or digits), in order.
    [[nodiscard]] std::vector<std::string> accepted(std::string_view to) const;
    /// Messages accepted for anyone.
    [[nodiscard]] std::size_t accepted_count() const;
    /// Media uploaded so far.
    [[nodiscard]] std::size_t media_count() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// One status for a Meta webhook.
struct MetaStatusUpdate {
    std::string message_id;
    std::string status;         ///< sent, delivered, read, failed
    std::string recipient;      ///< digits
    std::int64_t timestamp = 0; ///< unix seconds
    std::string reference;      ///< biz_opaque_callback_data; empty = absent
    int error_code = 0;         ///< failed: e.g. 131026
    std::string error_title;
    std::string error_details;
};

/// A webhook body as Meta posts it (object whatsapp_business_account, entry[].changes[].value
/// with metadata and statuses[], conversation and pricing for sent ones).
[[nodiscard]] std::string meta_status_webhook(const std::vector<MetaStatusUpdate>& statuses,
                                              std::string_view phone_number_id = "106540352242922");
/// The X-Hub-Signature-256 header for `body`: "sha256=<hex HMAC-SHA256(app_secret, body)>".
[[nodiscard]] std::string meta_signature(std::string_view app_secret, std::string_view body);
/// Graph's error envelope.
[[nodiscard]] std::string graph_error_body(std::string_view message, std::string_view type, int code,
                                           int subcode = 0, std::string_view details = {});

} // namespace shiksha::test
