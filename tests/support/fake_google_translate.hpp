#pragma once
// A fake Google Cloud Translation v2 endpoint (`POST /language/translate/v2`) for tests of the
// Google translation provider.
//
//     shiksha::test::FakeGoogleTranslate fake;                  // expects key "google-test-key"
//     fake.add_translations("en", "hi", {{"Water boils.", "पानी उबलता है।"}});
//     GoogleTranslateConfig config{.base_url = fake.base_url(), .api_key = "google-test-key"};
//     ... translator->translate({"en", "hi", {"Water boils."}}) ...
//     CHECK(fake.requests().back().q == std::vector<std::string>{"Water boils."});
//
// Every request is checked the way Google checks it, in Google's order, and refused with
// Google's error envelope ({"error": {"code", "message", "errors": [{"reason"}], "status"}}):
//  - POST to /language/translate/v2 (404 otherwise; unlike Google the fake takes no GET, so a
//    passing test proves the client posts);
//  - Content-Type application/x-www-form-urlencoded and a well-formed form body (400);
//  - `key` (body or query): missing → 403 forbidden "The request is missing a valid API key.",
//    wrong → 400 keyInvalid "API key not valid. Please pass a valid API key.";
//  - then a scripted failure, if one is queued (push_failure);
//  - `q` at least once (400 "Required Text"), `target` and `source` once each and among the
//    known languages (400 "Invalid Value"), `format=text` (the fake insists: the client must
//    not have its text read as HTML);
//  - at most 128 `q` (400 "Too many text segments") and 5,000 code points in all of them
//    (400 "Text too long").
// A valid request is answered {"data": {"translations": [{"translatedText"}...]}}, one per q
// in order, from the dictionaries given with add_translations(); a text the fake does not know
// comes back as untranslated(target, text). With `escape_html` the fake writes ' " & < > as
// &#39; &quot; &amp; &lt; &gt;, as Google does in some answers even for format=text.
//
// Lifetime: the destructor stops the server. Thread-safe.

#include "fake_http_server.hpp"

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace shiksha::test {

/// What a scripted failure answers, as Google does.
enum class FakeGoogleFailure {
    daily_limit,       ///< 403 dailyLimitExceeded "Daily Limit Exceeded"
    user_rate_limit,   ///< 403 userRateLimitExceeded "User Rate Limit Exceeded"
    too_many_requests, ///< 429 rateLimitExceeded, status RESOURCE_EXHAUSTED
    forbidden,         ///< 403 forbidden (the API is not enabled for the key's project)
    server_error,      ///< 500 backendError
};

struct FakeGoogleOptions {
    std::string api_key = "google-test-key";
    /// Codes Google accepts as source and target (its real list is longer).
    std::vector<std::string> languages = {"en", "hi", "mr", "bn", "ta", "te", "gu", "kn",
                                          "ml", "pa", "ur", "or", "as", "ne", "sa"};
    bool escape_html = false;
};

/// One request as the fake received and read it.
struct FakeGoogleRequest {
    FakeRequest http;
    std::multimap<std::string, std::string> fields; ///< form body and query fields, decoded
    std::vector<std::string> q;                     ///< every q, decoded, in order
    int status = 0;                                 ///< what the fake answered
    std::string rejection;                          ///< why it refused; empty when it translated

    /// The single value of a field, or "" when absent.
    [[nodiscard]] std::string field(const std::string& name) const;
};

class FakeGoogleTranslate {
public:
    explicit FakeGoogleTranslate(FakeGoogleOptions options = {});
    ~FakeGoogleTranslate();
    FakeGoogleTranslate(const FakeGoogleTranslate&) = delete;
    FakeGoogleTranslate& operator=(const FakeGoogleTranslate&) = delete;

    /// What GoogleTranslateConfig::base_url should be: "http://127.0.0.1:PORT".
    [[nodiscard]] std::string base_url() const;

    /// Adds `dictionary` (source text → translation) for `source` → `target`.
    void add_translations(const std::string& source, const std::string& target,
                          const std::map<std::string, std::string>& dictionary);
    /// The next `times` requests that pass the key check get `failure` instead of an answer.
    void push_failure(FakeGoogleFailure failure, int times = 1);

    /// Every request received, valid or not, in arrival order.
    [[nodiscard]] std::vector<FakeGoogleRequest> requests() const;
    [[nodiscard]] std::size_t request_count() const;

    /// What a text the fake has no translation for comes back as: "[untranslated:hi] <text>".
    [[nodiscard]] static std::string untranslated(std::string_view target, std::string_view text);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Google's error envelope with one `errors[]` entry.
[[nodiscard]] std::string google_error_body(int code, std::string_view message, std::string_view reason,
                                            std::string_view status, std::string_view domain = "global");

/// Decodes an application/x-www-form-urlencoded body ('+' is a space), keeping repeated
/// fields in order; sets `ok` to false (and returns nothing) when a %-escape is malformed.
[[nodiscard]] std::multimap<std::string, std::string> parse_form(std::string_view body, bool& ok);

} // namespace shiksha::test
