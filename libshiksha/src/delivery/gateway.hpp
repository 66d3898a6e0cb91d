#pragma once
// WhatsApp gateways (internal): how one outbox message reaches a phone. The outbox owns
// retries, rate limiting and crash recovery; a gateway makes exactly one attempt per send()
// (its HTTP client is configured with max_attempts = 1) and classifies the failure so the
// outbox knows whether to retry.
//
//   Meta WhatsApp Cloud API  POST {base}/{phone_number_id}/messages (Bearer), documents via
//                            POST {base}/{phone_number_id}/media first; signed webhooks
//   Twilio                   POST {base}/2010-04-01/Accounts/{sid}/Messages.json (Basic, form)
//   deeplink                 no network: https://wa.me/<digits>?text=<encoded>, status "manual"
//
// Thread-safe: send() may run on several worker threads at once.

#include "shiksha/config.hpp"
#include "shiksha/error.hpp"
#include "shiksha/types.hpp"

#include <chrono>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shiksha::detail::delivery {

struct Attachment {
    std::string filename;   ///< "Module_Series_Circuits_Bastar_Hindi.pdf"
    std::string bytes;      ///< the PDF (Meta uploads it as media)
    std::string public_url; ///< where it can be downloaded (Twilio's MediaUrl, the deep link's text)
};

struct OutgoingMessage {
    std::string to;   ///< E.164: "+919876543210"
    std::string text; ///< UTF-8; Meta splits above 4,096 characters, Twilio above 1,600
    std::optional<Attachment> document;
    std::string caption; ///< with the document; Meta allows 1,024 characters
    /// Our reference for this outbox row ("shiksha-42"): Meta echoes it in status webhooks
    /// (biz_opaque_callback_data), Twilio in the StatusCallback URL (?ref=).
    std::string reference;
    std::string status_callback_url; ///< Twilio StatusCallback; empty = none
    /// A retry after a failure mid-message: the first parts (text parts, then the document)
    /// the gateway already accepted are not sent again.
    std::size_t parts_already_sent = 0;
};

struct SendOutcome {
    std::vector<std::string> message_ids; ///< the gateway's ids, one per message part ("wamid…", "SM…")
    bool manual = false;                  ///< deeplink: nothing was sent, `link` must be opened by a person
    std::string link;                     ///< deeplink: https://wa.me/…
};

struct SendFailure {
    Error error; ///< unauthenticated / invalid_argument (permanent), rate_limited / unavailable (retry)
    bool retryable = false;
    std::optional<std::chrono::milliseconds> retry_after; ///< what the gateway asked for, if it did
    std::vector<std::string> accepted_ids; ///< parts accepted before the failure (recorded, not resent)
};

using SendResult = std::expected<SendOutcome, SendFailure>;

/// A status the gateway reported for one of its messages (webhook / status callback).
struct StatusEvent {
    std::string message_id; ///< the gateway's id
    std::string status;     ///< "sent", "delivered", "read" or "failed"
    std::optional<Timestamp> at;
    std::string error;     ///< for "failed": the gateway's error text
    std::string reference; ///< our reference when the gateway echoes it
};

class Gateway {
public:
    virtual ~Gateway() = default;
    [[nodiscard]] virtual std::string_view name() const noexcept = 0;
    /// One attempt.
    [[nodiscard]] virtual SendResult send(const OutgoingMessage& message) = 0;
    /// After a crash between "in flight" and recording the answer: the ids of messages the
    /// gateway accepted for `message` since `since`, if it can tell (Twilio lists messages by
    /// recipient and date); nullopt when it cannot (Meta has no lookup).
    [[nodiscard]] virtual std::optional<std::vector<std::string>>
    find_accepted(const OutgoingMessage& message, Timestamp since) = 0;
};

/// The gateway `config.delivery.gateway` names; `invalid_argument` when its settings are
/// missing (naming the SHIKSHA_* variables to set).
[[nodiscard]] Result<std::unique_ptr<Gateway>> make_gateway(const Config& config);

/// wa.me link: digits only (no '+'), text percent-encoded as UTF-8.
[[nodiscard]] std::string wa_me_link(std::string_view e164, std::string_view text);

// Shared by the gateway implementations (gateway.cpp) ------------------------------------------

/// One gateway per vendor; `config` is already checked by make_gateway. `net` is used with
/// max_attempts = 1.
[[nodiscard]] Result<std::unique_ptr<Gateway>> make_meta_gateway(const DeliveryConfig& config, NetConfig net);
[[nodiscard]] Result<std::unique_ptr<Gateway>> make_twilio_gateway(const DeliveryConfig& config,
                                                                   NetConfig net);
[[nodiscard]] std::unique_ptr<Gateway> make_deeplink_gateway();

/// The digits of an E.164 number ("+919876543210" → "919876543210"); nullopt unless it is '+'
/// (optional) and 8 to 15 digits.
[[nodiscard]] std::optional<std::string> e164_digits(std::string_view number);
/// `text` in parts of at most `max_code_points`, cut at a paragraph break, else a line break,
/// else a space, else anywhere between two code points; the whitespace at a cut is dropped.
[[nodiscard]] std::vector<std::string> split_message(std::string_view text, std::size_t max_code_points);
/// At most `max_code_points`, ending in "…" when something was cut.
[[nodiscard]] std::string truncate_text(std::string_view text, std::size_t max_code_points);
/// A failed HTTP exchange (no answer, or the client's own error) as a send failure: network
/// trouble, timeouts, 429 and 5xx are retryable; anything else is not.
[[nodiscard]] SendFailure transport_failure(Error error, std::string_view gateway, std::string_view secret);
/// `failure` after the parts in `outcome` were accepted: they travel with it (the outbox records
/// them and does not resend them) and are named in the message.
[[nodiscard]] SendFailure failure_after(const SendOutcome& outcome, SendFailure failure);

// Webhooks ------------------------------------------------------------------------------------

/// Meta's `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app_secret, raw body)>`, compared in
/// constant time. False when the header is missing or malformed.
[[nodiscard]] bool verify_meta_signature(std::string_view app_secret, std::string_view body,
                                         std::string_view header);
/// The status events of a Meta webhook body (`entry[].changes[].value.statuses[]`);
/// `invalid_argument` when the body is not such a payload. Message (inbound) events are ignored.
[[nodiscard]] Result<std::vector<StatusEvent>> parse_meta_webhook(std::string_view body);

/// Twilio's `X-Twilio-Signature`: base64(HMAC-SHA1(auth_token, url + every POST parameter's
/// name and value, sorted by name)), compared in constant time.
[[nodiscard]] bool verify_twilio_signature(std::string_view auth_token, std::string_view url,
                                           const std::vector<std::pair<std::string, std::string>>& params,
                                           std::string_view header);
/// A Twilio status callback's form parameters (MessageSid, MessageStatus, ErrorCode, ref from
/// the URL query) as an event; Twilio's "queued"/"accepted"/"sending" are not reported
/// (nullopt), "undelivered" counts as "failed".
[[nodiscard]] std::optional<StatusEvent>
parse_twilio_callback(const std::vector<std::pair<std::string, std::string>>& params);

} // namespace shiksha::detail::delivery
