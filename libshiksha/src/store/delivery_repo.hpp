#pragma once
// SQL for cluster contacts and the WhatsApp outbox (internal).

#include "shiksha/delivery.hpp"

#include <SQLiteCpp/Database.h>

#include <optional>
#include <string>
#include <vector>

namespace shiksha::detail::delivery_repo {

// Contacts ------------------------------------------------------------------------------------

[[nodiscard]] Contact insert_contact(SQLite::Database& db, std::int64_t cluster_id, const Contact& c);
[[nodiscard]] std::optional<Contact> contact(SQLite::Database& db, std::int64_t id);
[[nodiscard]] std::optional<Contact> contact_by_phone(SQLite::Database& db, std::int64_t cluster_id,
                                                      std::string_view phone);
[[nodiscard]] std::vector<Contact> contacts(SQLite::Database& db, std::int64_t cluster_id);
void update_contact(SQLite::Database& db, const Contact& c);
[[nodiscard]] bool remove_contact(SQLite::Database& db, std::int64_t id);

// Outbox --------------------------------------------------------------------------------------

/// What the outbox stores about a message besides the public Delivery.
struct OutboxRow {
    Delivery delivery;
    std::string idempotency_key;
    int generation = 0;
    std::string text;
    std::string caption;
    std::string document_path; ///< absolute; empty without a PDF
    std::string document_name;
    std::string document_url;
    std::optional<std::int64_t> export_id;
    Timestamp next_attempt_at;
    std::optional<Timestamp> attempt_started_at;
};

/// The newest generation stored for an idempotency key.
[[nodiscard]] std::optional<OutboxRow> latest_for_key(SQLite::Database& db, std::string_view key);
[[nodiscard]] OutboxRow insert(SQLite::Database& db, const OutboxRow& row,
                               std::optional<std::int64_t> created_by);
[[nodiscard]] std::optional<OutboxRow> get(SQLite::Database& db, std::int64_t id);
/// Newest first.
[[nodiscard]] std::vector<Delivery> for_module(SQLite::Database& db, std::int64_t module_id);

/// Marks up to `limit` pending rows due at `now` in flight (attempts + 1, attempt_started_at =
/// now) and returns them, oldest first.
[[nodiscard]] std::vector<OutboxRow> claim_due(SQLite::Database& db, Timestamp now, int limit);
/// Rows left in flight (by a process that died mid-send).
[[nodiscard]] std::vector<OutboxRow> in_flight(SQLite::Database& db);
/// The earliest next_attempt_at of a pending row.
[[nodiscard]] std::optional<Timestamp> next_due(SQLite::Database& db);
/// How many rows are pending or in flight (of one module, or all when 0).
[[nodiscard]] int unfinished(SQLite::Database& db, std::int64_t module_id);

/// The gateway accepted the message: sent, with its ids.
void mark_sent(SQLite::Database& db, std::int64_t id, const std::vector<std::string>& message_ids,
               Timestamp now);
/// Records gateway message ids of the delivery (parts accepted so far), in order.
void add_message_ids(SQLite::Database& db, std::int64_t id, const std::vector<std::string>& message_ids);
/// Back to pending for another attempt at `next_attempt_at`.
void mark_retry(SQLite::Database& db, std::int64_t id, std::string_view error, Timestamp next_attempt_at,
                Timestamp now);
void mark_failed(SQLite::Database& db, std::int64_t id, std::string_view error, Timestamp now);
/// A deep link to open by hand.
void mark_manual(SQLite::Database& db, std::int64_t id, std::string_view link, Timestamp now);

/// The delivery a gateway message id belongs to.
[[nodiscard]] std::optional<std::int64_t> delivery_of_message(SQLite::Database& db,
                                                              std::string_view message_id);
/// Applies a status reported by the gateway if it moves the row forward (sent < delivered <
/// read; failed only from pending, in flight or sent). True when the row changed.
[[nodiscard]] bool advance(SQLite::Database& db, std::int64_t id, std::string_view status, Timestamp at,
                           std::string_view error, Timestamp now);

} // namespace shiksha::detail::delivery_repo
