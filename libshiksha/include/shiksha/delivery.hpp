#pragma once
/// WhatsApp delivery of modules to teachers: phone numbers, cluster contacts, a crash-safe
/// outbox, and status tracking from the gateways' webhooks.
///
///     auto shared = platform.delivery().share_whatsapp({.module_id = 7, .cluster_id = 3});
///     shared->deliveries;   // one row per valid recipient: pending (queued), or manual (deep link)
///     shared->rejected;     // invalid numbers, each with the reason
///     platform.delivery().report(7)->counts;  // {"sent": 38, "delivered": 35, "read": 20, ...}
///
/// Sharing writes one outbox row per recipient in one transaction, keyed by (module,
/// recipient, content): sharing the same thing again reuses the rows unless `resend` is set.
/// A dispatcher sends due rows on the platform's worker pool through the configured gateway
/// (Meta WhatsApp Cloud API, Twilio, or offline wa.me deep links) with a token-bucket rate
/// limit, exponential backoff with jitter on throttling and transient errors, and at most
/// `DeliveryConfig::max_attempts` attempts. A row is marked in flight (committed) before the
/// gateway call; rows found in flight when the platform opens are reconciled — Twilio is asked
/// whether it accepted the message, Meta cannot be asked, so those are sent again (see README:
/// the window is one gateway round trip). Statuses only move forward.
/// Thread-safe.

#include "shiksha/auth.hpp"
#include "shiksha/error.hpp"
#include "shiksha/json.hpp"
#include "shiksha/types.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shiksha {

/// "+919876543210" from the ways Indian mobiles are written ("98765 43210", "098765-43210",
/// "+91 98765 43210", "0091…", "919876543210"). Other countries only with their calling code in
/// `extra_country_codes` ("1,44") and a leading + or 00. `invalid_argument` saying what is wrong.
[[nodiscard]] Result<std::string> normalize_phone(std::string_view text,
                                                  std::string_view extra_country_codes = {});

struct Contact {
    std::int64_t id = 0;
    std::int64_t cluster_id = 0;
    std::string name;
    std::string phone; ///< E.164
    std::string language;
    bool opted_in = true;
    Timestamp created_at;
    Timestamp updated_at;
};

struct NewContact {
    std::string name;
    std::string phone; ///< any accepted written form
    std::string language;
    bool opted_in = true;
};

struct ContactPatch {
    std::optional<std::string> name;
    std::optional<std::string> phone;
    std::optional<std::string> language;
    std::optional<bool> opted_in;
};

struct ImportProblem {
    int line = 0; ///< 1-based line of the CSV
    std::string message;
};

struct ContactImport {
    int added = 0;
    int updated = 0; ///< same phone already in the cluster: name, language, opt-in replaced
    std::vector<ImportProblem> problems;
};

/// One message to one recipient.
struct Delivery {
    std::int64_t id = 0;
    std::int64_t module_id = 0;
    std::optional<std::int64_t> cluster_id;
    std::string phone; ///< E.164
    std::string name;
    std::string gateway; ///< "meta", "twilio", "deeplink"
    /// pending, in_flight, sent, delivered, read, failed; manual for a deep link to open by hand
    std::string status;
    std::vector<std::string> message_ids; ///< the gateway's ids (a long text is several messages)
    int attempts = 0;
    std::string last_error;
    std::string link; ///< deep link (wa.me) for manual sending
    bool include_pdf = false;
    Timestamp created_at;
    Timestamp updated_at;
    std::optional<Timestamp> sent_at;
    std::optional<Timestamp> delivered_at;
    std::optional<Timestamp> read_at;
};

struct ShareRequest {
    std::int64_t module_id = 0;
    std::optional<std::int64_t> cluster_id;     ///< its opted-in contacts
    std::vector<std::string> recipient_numbers; ///< and/or these numbers
    bool include_pdf = true;                    ///< export the module and attach the PDF
    std::optional<std::string> custom_message;  ///< replaces the default text
    std::optional<std::string> language;        ///< of the PDF; default the module's
    bool resend = false;                        ///< send again what was shared before
    /// Base of the links in the PDF and the message ("http://host:port"); "" =
    /// Config::exports.public_url. With neither, the message carries no PDF link and pdf_url is a path.
    std::string public_url;
    /// Wait up to this long for the first gateway attempt of every new message, so the result
    /// reports what happened (sent with the gateway's id, or failed with the error) instead of
    /// `pending`. 0 = answer at once. Messages still unsent when it ends stay `pending`.
    std::chrono::milliseconds wait_first_attempt{0};
    /// ... but only when at most this many new messages were queued (a big share answers at once).
    std::size_t wait_max_recipients = 20;
};

struct RejectedRecipient {
    std::string input;
    std::string error;
};

struct ShareResult {
    std::vector<Delivery> deliveries; ///< one per valid recipient, in request order
    std::vector<RejectedRecipient> rejected;
    int queued = 0;   ///< new outbox rows
    int reused = 0;   ///< shared before: the existing row is reported, nothing is resent
    int accepted = 0; ///< deliveries a gateway has accepted (sent, delivered or read) when answering
    int failed = 0;   ///< deliveries that failed for good when answering
    int pending = 0;  ///< deliveries still waiting for the gateway (pending or in flight)
    std::optional<std::int64_t> export_id; ///< the attached PDF
    std::string pdf_filename;
    /// Signed download link (expires with the export): absolute when a public base is known, else the
    /// path ("/api/files/shared/...").
    std::string pdf_url;
};

struct DeliveryReport {
    std::int64_t module_id = 0;
    std::map<std::string, int> counts; ///< per status
    std::vector<Delivery> deliveries;  ///< newest first
};

/// Obtained from `Platform::delivery()`; not constructible by hosts.
class DeliveryEngine {
public:
    struct Impl;
    explicit DeliveryEngine(std::unique_ptr<Impl> impl);
    ~DeliveryEngine();
    DeliveryEngine(const DeliveryEngine&) = delete;
    DeliveryEngine& operator=(const DeliveryEngine&) = delete;

    /// Queues the module for every valid recipient (or, with the deep-link gateway, returns the
    /// links at once). Errors: `not_found` (module, cluster), `invalid_argument` (no valid
    /// recipient, message too long), export errors when the PDF cannot be made.
    [[nodiscard]] Result<ShareResult> share_whatsapp(const ShareRequest& request, const Actor& actor = {});
    [[nodiscard]] Result<DeliveryReport> report(std::int64_t module_id);
    [[nodiscard]] Result<Delivery> get(std::int64_t delivery_id);

    /// Blocks until no message of `module_id` (every module when 0) is pending or in flight,
    /// or `timeout` passes (then `deadline_exceeded`). The CLI uses it to wait for its sends.
    [[nodiscard]] Result<void> wait_idle(std::int64_t module_id, std::chrono::milliseconds timeout);

    // Contacts of a cluster.
    [[nodiscard]] Result<Contact> add_contact(std::int64_t cluster_id, const NewContact& contact,
                                              const Actor& actor = {});
    [[nodiscard]] Result<std::vector<Contact>> contacts(std::int64_t cluster_id);
    [[nodiscard]] Result<Contact> update_contact(std::int64_t contact_id, const ContactPatch& patch,
                                                 const Actor& actor = {});
    [[nodiscard]] Result<void> remove_contact(std::int64_t contact_id, const Actor& actor = {});
    /// CSV with a header row naming `name`, `phone` and optionally `language`, `opted_in`
    /// (true/false/yes/no/1/0). Bad rows are reported, the rest imported, in one transaction.
    [[nodiscard]] Result<ContactImport> import_contacts_csv(std::int64_t cluster_id, std::string_view csv,
                                                            const Actor& actor = {});

    // Gateway webhooks.
    /// Meta's subscription handshake: the challenge when mode is "subscribe" and the token matches.
    [[nodiscard]] Result<std::string>
    meta_webhook_challenge(std::string_view mode, std::string_view verify_token, std::string_view challenge);
    /// A signed Meta status webhook (raw body, X-Hub-Signature-256). `unauthenticated` when the
    /// signature is missing or wrong (nothing changes); returns how many rows moved.
    [[nodiscard]] Result<int> meta_webhook(std::string_view body, std::string_view signature);
    /// A Twilio status callback: the full URL Twilio posted to, its form parameters and
    /// X-Twilio-Signature.
    [[nodiscard]] Result<int> twilio_callback(std::string_view url,
                                              const std::vector<std::pair<std::string, std::string>>& params,
                                              std::string_view signature);

private:
    std::unique_ptr<Impl> impl_;
};

[[nodiscard]] Json to_json(const Delivery& delivery);
[[nodiscard]] Json to_json(const Contact& contact);
[[nodiscard]] Json to_json(const DeliveryReport& report);

} // namespace shiksha
