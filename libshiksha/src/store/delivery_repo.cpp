#include "store/delivery_repo.hpp"

#include "store/store.hpp"

#include <fmt/format.h>

namespace shiksha::detail::delivery_repo {

namespace {

constexpr const char* contact_columns =
    "id, cluster_id, name, phone, language, opted_in, created_at, updated_at";

Contact read_contact(SQLite::Statement& st) {
    Contact c;
    c.id = st.getColumn(0).getInt64();
    c.cluster_id = st.getColumn(1).getInt64();
    c.name = st.getColumn(2).getString();
    c.phone = st.getColumn(3).getString();
    c.language = st.getColumn(4).getString();
    c.opted_in = st.getColumn(5).getInt() != 0;
    c.created_at = to_timestamp(st.getColumn(6).getInt64());
    c.updated_at = to_timestamp(st.getColumn(7).getInt64());
    return c;
}

constexpr const char* row_columns =
    "id, module_id, cluster_id, export_id, phone, name, gateway, idempotency_key, generation, text, caption, "
    "document_path, document_name, document_url, status, attempts, next_attempt_at, attempt_started_at, "
    "last_error, link, created_at, updated_at, sent_at, delivered_at, read_at";

std::vector<std::string> message_ids(SQLite::Database& db, std::int64_t delivery_id) {
    SQLite::Statement st(db, "SELECT message_id FROM delivery_messages WHERE delivery_id = ? ORDER BY rowid");
    st.bind(1, delivery_id);
    std::vector<std::string> out;
    while (st.executeStep())
        out.push_back(st.getColumn(0).getString());
    return out;
}

OutboxRow read_row(SQLite::Database& db, SQLite::Statement& st) {
    OutboxRow r;
    Delivery& d = r.delivery;
    d.id = st.getColumn(0).getInt64();
    d.module_id = st.getColumn(1).getInt64();
    d.cluster_id = optional_int(st.getColumn(2));
    r.export_id = optional_int(st.getColumn(3));
    d.phone = st.getColumn(4).getString();
    d.name = st.getColumn(5).getString();
    d.gateway = st.getColumn(6).getString();
    r.idempotency_key = st.getColumn(7).getString();
    r.generation = st.getColumn(8).getInt();
    r.text = st.getColumn(9).getString();
    r.caption = st.getColumn(10).getString();
    r.document_path = st.getColumn(11).getString();
    r.document_name = st.getColumn(12).getString();
    r.document_url = st.getColumn(13).getString();
    d.include_pdf = !r.document_path.empty();
    d.status = st.getColumn(14).getString();
    d.attempts = st.getColumn(15).getInt();
    r.next_attempt_at = to_timestamp(st.getColumn(16).getInt64());
    if (auto t = optional_int(st.getColumn(17))) r.attempt_started_at = to_timestamp(*t);
    d.last_error = st.getColumn(18).getString();
    d.link = st.getColumn(19).getString();
    d.created_at = to_timestamp(st.getColumn(20).getInt64());
    d.updated_at = to_timestamp(st.getColumn(21).getInt64());
    if (auto t = optional_int(st.getColumn(22))) d.sent_at = to_timestamp(*t);
    if (auto t = optional_int(st.getColumn(23))) d.delivered_at = to_timestamp(*t);
    if (auto t = optional_int(st.getColumn(24))) d.read_at = to_timestamp(*t);
    d.message_ids = message_ids(db, d.id);
    return r;
}

std::vector<OutboxRow> read_rows(SQLite::Database& db, SQLite::Statement& st) {
    std::vector<OutboxRow> out;
    while (st.executeStep())
        out.push_back(read_row(db, st));
    return out;
}

/// Forward order of the statuses a gateway reports; failed is handled apart.
int rank(std::string_view status) {
    if (status == "pending") return 0;
    if (status == "in_flight") return 1;
    if (status == "sent") return 2;
    if (status == "delivered") return 3;
    if (status == "read") return 4;
    return -1;
}

} // namespace

Contact insert_contact(SQLite::Database& db, std::int64_t cluster_id, const Contact& c) {
    SQLite::Statement st(db, "INSERT INTO contacts (cluster_id, name, phone, language, opted_in, created_at, "
                             "updated_at) VALUES (?,?,?,?,?,?,?)");
    st.bind(1, cluster_id);
    st.bind(2, c.name);
    st.bind(3, c.phone);
    st.bind(4, c.language);
    st.bind(5, c.opted_in ? 1 : 0);
    st.bind(6, to_micros(c.created_at));
    st.bind(7, to_micros(c.updated_at));
    st.exec();
    return *contact(db, db.getLastInsertRowid());
}

std::optional<Contact> contact(SQLite::Database& db, std::int64_t id) {
    SQLite::Statement st(db, fmt::format("SELECT {} FROM contacts WHERE id = ?", contact_columns));
    st.bind(1, id);
    if (!st.executeStep()) return std::nullopt;
    return read_contact(st);
}

std::optional<Contact> contact_by_phone(SQLite::Database& db, std::int64_t cluster_id,
                                        std::string_view phone) {
    SQLite::Statement st(
        db, fmt::format("SELECT {} FROM contacts WHERE cluster_id = ? AND phone = ?", contact_columns));
    st.bind(1, cluster_id);
    st.bind(2, std::string(phone));
    if (!st.executeStep()) return std::nullopt;
    return read_contact(st);
}

std::vector<Contact> contacts(SQLite::Database& db, std::int64_t cluster_id) {
    SQLite::Statement st(
        db, fmt::format("SELECT {} FROM contacts WHERE cluster_id = ? ORDER BY name COLLATE NOCASE, id",
                        contact_columns));
    st.bind(1, cluster_id);
    std::vector<Contact> out;
    while (st.executeStep())
        out.push_back(read_contact(st));
    return out;
}

void update_contact(SQLite::Database& db, const Contact& c) {
    SQLite::Statement st(
        db, "UPDATE contacts SET name = ?, phone = ?, language = ?, opted_in = ?, updated_at = ? "
            "WHERE id = ?");
    st.bind(1, c.name);
    st.bind(2, c.phone);
    st.bind(3, c.language);
    st.bind(4, c.opted_in ? 1 : 0);
    st.bind(5, to_micros(c.updated_at));
    st.bind(6, c.id);
    st.exec();
}

bool remove_contact(SQLite::Database& db, std::int64_t id) {
    SQLite::Statement st(db, "DELETE FROM contacts WHERE id = ?");
    st.bind(1, id);
    return st.exec() > 0;
}

std::optional<OutboxRow> latest_for_key(SQLite::Database& db, std::string_view key) {
    SQLite::Statement st(db, fmt::format("SELECT {} FROM deliveries WHERE idempotency_key = ? "
                                         "ORDER BY generation DESC LIMIT 1",
                                         row_columns));
    st.bind(1, std::string(key));
    if (!st.executeStep()) return std::nullopt;
    return read_row(db, st);
}

OutboxRow insert(SQLite::Database& db, const OutboxRow& r, std::optional<std::int64_t> created_by) {
    const Delivery& d = r.delivery;
    SQLite::Statement st(db,
                         "INSERT INTO deliveries (module_id, cluster_id, export_id, phone, name, gateway, "
                         "idempotency_key, generation, text, caption, document_path, document_name, "
                         "document_url, status, next_attempt_at, link, created_by, created_at, updated_at) "
                         "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    st.bind(1, d.module_id);
    bind_optional(st, 2, d.cluster_id);
    bind_optional(st, 3, r.export_id);
    st.bind(4, d.phone);
    st.bind(5, d.name);
    st.bind(6, d.gateway);
    st.bind(7, r.idempotency_key);
    st.bind(8, r.generation);
    st.bind(9, r.text);
    st.bind(10, r.caption);
    st.bind(11, r.document_path);
    st.bind(12, r.document_name);
    st.bind(13, r.document_url);
    st.bind(14, d.status);
    st.bind(15, to_micros(r.next_attempt_at));
    st.bind(16, d.link);
    bind_optional(st, 17, created_by);
    st.bind(18, to_micros(d.created_at));
    st.bind(19, to_micros(d.created_at));
    st.exec();
    return *get(db, db.getLastInsertRowid());
}

std::optional<OutboxRow> get(SQLite::Database& db, std::int64_t id) {
    SQLite::Statement st(db, fmt::format("SELECT {} FROM deliveries WHERE id = ?", row_columns));
    st.bind(1, id);
    if (!st.executeStep()) return std::nullopt;
    return read_row(db, st);
}

std::vector<Delivery> for_module(SQLite::Database& db, std::int64_t module_id) {
    SQLite::Statement st(
        db, fmt::format("SELECT {} FROM deliveries WHERE module_id = ? ORDER BY id DESC", row_columns));
    st.bind(1, module_id);
    std::vector<Delivery> out;
    for (auto& r : read_rows(db, st))
        out.push_back(std::move(r.delivery));
    return out;
}

std::vector<OutboxRow> claim_due(SQLite::Database& db, Timestamp now, int limit) {
    SQLite::Statement st(
        db, fmt::format("SELECT {} FROM deliveries WHERE status = 'pending' AND next_attempt_at <= ? "
                        "ORDER BY next_attempt_at, id LIMIT ?",
                        row_columns));
    st.bind(1, to_micros(now));
    st.bind(2, limit);
    auto rows = read_rows(db, st);
    SQLite::Statement mark(db, "UPDATE deliveries SET status = 'in_flight', attempts = attempts + 1, "
                               "attempt_started_at = ?, updated_at = ? WHERE id = ?");
    for (auto& r : rows) {
        mark.bind(1, to_micros(now));
        mark.bind(2, to_micros(now));
        mark.bind(3, r.delivery.id);
        mark.exec();
        mark.reset();
        r.delivery.status = "in_flight";
        r.delivery.attempts += 1;
        r.attempt_started_at = now;
    }
    return rows;
}

std::vector<OutboxRow> in_flight(SQLite::Database& db) {
    SQLite::Statement st(
        db, fmt::format("SELECT {} FROM deliveries WHERE status = 'in_flight' ORDER BY id", row_columns));
    return read_rows(db, st);
}

std::optional<Timestamp> next_due(SQLite::Database& db) {
    SQLite::Statement st(db, "SELECT MIN(next_attempt_at) FROM deliveries WHERE status = 'pending'");
    if (!st.executeStep()) return std::nullopt;
    if (auto t = optional_int(st.getColumn(0))) return to_timestamp(*t);
    return std::nullopt;
}

int unfinished(SQLite::Database& db, std::int64_t module_id) {
    SQLite::Statement st(db, "SELECT COUNT(*) FROM deliveries WHERE status IN ('pending', 'in_flight') "
                             "AND (? = 0 OR module_id = ?)");
    st.bind(1, module_id);
    st.bind(2, module_id);
    st.executeStep();
    return st.getColumn(0).getInt();
}

void mark_sent(SQLite::Database& db, std::int64_t id, const std::vector<std::string>& message_ids,
               Timestamp now) {
    SQLite::Statement st(
        db, "UPDATE deliveries SET status = 'sent', sent_at = ?, updated_at = ?, last_error = '' "
            "WHERE id = ? AND status IN ('pending', 'in_flight')");
    st.bind(1, to_micros(now));
    st.bind(2, to_micros(now));
    st.bind(3, id);
    st.exec();
    add_message_ids(db, id, message_ids);
}

void add_message_ids(SQLite::Database& db, std::int64_t id, const std::vector<std::string>& message_ids) {
    SQLite::Statement ids(db,
                          "INSERT OR IGNORE INTO delivery_messages (message_id, delivery_id) VALUES (?, ?)");
    for (const auto& m : message_ids) {
        ids.bind(1, m);
        ids.bind(2, id);
        ids.exec();
        ids.reset();
    }
}

void mark_retry(SQLite::Database& db, std::int64_t id, std::string_view error, Timestamp next_attempt_at,
                Timestamp now) {
    SQLite::Statement st(db, "UPDATE deliveries SET status = 'pending', last_error = ?, next_attempt_at = ?, "
                             "updated_at = ? WHERE id = ? AND status = 'in_flight'");
    st.bind(1, std::string(error));
    st.bind(2, to_micros(next_attempt_at));
    st.bind(3, to_micros(now));
    st.bind(4, id);
    st.exec();
}

void mark_failed(SQLite::Database& db, std::int64_t id, std::string_view error, Timestamp now) {
    SQLite::Statement st(db, "UPDATE deliveries SET status = 'failed', last_error = ?, updated_at = ? "
                             "WHERE id = ? AND status IN ('pending', 'in_flight', 'sent')");
    st.bind(1, std::string(error));
    st.bind(2, to_micros(now));
    st.bind(3, id);
    st.exec();
}

void mark_manual(SQLite::Database& db, std::int64_t id, std::string_view link, Timestamp now) {
    SQLite::Statement st(db,
                         "UPDATE deliveries SET status = 'manual', link = ?, updated_at = ? WHERE id = ?");
    st.bind(1, std::string(link));
    st.bind(2, to_micros(now));
    st.bind(3, id);
    st.exec();
}

std::optional<std::int64_t> delivery_of_message(SQLite::Database& db, std::string_view message_id) {
    SQLite::Statement st(db, "SELECT delivery_id FROM delivery_messages WHERE message_id = ?");
    st.bind(1, std::string(message_id));
    if (!st.executeStep()) return std::nullopt;
    return st.getColumn(0).getInt64();
}

bool advance(SQLite::Database& db, std::int64_t id, std::string_view status, Timestamp at,
             std::string_view error, Timestamp now) {
    auto row = get(db, id);
    if (!row) return false;
    const std::string& current = row->delivery.status;
    if (status == "failed") {
        if (rank(current) < 0 || rank(current) > rank("sent")) return false;
        mark_failed(db, id, error, now);
        return true;
    }
    const int to = rank(status);
    // A status webhook can beat our own "sent" (we were still recording the answer) and can
    // arrive for a row the outbox gave up on: both are proof the message went out.
    const int from = current == "failed" ? rank("sent") : rank(current);
    if (to < 0 || from < 0 || to <= from) return false;
    // read implies delivered: both timestamps are set.
    SQLite::Statement st(
        db, "UPDATE deliveries SET status = ?, updated_at = ?, "
            "sent_at = COALESCE(sent_at, ?), "
            "delivered_at = CASE WHEN ? >= 3 THEN COALESCE(delivered_at, ?) ELSE delivered_at END, "
            "read_at = CASE WHEN ? >= 4 THEN COALESCE(read_at, ?) ELSE read_at END "
            "WHERE id = ?");
    st.bind(1, std::string(status));
    st.bind(2, to_micros(now));
    st.bind(3, to_micros(at));
    st.bind(4, to);
    st.bind(5, to_micros(at));
    st.bind(6, to);
    st.bind(7, to_micros(at));
    st.bind(8, id);
    st.exec();
    return true;
}

} // namespace shiksha::detail::delivery_repo
