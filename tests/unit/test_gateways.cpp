// The WhatsApp gateways against local fakes of Meta's Cloud API and Twilio's Messaging API (the
// fakes refuse what the services refuse, so a passing send proves the request's shape), the
// wa.me deep links, and the status webhooks' signatures and payloads.
#include "core/text.hpp"
#include "delivery/gateway.hpp"

#include "fake_meta_whatsapp.hpp"
#include "fake_twilio.hpp"
#include "result_printing.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

using namespace shiksha;
using namespace shiksha::test;
using namespace shiksha::detail::delivery;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view teacher = "+919876543210";

bool contains(std::string_view text, std::string_view needle) {
    return text.find(needle) != std::string_view::npos;
}

Config base_config() {
    Config config;
    config.net.read_timeout = 10s;
    config.net.backoff_base = 1ms;
    config.net.backoff_max = 5ms;
    return config;
}

std::unique_ptr<Gateway> meta_gateway(const FakeMetaWhatsApp& fake, std::string token = "meta-test-token",
                                      std::string template_name = {}) {
    Config config = base_config();
    config.delivery.gateway = "meta";
    config.delivery.meta_base_url = fake.base_url();
    config.delivery.meta_access_token = std::move(token);
    config.delivery.meta_phone_number_id = fake.options().phone_number_id;
    config.delivery.meta_template = std::move(template_name);
    config.delivery.meta_template_language = "hi";
    auto gateway = make_gateway(config);
    REQUIRE(gateway);
    return std::move(*gateway);
}

std::unique_ptr<Gateway> twilio_gateway(const FakeTwilio& fake, std::string token = "twilio-test-token",
                                        std::string from = "whatsapp:+14155238886") {
    Config config = base_config();
    config.delivery.gateway = "twilio";
    config.delivery.twilio_base_url = fake.base_url();
    config.delivery.twilio_account_sid = fake.options().account_sid;
    config.delivery.twilio_auth_token = std::move(token);
    config.delivery.twilio_from = std::move(from);
    auto gateway = make_gateway(config);
    REQUIRE(gateway);
    return std::move(*gateway);
}

/// Paragraphs of Hindi (three bytes per character) adding up to about `code_points`.
std::string long_hindi_text(std::size_t code_points) {
    const std::string sentence = "पानी 100 डिग्री सेल्सियस पर उबलता है। "; // 37 code points
    std::string text;
    std::size_t n = 0;
    int sentences = 0;
    while (n < code_points) {
        text += sentence;
        n += detail::utf8_length(sentence);
        if (++sentences % 20 == 0) {
            text.pop_back();
            text += "\n\n";
        }
    }
    return text;
}

/// The text again from its parts, whitespace ignored (the cuts drop it).
std::string without_spaces(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (c != ' ' && c != '\n') out += c;
    }
    return out;
}

std::string pdf_bytes() {
    return "%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
}

bool is_hex(std::string_view s) {
    return std::ranges::all_of(s, [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

} // namespace

// Meta ------------------------------------------------------------------------------------------

TEST_CASE("meta sends a text message with the recipient's digits and our reference") {
    FakeMetaWhatsApp fake;
    auto gateway = meta_gateway(fake);
    CHECK(gateway->name() == "meta");

    auto sent = gateway->send(
        {.to = std::string(teacher), .text = "नमस्ते! आज का मॉड्यूल तैयार है।", .reference = "shiksha-42"});
    REQUIRE(sent);
    REQUIRE(sent->message_ids.size() == 1);
    CHECK(sent->message_ids[0].starts_with("wamid."));
    CHECK_FALSE(sent->manual);

    const auto requests = fake.requests();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].rejection == "");
    CHECK(requests[0].to == "919876543210");
    CHECK(requests[0].type == "text");
    CHECK(requests[0].text == "नमस्ते! आज का मॉड्यूल तैयार है।");
    CHECK(requests[0].reference == "shiksha-42");
    CHECK(contains(requests[0].http.body, R"("preview_url":false)"));
    CHECK(fake.accepted(teacher) == sent->message_ids);
    CHECK(fake.accepted_count() == 1);
}

TEST_CASE("meta splits a text above 4,096 characters at paragraph breaks and returns every id") {
    FakeMetaWhatsApp fake;
    auto gateway = meta_gateway(fake);
    const std::string text = long_hindi_text(9'000);

    auto sent = gateway->send({.to = std::string(teacher), .text = text});
    REQUIRE(sent);
    CHECK(sent->message_ids.size() == 3);
    CHECK(fake.accepted(teacher) == sent->message_ids);

    std::string joined;
    for (const auto& request : fake.requests()) {
        CHECK(request.rejection == "");
        CHECK(detail::valid_utf8(request.text));
        CHECK(detail::utf8_length(request.text) <= 4096);
        // Cut at a paragraph: each part but the last ends a sentence.
        CHECK(request.text.ends_with("है।"));
        joined += request.text;
    }
    CHECK(without_spaces(joined) == without_spaces(text));
}

TEST_CASE("meta uploads the PDF, then sends text first and the document with a truncated caption") {
    FakeMetaWhatsApp fake;
    auto gateway = meta_gateway(fake);
    std::string caption;
    for (int i = 0; i < 150; ++i)
        caption += "मॉड्यूल "; // 8 code points each: 1,200 in all
    OutgoingMessage message{.to = std::string(teacher),
                            .text = "Your module is ready.",
                            .document = Attachment{"Module_Series_Circuits_Bastar_Hindi.pdf", pdf_bytes(),
                                                   "https://shiksha.example/exports/7.pdf"},
                            .caption = caption,
                            .reference = "shiksha-7"};

    auto sent = gateway->send(message);
    REQUIRE(sent);
    CHECK(sent->message_ids.size() == 2);
    CHECK(fake.media_count() == 1);

    const auto requests = fake.requests();
    REQUIRE(requests.size() == 3);
    CHECK(requests[0].endpoint == "messages");
    CHECK(requests[0].type == "text");
    CHECK(requests[1].endpoint == "media");
    CHECK(requests[1].rejection == "");
    CHECK(requests[1].filename == "Module_Series_Circuits_Bastar_Hindi.pdf");
    CHECK(requests[1].file_bytes == pdf_bytes().size());
    CHECK(requests[2].type == "document");
    CHECK(requests[2].rejection == "");
    CHECK(requests[2].media_id == requests[1].media_id);
    CHECK(requests[2].filename == "Module_Series_Circuits_Bastar_Hindi.pdf");
    CHECK(detail::utf8_length(requests[2].caption) == 1024);
    CHECK(requests[2].caption.ends_with("…"));
    CHECK(requests[2].reference == "shiksha-7");
}

TEST_CASE("meta sends the configured template with the text as its body parameter") {
    FakeMetaWhatsApp fake;
    auto gateway = meta_gateway(fake, "meta-test-token", "module_ready");
    auto sent = gateway->send({.to = std::string(teacher), .text = "Series circuits (Hindi)"});
    REQUIRE(sent);
    CHECK(sent->message_ids.size() == 1);
    const auto requests = fake.requests();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].rejection == "");
    CHECK(requests[0].type == "template");
    CHECK(requests[0].template_name == "module_ready");
    CHECK(requests[0].template_language == "hi");
    CHECK(requests[0].text == "Series circuits (Hindi)");
}

TEST_CASE("meta: a wrong token is a permanent unauthenticated failure that does not show the token") {
    FakeMetaWhatsApp fake;
    auto gateway = meta_gateway(fake, "EAAG-wrong-token");
    auto sent = gateway->send({.to = std::string(teacher), .text = "hello"});
    REQUIRE_FALSE(sent);
    CHECK(sent.error().error.code == ErrorCode::unauthenticated);
    CHECK_FALSE(sent.error().retryable);
    CHECK(contains(sent.error().error.message, "Meta"));
    CHECK(contains(sent.error().error.message, "Invalid OAuth access token"));
    CHECK_FALSE(contains(sent.error().error.message, "EAAG-wrong-token"));
    CHECK(fake.accepted_count() == 0);
}

TEST_CASE("meta: throttling is rate_limited and retryable") {
    FakeMetaWhatsApp fake;
    auto gateway = meta_gateway(fake);
    fake.push_failure(FakeMetaFailure::throttle);
    auto sent = gateway->send({.to = std::string(teacher), .text = "hello"});
    REQUIRE_FALSE(sent);
    CHECK(sent.error().error.code == ErrorCode::rate_limited);
    CHECK(sent.error().retryable);
    CHECK(fake.request_count() == 1); // one attempt: the outbox retries, not the client

    auto again = gateway->send({.to = std::string(teacher), .text = "hello"});
    CHECK(again);
}

TEST_CASE("throttling with Retry-After: both gateways pass on the wait the service asked for") {
    FakeMetaWhatsApp meta;
    meta.push_failure(FakeMetaFailure::throttle, 1, 3s);
    auto from_meta = meta_gateway(meta)->send({.to = std::string(teacher), .text = "hello"});
    REQUIRE_FALSE(from_meta);
    REQUIRE(from_meta.error().retry_after);
    CHECK(*from_meta.error().retry_after == 3000ms);
    CHECK(contains(from_meta.error().error.message, "130429"));

    FakeTwilio twilio;
    twilio.push_failure(FakeTwilioFailure::throttle, 1, 5s);
    auto from_twilio = twilio_gateway(twilio)->send({.to = std::string(teacher), .text = "hello"});
    REQUIRE_FALSE(from_twilio);
    CHECK(from_twilio.error().error.code == ErrorCode::rate_limited);
    REQUIRE(from_twilio.error().retry_after);
    CHECK(*from_twilio.error().retry_after == 5000ms);
    CHECK(twilio.request_count() == 1);
}

TEST_CASE("meta: a pair rate limit is retryable after the Retry-After the service asked for") {
    FakeMetaWhatsApp fake;
    auto gateway = meta_gateway(fake);
    fake.push_failure(FakeMetaFailure::pair_rate_limit, 1, 7s);
    auto sent = gateway->send({.to = std::string(teacher), .text = "hello"});
    REQUIRE_FALSE(sent);
    CHECK(sent.error().error.code == ErrorCode::rate_limited);
    CHECK(sent.error().retryable);
    REQUIRE(sent.error().retry_after);
    CHECK(*sent.error().retry_after == 7000ms);
    CHECK(contains(sent.error().error.message, "131056"));
}

TEST_CASE("meta: a server error is unavailable and retryable") {
    FakeMetaWhatsApp fake;
    auto gateway = meta_gateway(fake);
    fake.push_failure(FakeMetaFailure::server_error);
    auto sent = gateway->send({.to = std::string(teacher), .text = "hello"});
    REQUIRE_FALSE(sent);
    CHECK(sent.error().error.code == ErrorCode::unavailable);
    CHECK(sent.error().retryable);
    CHECK(fake.request_count() == 1);
}

TEST_CASE("meta: a recipient the service refuses and a malformed number fail permanently") {
    FakeMetaWhatsApp fake(FakeMetaOptions{.allowed_recipients = {"919000000001"}});
    auto gateway = meta_gateway(fake);
    auto refused = gateway->send({.to = std::string(teacher), .text = "hello"});
    REQUIRE_FALSE(refused);
    CHECK(refused.error().error.code == ErrorCode::invalid_argument);
    CHECK_FALSE(refused.error().retryable);
    CHECK(contains(refused.error().error.message, "131030"));

    auto malformed = gateway->send({.to = "+91-98765", .text = "hello"});
    REQUIRE_FALSE(malformed);
    CHECK(malformed.error().error.code == ErrorCode::invalid_argument);
    CHECK_FALSE(malformed.error().retryable);
    CHECK(fake.request_count() == 1); // refused before any request
}

TEST_CASE("meta cannot look up accepted messages") {
    FakeMetaWhatsApp fake;
    auto gateway = meta_gateway(fake);
    CHECK_FALSE(gateway->find_accepted({.to = std::string(teacher), .text = "hello"}, now_utc()).has_value());
}

// Twilio ----------------------------------------------------------------------------------------

TEST_CASE("twilio sends a form-encoded WhatsApp message with Basic auth and a status callback") {
    FakeTwilio fake;
    auto gateway = twilio_gateway(fake, "twilio-test-token", "+14155238886"); // prefix added
    CHECK(gateway->name() == "twilio");
    auto sent =
        gateway->send({.to = std::string(teacher),
                       .text = "नमस्ते & welcome: 2 + 3 = 5",
                       .reference = "shiksha-9",
                       .status_callback_url = "https://shiksha.example/webhooks/twilio?ref=shiksha-9"});
    REQUIRE(sent);
    REQUIRE(sent->message_ids.size() == 1);
    const std::string& sid = sent->message_ids[0];
    CHECK(sid.size() == 34);
    CHECK(sid.starts_with("SM"));
    CHECK(is_hex(sid.substr(2)));

    const auto requests = fake.requests();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].rejection == "");
    CHECK(requests[0].field("To") == "whatsapp:+919876543210");
    CHECK(requests[0].field("From") == "whatsapp:+14155238886");
    CHECK(requests[0].field("Body") == "नमस्ते & welcome: 2 + 3 = 5");
    CHECK(requests[0].field("StatusCallback") == "https://shiksha.example/webhooks/twilio?ref=shiksha-9");
    CHECK(fake.accepted(teacher) == sent->message_ids);
}

TEST_CASE("twilio splits a body above 1,600 characters") {
    FakeTwilio fake;
    auto gateway = twilio_gateway(fake);
    const std::string text = long_hindi_text(4'000);
    auto sent = gateway->send({.to = std::string(teacher), .text = text});
    REQUIRE(sent);
    CHECK(sent->message_ids.size() == 3);
    std::string joined;
    for (const auto& message : fake.messages()) {
        CHECK(detail::utf8_length(message.body) <= 1600);
        joined += message.body;
    }
    CHECK(without_spaces(joined) == without_spaces(text));
}

TEST_CASE("twilio sends the text, then the document by URL with the caption as its body") {
    FakeTwilio fake;
    auto gateway = twilio_gateway(fake);
    auto sent =
        gateway->send({.to = std::string(teacher),
                       .text = "Your module is ready.",
                       .document = Attachment{"m.pdf", pdf_bytes(), "https://shiksha.example/exports/7.pdf"},
                       .caption = "Series circuits"});
    REQUIRE(sent);
    CHECK(sent->message_ids.size() == 2);
    const auto messages = fake.messages();
    REQUIRE(messages.size() == 2);
    CHECK(messages[0].body == "Your module is ready.");
    CHECK(messages[0].media_url.empty());
    CHECK(messages[1].body == "Series circuits");
    CHECK(messages[1].media_url == "https://shiksha.example/exports/7.pdf");
}

TEST_CASE("twilio: wrong credentials are a permanent unauthenticated failure") {
    FakeTwilio fake;
    auto gateway = twilio_gateway(fake, "not-the-token");
    auto sent = gateway->send({.to = std::string(teacher), .text = "hello"});
    REQUIRE_FALSE(sent);
    CHECK(sent.error().error.code == ErrorCode::unauthenticated);
    CHECK_FALSE(sent.error().retryable);
    CHECK(contains(sent.error().error.message, "20003"));
    CHECK_FALSE(contains(sent.error().error.message, "not-the-token"));
}

TEST_CASE("twilio: throttling and server errors are retryable") {
    FakeTwilio fake;
    auto gateway = twilio_gateway(fake);
    fake.push_failure(FakeTwilioFailure::throttle);
    fake.push_failure(FakeTwilioFailure::server_error);
    auto throttled = gateway->send({.to = std::string(teacher), .text = "hello"});
    REQUIRE_FALSE(throttled);
    CHECK(throttled.error().error.code == ErrorCode::rate_limited);
    CHECK(throttled.error().retryable);
    auto failed = gateway->send({.to = std::string(teacher), .text = "hello"});
    REQUIRE_FALSE(failed);
    CHECK(failed.error().error.code == ErrorCode::unavailable);
    CHECK(failed.error().retryable);
    CHECK(fake.request_count() == 2);
    CHECK(fake.accepted_count() == 0);
}

TEST_CASE("twilio: a number that is not a mobile number fails permanently") {
    FakeTwilio fake(FakeTwilioOptions{.invalid_numbers = {"+919876543210"}});
    auto gateway = twilio_gateway(fake);
    auto sent = gateway->send({.to = std::string(teacher), .text = "hello"});
    REQUIRE_FALSE(sent);
    CHECK(sent.error().error.code == ErrorCode::invalid_argument);
    CHECK_FALSE(sent.error().retryable);
    CHECK(contains(sent.error().error.message, "21614"));
}

TEST_CASE("twilio finds the messages it accepted for a recipient and text since a time") {
    FakeTwilio fake;
    auto gateway = twilio_gateway(fake);
    const Timestamp before = now_utc() - 2s;
    const OutgoingMessage message{.to = std::string(teacher), .text = "Module 7 is ready."};
    auto sent = gateway->send(message);
    REQUIRE(sent);
    REQUIRE(gateway->send({.to = "+919000000001", .text = "Module 7 is ready."}));

    auto found = gateway->find_accepted(message, before);
    REQUIRE(found);
    CHECK(*found == sent->message_ids);
    const auto list = fake.requests().back();
    CHECK(list.http.method == "GET");
    CHECK(list.http.query.at("To") == "whatsapp:+919876543210");
    CHECK(list.http.query.contains("DateSent>"));
    CHECK(list.http.query.at("PageSize") == "50");

    auto other_text = gateway->find_accepted({.to = std::string(teacher), .text = "Module 8"}, before);
    REQUIRE(other_text);
    CHECK(other_text->empty());
    auto later = gateway->find_accepted(message, now_utc() + 1h);
    REQUIRE(later);
    CHECK(later->empty());

    auto unauthenticated = twilio_gateway(fake, "wrong")->find_accepted(message, before);
    CHECK_FALSE(unauthenticated.has_value());
}

// deeplink and make_gateway -----------------------------------------------------------------------

TEST_CASE("deeplink returns a wa.me link with the digits and the UTF-8 text percent-encoded") {
    auto gateway = make_gateway(base_config());
    REQUIRE(gateway);
    CHECK((*gateway)->name() == "deeplink");
    auto sent = (*gateway)->send({.to = "+919876543210",
                                  .text = "नमस्ते",
                                  .document = Attachment{"m.pdf", "", "https://s.example/m.pdf?x=1&y=2"}});
    REQUIRE(sent);
    CHECK(sent->manual);
    CHECK(sent->message_ids.empty());
    CHECK(sent->link ==
          "https://wa.me/919876543210?text=%E0%A4%A8%E0%A4%AE%E0%A4%B8%E0%A5%8D%E0%A4%A4%E0%A5%87"
          "%0Ahttps%3A%2F%2Fs.example%2Fm.pdf%3Fx%3D1%26y%3D2");
    CHECK(wa_me_link("+91 98765 43210", "a b+c~d_e.f-g") ==
          "https://wa.me/919876543210?text=a%20b%2Bc~d_e.f-g");
    CHECK_FALSE((*gateway)->find_accepted({.to = "+919876543210", .text = "x"}, now_utc()).has_value());
}

TEST_CASE("make_gateway names the settings a gateway is missing") {
    Config config = base_config();
    config.delivery.gateway = "meta";
    config.delivery.meta_phone_number_id = "106540352242922";
    auto meta = make_gateway(config);
    REQUIRE_FALSE(meta);
    CHECK(meta.error().code == ErrorCode::invalid_argument);
    CHECK(contains(meta.error().message, "SHIKSHA_META_ACCESS_TOKEN"));
    CHECK_FALSE(contains(meta.error().message, "SHIKSHA_META_PHONE_NUMBER_ID"));

    config.delivery.gateway = "twilio";
    config.delivery.twilio_account_sid = "AC0123456789abcdef0123456789abcdef";
    auto twilio = make_gateway(config);
    REQUIRE_FALSE(twilio);
    CHECK(contains(twilio.error().message, "SHIKSHA_TWILIO_AUTH_TOKEN"));
    CHECK(contains(twilio.error().message, "SHIKSHA_TWILIO_FROM"));
    CHECK_FALSE(contains(twilio.error().message, "SHIKSHA_TWILIO_ACCOUNT_SID"));

    config.delivery.gateway = "telegram";
    auto unknown = make_gateway(config);
    REQUIRE_FALSE(unknown);
    CHECK(unknown.error().code == ErrorCode::invalid_argument);
    for (const auto name : {"deeplink", "meta", "twilio"})
        CHECK(contains(unknown.error().message, name));
}

TEST_CASE("split_message never cuts inside a UTF-8 sequence and truncate_text marks the cut") {
    const std::string word = "शिक्षक"; // no spaces at all: cuts fall between code points
    std::string text;
    for (int i = 0; i < 100; ++i)
        text += word;
    const auto parts = split_message(text, 250);
    CHECK(parts.size() == 3);
    std::string joined;
    for (const auto& part : parts) {
        CHECK(detail::valid_utf8(part));
        CHECK(detail::utf8_length(part) <= 250);
        joined += part;
    }
    CHECK(joined == text);
    CHECK(split_message("", 10).empty());
    CHECK(truncate_text("abcdef", 4) == "abc…");
    CHECK(truncate_text("abcd", 4) == "abcd");
}

// Webhooks ----------------------------------------------------------------------------------------

TEST_CASE("meta webhook signatures: good, bad, missing and malformed") {
    const std::string secret = "meta-test-app-secret";
    const std::string body = meta_status_webhook({{.message_id = "wamid.A",
                                                   .status = "sent",
                                                   .recipient = "919876543210",
                                                   .timestamp = 1'700'000'000}});
    const std::string header = meta_signature(secret, body);
    CHECK(verify_meta_signature(secret, body, header));
    CHECK_FALSE(verify_meta_signature(secret, body + " ", header));
    CHECK_FALSE(verify_meta_signature("another-secret", body, header));
    CHECK_FALSE(verify_meta_signature(secret, body, ""));
    CHECK_FALSE(verify_meta_signature(secret, body, header.substr(7)));               // no "sha256="
    CHECK_FALSE(verify_meta_signature(secret, body, "sha256=zz" + header.substr(9))); // not hex
    CHECK_FALSE(verify_meta_signature(secret, body, header.substr(0, header.size() - 2)));
}

TEST_CASE("a Meta webhook's statuses become events with times, errors and our reference") {
    const std::string body = meta_status_webhook({
        {.message_id = "wamid.A",
         .status = "sent",
         .recipient = "919876543210",
         .timestamp = 1'700'000'000,
         .reference = "shiksha-42"},
        {.message_id = "wamid.A",
         .status = "delivered",
         .recipient = "919876543210",
         .timestamp = 1'700'000'005},
        {.message_id = "wamid.A", .status = "read", .recipient = "919876543210", .timestamp = 1'700'000'060},
        {.message_id = "wamid.B",
         .status = "failed",
         .recipient = "919876543211",
         .timestamp = 1'700'000'100,
         .reference = "shiksha-43",
         .error_code = 131026,
         .error_title = "Message undeliverable",
         .error_details = "Unable to deliver message."},
    });
    auto events = parse_meta_webhook(body);
    REQUIRE(events);
    REQUIRE(events->size() == 4);
    CHECK((*events)[0].message_id == "wamid.A");
    CHECK((*events)[0].status == "sent");
    CHECK((*events)[0].reference == "shiksha-42");
    REQUIRE((*events)[0].at);
    CHECK(*(*events)[0].at == Timestamp(std::chrono::seconds(1'700'000'000)));
    CHECK((*events)[1].status == "delivered");
    CHECK((*events)[2].status == "read");
    CHECK((*events)[3].status == "failed");
    CHECK((*events)[3].reference == "shiksha-43");
    CHECK(contains((*events)[3].error, "Message undeliverable"));
    CHECK(contains((*events)[3].error, "131026"));

    CHECK_FALSE(parse_meta_webhook("not json"));
    CHECK_FALSE(parse_meta_webhook(R"({"object":"page","entry":[]})"));
    auto inbound = parse_meta_webhook(
        R"({"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messages":[{"id":"wamid.in","type":"text"}]}}]}]})");
    REQUIRE(inbound);
    CHECK(inbound->empty());
}

TEST_CASE("twilio signatures follow Twilio's documented example") {
    const std::vector<std::pair<std::string, std::string>> params = {{"CallSid", "CA1234567890ABCDE"},
                                                                     {"Caller", "+12349013030"},
                                                                     {"Digits", "1234"},
                                                                     {"From", "+12349013030"},
                                                                     {"To", "+18005551212"}};
    const std::string url = "https://mycompany.com/myapp.php?foo=1&bar=2";
    CHECK(verify_twilio_signature("12345", url, params, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="));
    CHECK(twilio_signature("12345", url, params) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
    CHECK_FALSE(verify_twilio_signature("12346", url, params, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="));
    CHECK_FALSE(verify_twilio_signature("12345", url + "&baz=3", params, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="));
    CHECK_FALSE(verify_twilio_signature("12345", url, params, ""));

    const auto callback =
        twilio_status_callback("SM0123456789abcdef0123456789abcdef", "delivered", "+919876543210");
    const std::string callback_url = "https://shiksha.example/webhooks/twilio?ref=shiksha-9";
    CHECK(verify_twilio_signature("tok", callback_url, callback,
                                  twilio_signature("tok", callback_url, callback)));
}

TEST_CASE("twilio status callbacks map to sent, delivered, read and failed") {
    const auto event = [](std::string_view status, std::string_view error_code = {}) {
        auto params = twilio_status_callback("SMabc", status, "+919876543210", "AC0", error_code);
        params.emplace_back("ref", "shiksha-9");
        return parse_twilio_callback(params);
    };
    for (const auto status : {"queued", "accepted", "sending"})
        CHECK_FALSE(event(status).has_value());
    for (const auto status : {"sent", "delivered", "read"}) {
        const auto e = event(status);
        REQUIRE(e);
        CHECK(e->status == status);
        CHECK(e->message_id == "SMabc");
        CHECK(e->reference == "shiksha-9");
        CHECK(e->error.empty());
    }
    const auto undelivered = event("undelivered", "63016");
    REQUIRE(undelivered);
    CHECK(undelivered->status == "failed");
    CHECK(contains(undelivered->error, "63016"));
    const auto failed = event("failed", "30008");
    REQUIRE(failed);
    CHECK(failed->status == "failed");
    CHECK_FALSE(parse_twilio_callback({{"MessageStatus", "delivered"}}).has_value()); // no sid
}
