// Delivery without a gateway account: phone numbers, cluster contacts (CRUD and CSV), sharing
// as wa.me deep links, idempotent re-sharing, the signed public PDF link, and the report.
#include "fake_meta_whatsapp.hpp"
#include "fake_twilio.hpp"
#include "platform_fixture.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <doctest/doctest.h>

#include <chrono>

using namespace shiksha;
using namespace std::chrono_literals;

namespace {

const std::filesystem::path sample =
    std::filesystem::path(SHIKSHA_SOURCE_DIR) / "examples/data/low_cost_science_handbook.pdf";

struct Fixture : test::PlatformFixture {
    std::int64_t module_id = 0;
    std::int64_t cluster_id = 0;

    explicit Fixture(const std::function<void(Config&)>& tweak = {}) : test::PlatformFixture(tweak) {
        auto up = platform->manuals().upload_file(sample, {"Low-Cost Science Handbook", ""});
        REQUIRE(up);
        REQUIRE(platform->manuals().index(up->manual.id));
        auto cluster = platform->clusters().create(
            {"Bastar Tribal Cluster", "Tribal Belt", "Hindi", "Low", "No laboratory", 40, std::nullopt});
        REQUIRE(cluster);
        cluster_id = cluster->id;
        auto m = platform->modules().generate(
            {up->manual.id, cluster_id, "Series and parallel circuits", "english", {}});
        REQUIRE(m);
        module_id = m->id;
    }

    DeliveryEngine& delivery() { return platform->delivery(); }
};

} // namespace

TEST_CASE("Indian mobile numbers in their usual written forms become E.164") {
    for (const char* form :
         {"9876543210", "98765 43210", "098765-43210", "+91 98765 43210", "+91-98765-43210", "919876543210",
          "0091 98765 43210", "+91 (98765) 43210", " 98765.43210 "}) {
        auto n = normalize_phone(form);
        CAPTURE(form);
        REQUIRE(n);
        CHECK(*n == "+919876543210");
    }
    CHECK(*normalize_phone("6000000000") == "+916000000000");

    for (const char* bad : {"", "12345", "5876543210", "98765abc10", "+91 12345 67890", "98765432101",
                            "+9198765432", "+1 415 555 0100", "(+91) 98765 43210", "++919876543210"}) {
        auto n = normalize_phone(bad);
        CAPTURE(bad);
        REQUIRE_FALSE(n);
        CHECK(n.error().code == ErrorCode::invalid_argument);
        CHECK(n.error().field == "phone");
    }
    // Other countries only when configured, and only in international form.
    CHECK(*normalize_phone("+1 415 555 0100", "1,44") == "+14155550100");
    CHECK(*normalize_phone("0044 20 7946 0958", "1,44") == "+442079460958");
    CHECK_FALSE(normalize_phone("+1 415", "1"));
    CHECK(normalize_phone("+1 415 555 0100", "44").error().message.find("SHIKSHA_WHATSAPP_COUNTRY_CODES") !=
          std::string::npos);
}

TEST_CASE("contacts: add, conflict, update, remove, per cluster") {
    Fixture f;
    auto asha = f.delivery().add_contact(f.cluster_id, {"Asha Netam", "98765 43210", "hindi", true});
    REQUIRE(asha);
    CHECK(asha->phone == "+919876543210");
    CHECK(asha->language == "hindi");
    auto again = f.delivery().add_contact(f.cluster_id, {"Asha N.", "+91 98765-43210", "", true});
    REQUIRE_FALSE(again);
    CHECK(again.error().code == ErrorCode::conflict);
    auto bad = f.delivery().add_contact(f.cluster_id, {"Ravi", "12345", "", true});
    REQUIRE_FALSE(bad);
    CHECK(bad.error().field == "phone");
    CHECK(f.delivery().add_contact(f.cluster_id, {"Ravi", "9123456789", "klingon", true}).error().field ==
          "language");
    CHECK(f.delivery().add_contact(f.cluster_id, {"  ", "9123456789", "", true}).error().field == "name");
    CHECK(f.delivery().add_contact(999, {"Ravi", "9123456789", "", true}).error().code ==
          ErrorCode::not_found);

    auto ravi = f.delivery().add_contact(f.cluster_id, {"Ravi Kumar", "9123456789", "", false});
    REQUIRE(ravi);
    auto listed = f.delivery().contacts(f.cluster_id);
    REQUIRE(listed);
    REQUIRE(listed->size() == 2);
    CHECK(listed->front().name == "Asha Netam");

    auto moved = f.delivery().update_contact(ravi->id, {.phone = "+91 70000 00001", .opted_in = true});
    REQUIRE(moved);
    CHECK(moved->phone == "+917000000001");
    CHECK(moved->opted_in);
    CHECK(moved->name == "Ravi Kumar");
    CHECK(f.delivery().update_contact(ravi->id, {.phone = "9876543210"}).error().code == ErrorCode::conflict);
    REQUIRE(f.delivery().remove_contact(ravi->id));
    CHECK(f.delivery().remove_contact(ravi->id).error().code == ErrorCode::not_found);
    CHECK(f.delivery().contacts(f.cluster_id)->size() == 1);
}

TEST_CASE("contacts from CSV: quoted fields, opt-in, bad rows reported by line, existing numbers updated") {
    Fixture f;
    REQUIRE(f.delivery().add_contact(f.cluster_id, {"Old Name", "9876543210", "", true}));
    const std::string csv = "\xEF\xBB\xBFName,Phone,Language,Opted_In\r\n"
                            "\"Netam, Asha\",98765 43210,hindi,yes\r\n"
                            "Ravi Kumar,+91-91234-56789,,no\r\n"
                            "\r\n"
                            "Broken Number,12345,,\r\n"
                            "Bad Flag,9000000001,,maybe\r\n"
                            "\"Said \"\"Guru\"\" Ji\",9000000002,marathi,1\n";
    auto r = f.delivery().import_contacts_csv(f.cluster_id, csv);
    REQUIRE(r);
    CHECK(r->added == 2);
    CHECK(r->updated == 1);
    REQUIRE(r->problems.size() == 2);
    CHECK(r->problems[0].line == 5);
    CHECK(r->problems[0].message.find("12345") != std::string::npos);
    CHECK(r->problems[1].line == 6);
    auto listed = *f.delivery().contacts(f.cluster_id);
    REQUIRE(listed.size() == 3);
    CHECK(listed[0].name == "Netam, Asha");
    CHECK(listed[1].name == "Ravi Kumar");
    CHECK_FALSE(listed[1].opted_in);
    CHECK(listed[2].name == "Said \"Guru\" Ji");
    CHECK(listed[2].language == "marathi");

    CHECK(f.delivery().import_contacts_csv(f.cluster_id, "phone\n9876543210\n").error().field == "file");
    CHECK(f.delivery().import_contacts_csv(f.cluster_id, "name,phone\n\xff\xfe,1\n").error().field == "file");
}

TEST_CASE(
    "sharing with the deep-link gateway: links at once, invalid numbers reported, re-sharing reuses rows") {
    Fixture f;
    REQUIRE(f.delivery().add_contact(f.cluster_id, {"Asha", "9876543210", "", true}));
    REQUIRE(f.delivery().add_contact(f.cluster_id, {"Ravi", "9123456789", "", false})); // not opted in
    ShareRequest req{.module_id = f.module_id,
                     .cluster_id = f.cluster_id,
                     .recipient_numbers = {"+91 98765 43210", "7000000001", "12345", "7000000001"}};
    auto shared = f.delivery().share_whatsapp(req);
    REQUIRE(shared);
    REQUIRE(shared->deliveries.size() == 2); // Asha once, 7000000001 once; Ravi opted out
    CHECK(shared->queued == 2);
    REQUIRE(shared->rejected.size() == 1);
    CHECK(shared->rejected[0].input == "12345");
    for (const auto& d : shared->deliveries) {
        CHECK(d.status == "manual");
        CHECK(d.gateway == "deeplink");
        CHECK(d.link.starts_with("https://wa.me/91"));
        CHECK(d.link.find("?text=") != std::string::npos);
        CHECK(d.link.find('+') == std::string::npos);
        CHECK(d.include_pdf);
    }
    CHECK(shared->deliveries[0].phone == "+919876543210");
    CHECK(shared->deliveries[1].phone == "+917000000001");

    // The PDF link works without a login, and only as signed.
    REQUIRE(shared->export_id);
    const auto url = shared->pdf_url;
    REQUIRE(url.find("/api/files/shared/") != std::string::npos);
    const auto name_at = url.find("/api/files/shared/") + 18;
    const auto query = url.find('?');
    const auto filename = url.substr(name_at, query - name_at);
    const auto expires = url.substr(url.find("expires=") + 8, url.find("&sig=") - url.find("expires=") - 8);
    const auto sig = url.substr(url.find("&sig=") + 5);
    auto pdf = f.platform->exports().download_shared(filename, expires, sig);
    REQUIRE(pdf);
    CHECK(pdf->second.starts_with("%PDF-"));
    std::string forged = sig;
    forged[0] = forged[0] == 'a' ? 'b' : 'a';
    CHECK_FALSE(f.platform->exports().download_shared(filename, expires, forged));
    CHECK_FALSE(f.platform->exports().download_shared(filename, "9999999999", sig));
    CHECK_FALSE(f.platform->exports().download_shared("other.pdf", expires, sig));

    // The same share again: nothing new, no new PDF.
    const auto exports_before = f.platform->exports().list()->size();
    auto again = f.delivery().share_whatsapp(req);
    REQUIRE(again);
    CHECK(again->queued == 0);
    CHECK(again->reused == 2);
    CHECK_FALSE(again->export_id);
    CHECK(f.platform->exports().list()->size() == exports_before);
    CHECK(again->deliveries[0].id == shared->deliveries[0].id);

    // Asked to resend: new rows.
    req.resend = true;
    auto resent = f.delivery().share_whatsapp(req);
    REQUIRE(resent);
    CHECK(resent->queued == 2);
    CHECK(resent->deliveries[0].id != shared->deliveries[0].id);

    // Different content (a custom message) is a different share.
    auto custom = f.delivery().share_whatsapp({.module_id = f.module_id,
                                               .recipient_numbers = {"9876543210"},
                                               .include_pdf = false,
                                               .custom_message = "नमस्ते"});
    REQUIRE(custom);
    CHECK(custom->queued == 1);
    CHECK(custom->deliveries[0].link.find("%E0%A4%A8") != std::string::npos); // न, percent-encoded UTF-8
    // Without a known public base the message carries no PDF link (a path alone is useless there).
    auto no_base = f.delivery().share_whatsapp(
        {.module_id = f.module_id, .recipient_numbers = {"9876543210"}, .custom_message = "No base"});
    REQUIRE(no_base);
    CHECK(no_base->deliveries[0].link.find("api%2Ffiles%2Fshared") == std::string::npos);
    CHECK(no_base->pdf_url.starts_with("/api/files/shared/"));
    auto with_pdf = f.delivery().share_whatsapp({.module_id = f.module_id,
                                                 .recipient_numbers = {"9876543210"},
                                                 .custom_message = "See the module",
                                                 .public_url = "http://127.0.0.1:9000"});
    REQUIRE(with_pdf);
    CHECK(with_pdf->deliveries[0].link.find("127.0.0.1%3A9000%2Fapi%2Ffiles%2Fshared") !=
          std::string::npos); // the PDF's link, on the base given
    CHECK_FALSE(custom->deliveries[0].include_pdf);

    auto report = f.delivery().report(f.module_id);
    REQUIRE(report);
    CHECK(report->deliveries.size() == 7); // with the share without a public base
    CHECK(report->counts.at("manual") == 7);
    CHECK(report->counts.at("pending") == 0);
}

TEST_CASE("sharing errors: unknown module or cluster, nobody to send to, oversized message") {
    Fixture f;
    CHECK(f.delivery().share_whatsapp({.module_id = 999, .recipient_numbers = {"9876543210"}}).error().code ==
          ErrorCode::not_found);
    CHECK(f.delivery().share_whatsapp({.module_id = f.module_id, .cluster_id = 999}).error().code ==
          ErrorCode::not_found);
    auto nobody = f.delivery().share_whatsapp({.module_id = f.module_id, .cluster_id = f.cluster_id});
    REQUIRE_FALSE(nobody);
    CHECK(nobody.error().field == "recipient_numbers");
    auto invalid = f.delivery().share_whatsapp({.module_id = f.module_id, .recipient_numbers = {"123"}});
    REQUIRE_FALSE(invalid);
    CHECK(invalid.error().message.find("123") != std::string::npos);
    auto huge = f.delivery().share_whatsapp({.module_id = f.module_id,
                                             .recipient_numbers = {"9876543210"},
                                             .custom_message = std::string(5000, 'x')});
    CHECK(huge.error().field == "custom_message");
    CHECK(f.delivery().report(999).error().code == ErrorCode::not_found);
    CHECK(f.delivery()
              .share_whatsapp(
                  {.module_id = f.module_id, .recipient_numbers = {"9876543210"}, .language = "klingon"})
              .error()
              .field == "language");
}

TEST_CASE(
    "a module in the cluster's language without a translation provider is shared with the English PDF") {
    Fixture f;
    // Generated for the Hindi cluster without a target: language "hindi", but offline there is
    // no translation, so the export prints English (as GET-less exports do) instead of failing.
    auto hindi = f.platform->modules().generate({f.platform->modules().get(f.module_id)->manual_id,
                                                 f.cluster_id,
                                                 "Acids and bases",
                                                 std::nullopt,
                                                 {}});
    REQUIRE(hindi);
    REQUIRE(hindi->language == std::optional<std::string>("hindi"));
    auto shared = f.delivery().share_whatsapp({.module_id = hindi->id, .recipient_numbers = {"9876543210"}});
    REQUIRE_MESSAGE(shared, shared.error().message);
    REQUIRE(shared->export_id);
    CHECK(f.platform->exports().get(*shared->export_id)->language == "english");
    // Asked for Hindi explicitly, the missing translation is the error it is.
    auto explicit_hindi = f.delivery().share_whatsapp(
        {.module_id = hindi->id, .recipient_numbers = {"9876543210"}, .language = "hindi"});
    REQUIRE_FALSE(explicit_hindi);
    CHECK(explicit_hindi.error().code == ErrorCode::unavailable);
}

namespace {

/// Fast retries for tests: 1–5 ms backoff, three attempts, no rate limit unless asked.
void quick_retries(Config& c) {
    c.delivery.backoff_base = 1ms;
    c.delivery.backoff_max = 5ms;
    c.delivery.max_attempts = 3;
    c.delivery.rate_per_second = -1;
}

struct MetaFixture {
    test::FakeMetaWhatsApp meta;
    Fixture f;
    explicit MetaFixture(test::FakeMetaOptions options = {}, const std::function<void(Config&)>& tweak = {})
        : meta(std::move(options)), f([&](Config& c) {
              c.delivery.gateway = "meta";
              c.delivery.meta_base_url = meta.base_url();
              c.delivery.meta_access_token = "meta-test-token";
              c.delivery.meta_phone_number_id = "106540352242922";
              c.delivery.meta_app_secret = "meta-test-app-secret";
              c.delivery.meta_verify_token = "verify-me";
              quick_retries(c);
              if (tweak) tweak(c);
          }) {}
};

struct TwilioFixture {
    test::FakeTwilio twilio;
    Fixture f;
    explicit TwilioFixture(const std::function<void(Config&)>& tweak = {})
        : f([&](Config& c) {
              c.delivery.gateway = "twilio";
              c.exports.public_url = "http://127.0.0.1:8000"; // Twilio fetches the PDF by URL
              c.delivery.twilio_base_url = twilio.base_url();
              c.delivery.twilio_account_sid = twilio.options().account_sid;
              c.delivery.twilio_auth_token = twilio.options().auth_token;
              c.delivery.twilio_from = twilio.options().from;
              quick_retries(c);
              if (tweak) tweak(c);
          }) {}
};

std::vector<std::string> numbers(int n) {
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i)
        out.push_back(std::to_string(9000000000LL + i));
    return out;
}

} // namespace

TEST_CASE("Meta: text then the PDF as a document, to every recipient once; the report says sent") {
    MetaFixture m;
    auto shared =
        m.f.delivery().share_whatsapp({.module_id = m.f.module_id, .recipient_numbers = numbers(3)});
    REQUIRE(shared);
    CHECK(shared->queued == 3);
    REQUIRE(m.f.delivery().wait_idle(m.f.module_id, 30s));
    auto report = *m.f.delivery().report(m.f.module_id);
    CHECK(report.counts.at("sent") == 3);
    for (const auto& d : report.deliveries) {
        CAPTURE(d.phone);
        CHECK(d.status == "sent");
        CHECK(d.attempts == 1);
        REQUIRE(d.message_ids.size() == 2); // the text, then the document
        CHECK(d.message_ids[0].starts_with("wamid."));
        CHECK(m.meta.accepted(d.phone) == d.message_ids);
        CHECK(d.sent_at.has_value());
    }
    CHECK(m.meta.media_count() >= 1);
    bool document_seen = false;
    for (const auto& r : m.meta.requests()) {
        if (r.type == "document" && r.status == 200) {
            document_seen = true;
            CHECK(r.filename.ends_with(".pdf"));
            CHECK(r.reference.starts_with("shiksha-"));
        }
    }
    CHECK(document_seen);
}

TEST_CASE("Meta: throttling and server errors are retried with backoff; a refused number fails at once") {
    SUBCASE("throttled twice, then accepted") {
        MetaFixture m;
        m.meta.push_failure(test::FakeMetaFailure::throttle, 2);
        REQUIRE(m.f.delivery().share_whatsapp(
            {.module_id = m.f.module_id, .recipient_numbers = {"9876543210"}, .include_pdf = false}));
        REQUIRE(m.f.delivery().wait_idle(m.f.module_id, 30s));
        auto d = m.f.delivery().report(m.f.module_id)->deliveries.at(0);
        CHECK(d.status == "sent");
        CHECK(d.attempts == 3);
        CHECK(m.meta.accepted("+919876543210").size() == 1);
    }
    SUBCASE("the text went out, the PDF upload failed: the retry sends only the PDF") {
        MetaFixture m;
        m.meta.push_failure(test::FakeMetaFailure::server_error, 1, std::nullopt, "media");
        REQUIRE(
            m.f.delivery().share_whatsapp({.module_id = m.f.module_id, .recipient_numbers = {"9876543210"}}));
        REQUIRE(m.f.delivery().wait_idle(m.f.module_id, 30s));
        auto d = m.f.delivery().report(m.f.module_id)->deliveries.at(0);
        CHECK(d.status == "sent");
        CHECK(d.attempts == 2);
        CHECK(d.message_ids.size() == 2); // the text once, the document once
        CHECK(m.meta.accepted("+919876543210") == d.message_ids);
        int texts = 0;
        for (const auto& r : m.meta.requests())
            texts += r.type == "text" && r.status == 200 ? 1 : 0;
        CHECK(texts == 1);
    }
    SUBCASE("server errors beyond the attempt limit: failed with the last error") {
        MetaFixture m;
        m.meta.push_failure(test::FakeMetaFailure::server_error, 100);
        REQUIRE(m.f.delivery().share_whatsapp(
            {.module_id = m.f.module_id, .recipient_numbers = {"9876543210"}, .include_pdf = false}));
        REQUIRE(m.f.delivery().wait_idle(m.f.module_id, 30s));
        auto d = m.f.delivery().report(m.f.module_id)->deliveries.at(0);
        CHECK(d.status == "failed");
        CHECK(d.attempts == 3);
        CHECK_FALSE(d.last_error.empty());
        CHECK(m.meta.accepted_count() == 0);
    }
    SUBCASE("a recipient the business number may not message: failed after one attempt, others sent") {
        test::FakeMetaOptions options;
        options.allowed_recipients = {"919876543210"};
        MetaFixture m(options);
        REQUIRE(m.f.delivery().share_whatsapp({.module_id = m.f.module_id,
                                               .recipient_numbers = {"9876543210", "9123456789"},
                                               .include_pdf = false}));
        REQUIRE(m.f.delivery().wait_idle(m.f.module_id, 30s));
        auto report = *m.f.delivery().report(m.f.module_id);
        CHECK(report.counts.at("sent") == 1);
        CHECK(report.counts.at("failed") == 1);
        for (const auto& d : report.deliveries) {
            if (d.status == "failed") CHECK(d.attempts == 1);
        }
    }
}

TEST_CASE("Meta webhooks: signed statuses move rows forward only; bad or missing signatures change nothing") {
    MetaFixture m;
    REQUIRE(m.f.delivery().share_whatsapp(
        {.module_id = m.f.module_id, .recipient_numbers = {"9876543210"}, .include_pdf = false}));
    REQUIRE(m.f.delivery().wait_idle(m.f.module_id, 30s));
    auto d = m.f.delivery().report(m.f.module_id)->deliveries.at(0);
    REQUIRE(d.status == "sent");
    const auto id = d.message_ids.at(0);
    auto post = [&](const std::string& status, std::string_view signature_secret = "meta-test-app-secret") {
        const auto body =
            test::meta_status_webhook({{id, status, "919876543210", 1795000000, "", 0, "", ""}});
        return m.f.delivery().meta_webhook(body, test::meta_signature(signature_secret, body));
    };
    auto status = [&] { return m.f.delivery().get(d.id)->status; };

    auto forged = post("delivered", "not-the-secret");
    REQUIRE_FALSE(forged);
    CHECK(forged.error().code == ErrorCode::unauthenticated);
    const auto body = test::meta_status_webhook({{id, "read", "919876543210", 1795000000, "", 0, "", ""}});
    CHECK(m.f.delivery().meta_webhook(body, "").error().code == ErrorCode::unauthenticated);
    CHECK(m.f.delivery().meta_webhook(body, "sha256=zz").error().code == ErrorCode::unauthenticated);
    CHECK(status() == "sent");

    CHECK(*post("read") == 1); // read before delivered (out of order): read implies delivered
    CHECK(status() == "read");
    auto row = *m.f.delivery().get(d.id);
    CHECK(row.delivered_at.has_value());
    CHECK(row.read_at.has_value());
    CHECK(*post("delivered") == 0); // late: never backwards
    CHECK(*post("failed") == 0);
    CHECK(status() == "read");

    CHECK(*m.f.delivery().meta_webhook_challenge("subscribe", "verify-me", "1158201444") == "1158201444");
    CHECK(m.f.delivery().meta_webhook_challenge("subscribe", "wrong", "1").error().code ==
          ErrorCode::permission_denied);
}

TEST_CASE("Twilio: the PDF goes as a signed public MediaUrl, status callbacks are verified") {
    TwilioFixture t;
    auto shared =
        t.f.delivery().share_whatsapp({.module_id = t.f.module_id, .recipient_numbers = {"9876543210"}});
    REQUIRE(shared);
    REQUIRE(t.f.delivery().wait_idle(t.f.module_id, 30s));
    auto d = t.f.delivery().report(t.f.module_id)->deliveries.at(0);
    REQUIRE(d.status == "sent");
    REQUIRE(d.message_ids.size() == 2); // the text, then the PDF with its caption
    CHECK(d.message_ids[0].starts_with("SM"));
    const auto messages = t.twilio.messages();
    REQUIRE(messages.size() == 2);
    CHECK(messages[0].to == "whatsapp:+919876543210");
    CHECK(messages[1].media_url == shared->pdf_url);
    const auto callback = messages[0].status_callback;
    CHECK(callback == "http://127.0.0.1:8000/api/webhooks/twilio?ref=shiksha-" + std::to_string(d.id));

    const auto params = test::twilio_status_callback(d.message_ids[0], "delivered", "whatsapp:+919876543210");
    const auto good = test::twilio_signature(t.twilio.options().auth_token, callback, params);
    CHECK(t.f.delivery().twilio_callback(callback, params, "bm90IGl0").error().code ==
          ErrorCode::unauthenticated);
    CHECK(t.f.delivery().twilio_callback(callback + "&x=1", params, good).error().code ==
          ErrorCode::unauthenticated);
    CHECK(t.f.delivery().get(d.id)->status == "sent");
    CHECK(*t.f.delivery().twilio_callback(callback, params, good) == 1);
    CHECK(t.f.delivery().get(d.id)->status == "delivered");
}

TEST_CASE("restart after a crash between the gateway's answer and our record: no second message") {
    TwilioFixture t;
    REQUIRE(t.f.delivery().share_whatsapp(
        {.module_id = t.f.module_id, .recipient_numbers = numbers(3), .include_pdf = false}));
    REQUIRE(t.f.delivery().wait_idle(t.f.module_id, 30s));
    REQUIRE(t.twilio.accepted_count() == 3);
    const auto config = t.f.platform->config();
    t.f.platform.reset();
    {
        // As a SIGKILL would leave it: two rows in flight although Twilio accepted them, one
        // in flight that never reached Twilio.
        SQLite::Database db((t.f.dir.path() / "shiksha.db").string(), SQLite::OPEN_READWRITE);
        db.exec("UPDATE deliveries SET status = 'in_flight', attempt_started_at = sent_at, sent_at = NULL");
        db.exec("DELETE FROM delivery_messages");
    }
    auto reopened = Platform::open(config);
    REQUIRE(reopened);
    REQUIRE((*reopened)->delivery().wait_idle(t.f.module_id, 30s));
    auto report = *(*reopened)->delivery().report(t.f.module_id);
    CHECK(report.counts.at("sent") == 3);
    CHECK(t.twilio.accepted_count() == 3); // the lookup found them: nothing resent
    for (const auto& d : report.deliveries)
        CHECK(t.twilio.accepted(d.phone) == d.message_ids);
}

TEST_CASE("the token bucket holds the configured rate") {
    TwilioFixture t([](Config& c) { c.delivery.rate_per_second = 20; });
    const auto start = std::chrono::steady_clock::now();
    REQUIRE(t.f.delivery().share_whatsapp(
        {.module_id = t.f.module_id, .recipient_numbers = numbers(30), .include_pdf = false}));
    REQUIRE(t.f.delivery().wait_idle(t.f.module_id, 60s));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CHECK(t.twilio.accepted_count() == 30);
    // One at once, then 29 spaced 50 ms apart: at least 1.45 s, however fast the machine.
    CHECK(seconds >= 1.4);
}
