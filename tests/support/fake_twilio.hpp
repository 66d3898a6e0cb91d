#pragma once
// A fake Twilio Programmable Messaging API (WhatsApp) for tests of the Twilio gateway and the
// outbox.
//
//     shiksha::test::FakeTwilio fake;   // account "AC…", token "twilio-test-token"
//     DeliveryConfig d{.gateway = "twilio", .twilio_base_url = fake.base_url(),
//                      .twilio_account_sid = fake.account_sid(), .twilio_auth_token = "twilio-test-token",
//                      .twilio_from = "whatsapp:+14155238886"};
//     ... gateway->send({.to = "+919876543210", .text = "Namaste"}) ...
//     CHECK(fake.accepted("+919876543210").size() == 1);
//
// Requests are checked the way Twilio checks them and refused with its error body
// ({"code", "message", "more_info", "status"}):
//  - /2010-04-01/Accounts/{sid}/Messages.json, POST (create) or GET (list); else 404 code 20404;
//  - Basic auth with the account SID and auth token: missing or wrong → 401 code 20003
//    "Authenticate" (the SID in the path must be the authenticated one);
//  - then a scripted failure, if one is queued (push_failure);
//  - create: a form body (application/x-www-form-urlencoded); To (21604 when missing; 21211
//    unless whatsapp:+<8–15 digits>; 21614 for numbers marked invalid), From (21603 when
//    missing; 63007 unless it is the configured whatsapp: sender), Body or MediaUrl (21619),
//    Body ≤ 1,600 code points (21617), MediaUrl and StatusCallback http(s) URLs (21620, 21609).
// An accepted message is answered 201 with Twilio's message resource (sid "SM" + 32 hex,
// status "queued"). The list answers the accepted messages, newest first, filtered by To,
// DateSent>= (YYYY-MM-DD) and PageSize.
//
// Lifetime: the destructor stops the server. Thread-safe.

#include "fake_http_server.hpp"

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shiksha::test {

enum class FakeTwilioFailure {
    throttle,     ///< 429 code 20429 "Too Many Requests"
    server_error, ///< 500 code 20500 "Internal Server Error"
};

struct FakeTwilioOptions {
    std::string account_sid = "AC0123456789abcdef0123456789abcdef";
    std::string auth_token = "twilio-test-token";
    std::string from = "whatsapp:+14155238886";
    /// E.164 numbers that are well formed but not mobile numbers (21614).
    std::vector<std::string> invalid_numbers;
};

/// One request as the fake received and read it.
struct FakeTwilioRequest {
    FakeRequest http;
    std::vector<std::pair<std::string, std::string>> fields; ///< form body, decoded, in order
    int status = 0;
    std::string rejection; ///< why it refused; empty when it answered 2xx
    std::string sid;       ///< the message created

    /// The first value of a field, or "" when absent.
    [[nodiscard]] std::string field(std::string_view name) const;
};

/// A message the fake accepted.
struct FakeTwilioMessage {
    std::string sid;
    std::string to; ///< "whatsapp:+91…"
    std::string from;
    std::string body;
    std::string media_url;
    std::string status_callback;
    std::chrono::system_clock::time_point created;
};

class FakeTwilio {
public:
    explicit FakeTwilio(FakeTwilioOptions options = {});
    ~FakeTwilio();
    FakeTwilio(const FakeTwilio&) = delete;
    FakeTwilio& operator=(const FakeTwilio&) = delete;

    /// What DeliveryConfig::twilio_base_url should be: "http://127.0.0.1:PORT".
    [[nodiscard]] std::string base_url() const;
    [[nodiscard]] const FakeTwilioOptions& options() const noexcept;

    /// The next `times` authenticated requests get `failure`, with `Retry-After: <seconds>`
    /// when `retry_after` is set.
    void push_failure(FakeTwilioFailure failure, int times = 1,
                      std::optional<std::chrono::seconds> retry_after = std::nullopt);
    /// Every answer waits this long first (so a test can stop a process mid-send).
    void set_latency(std::chrono::milliseconds latency);

    [[nodiscard]] std::vector<FakeTwilioRequest> requests() const;
    [[nodiscard]] std::size_t request_count() const;
    /// The sids of the messages accepted for `to` ("+91…" or "whatsapp:+91…"), in order.
    [[nodiscard]] std::vector<std::string> accepted(std::string_view to) const;
    [[nodiscard]] std::size_t accepted_count() const;
    /// Every accepted message, in order.
    [[nodiscard]] std::vector<FakeTwilioMessage> messages() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// A status callback's form parameters as Twilio posts them (SmsSid, SmsStatus, MessageStatus,
/// MessageSid, AccountSid, From, To, ApiVersion, ChannelPrefix; ErrorCode and ErrorMessage when
/// `error_code` is set).
[[nodiscard]] std::vector<std::pair<std::string, std::string>>
twilio_status_callback(std::string_view message_sid, std::string_view status, std::string_view to,
                       std::string_view account_sid = "AC0123456789abcdef0123456789abcdef",
                       std::string_view error_code = {});
/// X-Twilio-Signature for a POST to `url` with `params`: base64(HMAC-SHA1(auth_token, url +
/// names and values sorted by name)).
[[nodiscard]] std::string twilio_signature(std::string_view auth_token, std::string_view url,
                                           const std::vector<std::pair<std::string, std::string>>& params);
/// Twilio's error body.
[[nodiscard]] std::string twilio_error_body(int code, std::string_view message, int status);

} // namespace shiksha::test
