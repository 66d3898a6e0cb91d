#include "shiksha/delivery.hpp"

#include "auth/crypto.hpp"
#include "core/random.hpp"
#include "core/text.hpp"
#include "delivery/delivery_engine_impl.hpp"
#include "shiksha/languages.hpp"
#include "store/auth_repo.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <set>

namespace shiksha {

namespace {

namespace repo = detail::delivery_repo;

constexpr std::size_t max_custom_message = 4000;
constexpr std::size_t max_name = 200;

Error contact_not_found(std::int64_t id) {
    return Error{ErrorCode::not_found, fmt::format("Contact with ID {} not found", id), {}};
}

void audit(SQLite::Database& db, const Actor& actor, std::string_view action, std::string target,
           Json detail) {
    detail::audit_repo::append(db, {0, now_utc(), actor.user_id, std::string(action), std::move(target),
                                    detail.dump(), actor.request_id, actor.client});
}

/// The module's text in `language` (its translation when it has one), else English.
const ModuleContent& content_in(const Module& m, std::string_view language) {
    for (const auto& t : m.translations) {
        if (t.language == language) return t.content;
    }
    return m.content;
}

/// The default WhatsApp text: title, summary, the PDF link when nothing is attached.
std::string default_text(const ModuleContent& c, std::string_view cluster, std::string_view pdf_link) {
    std::string text = fmt::format("*{}*", c.title);
    if (!c.summary.empty()) text += "\n\n" + c.summary;
    if (!cluster.empty()) text += fmt::format("\n\nFor: {}", cluster);
    if (!pdf_link.empty()) text += fmt::format("\nPDF: {}", pdf_link);
    text += "\n\n— Shiksha-Setu";
    return text;
}

struct Recipient {
    std::string phone;
    std::string name;
};

Result<Contact> validated_contact(const NewContact& in, const Config& config) {
    Contact c;
    c.name = std::string(detail::trim(in.name));
    if (c.name.empty()) return fail_field("name", "name: Field required");
    if (c.name.size() > max_name) return fail_field("name", "name: at most 200 characters");
    if (!detail::valid_utf8(c.name)) return fail_field("name", "name: not valid UTF-8");
    auto phone = normalize_phone(in.phone, config.delivery.extra_country_codes);
    if (!phone) return std::unexpected(phone.error());
    c.phone = *phone;
    if (!in.language.empty()) {
        const Language* l = find_language(in.language);
        if (!l)
            return fail_field("language", fmt::format("language: '{}' is not supported; use one of {}",
                                                      in.language, supported_language_list()));
        c.language = std::string(l->key);
    }
    c.opted_in = in.opted_in;
    return c;
}

std::optional<bool> parse_bool(std::string_view text) {
    const auto t = detail::ascii_lower(detail::trim(text));
    if (t == "true" || t == "yes" || t == "1" || t == "y") return true;
    if (t == "false" || t == "no" || t == "0" || t == "n") return false;
    return std::nullopt;
}

} // namespace

DeliveryEngine::DeliveryEngine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DeliveryEngine::~DeliveryEngine() = default;

Result<ShareResult> DeliveryEngine::share_whatsapp(const ShareRequest& request, const Actor& actor) {
    auto& d = *impl_;
    auto module = d.modules.get(request.module_id);
    if (!module) return std::unexpected(module.error());
    if (request.custom_message && request.custom_message->size() > max_custom_message)
        return fail_field("custom_message", "custom_message: at most 4,000 characters");
    if (request.custom_message && !detail::valid_utf8(*request.custom_message))
        return fail_field("custom_message", "custom_message: not valid UTF-8");

    std::string cluster_name;
    ShareResult result;
    std::vector<Recipient> recipients;
    std::set<std::string, std::less<>> seen;
    for (const auto& input : request.recipient_numbers) {
        auto phone = normalize_phone(input, d.config.delivery.extra_country_codes);
        if (!phone) {
            result.rejected.push_back({input, phone.error().message});
        } else if (seen.insert(*phone).second) {
            recipients.push_back({*phone, {}});
        }
    }
    if (request.cluster_id) {
        auto cluster = d.clusters.get(*request.cluster_id);
        if (!cluster) return std::unexpected(cluster.error());
        cluster_name = cluster->name;
        auto contacts = d.store->read([&](SQLite::Database& db) -> Result<std::vector<Contact>> {
            return repo::contacts(db, *request.cluster_id);
        });
        if (!contacts) return std::unexpected(contacts.error());
        for (const auto& c : *contacts) {
            if (c.opted_in && seen.insert(c.phone).second) recipients.push_back({c.phone, c.name});
        }
    }
    if (recipients.empty()) {
        return fail_field("recipient_numbers",
                          result.rejected.empty()
                              ? "no recipients: give recipient_numbers or a cluster_id with opted-in contacts"
                              : fmt::format("no valid recipient: {}", result.rejected.front().error));
    }

    // The language asked for; without one the export prints the module's own language when it
    // has a translation into it, else English (and says so in the log), like any export.
    std::string language = request.language.value_or("");
    if (request.language && !find_language(*request.language))
        return fail_field("language", fmt::format("language: '{}' is not supported; use one of {}",
                                                  *request.language, supported_language_list()));
    const std::string gateway(d.gateway->name());
    const bool deeplink = gateway == "deeplink";
    // What identifies "the same thing": the module, the recipient and what they would receive.
    const std::string content_key = detail::hex_encode(detail::sha256(
        fmt::format("{}\n{}\n{}\n{}\n{}", gateway, language, request.include_pdf ? 1 : 0,
                    request.custom_message.value_or(""), module->updated_at.time_since_epoch().count())));
    auto key_for = [&](std::string_view phone) {
        return detail::hex_encode(detail::sha256(fmt::format("{}\n{}\n{}", module->id, phone, content_key)));
    };

    // Which recipients already have it: only the others need a PDF and a new row.
    std::vector<std::optional<repo::OutboxRow>> existing(recipients.size());
    auto looked = d.store->read([&](SQLite::Database& db) -> Result<void> {
        for (std::size_t i = 0; i < recipients.size(); ++i)
            existing[i] = repo::latest_for_key(db, key_for(recipients[i].phone));
        return {};
    });
    if (!looked) return std::unexpected(looked.error());
    const bool any_new =
        request.resend || std::ranges::any_of(existing, [](const auto& e) { return !e.has_value(); });

    std::optional<ExportedFile> pdf;
    std::string pdf_link;
    if (request.include_pdf && any_new) {
        PdfOptions options;
        options.language = request.language;
        options.public_url = request.public_url;
        auto exported = d.exports.module_pdf(module->id, options, actor);
        if (!exported) return std::unexpected(exported.error());
        pdf = std::move(*exported);
        auto link = d.exports.public_link(pdf->id, request.public_url);
        if (!link) return std::unexpected(link.error());
        pdf_link = std::move(*link);
        result.export_id = pdf->id;
        result.pdf_filename = pdf->filename;
        result.pdf_url = pdf_link;
    }

    if (pdf) language = pdf->language;
    if (language.empty()) language = module->language.value_or("english");
    if (const Language* l = find_language(language)) language = std::string(l->key);
    const auto& content = content_in(*module, language);
    // A deep link carries only text, so the PDF goes in as its public link; the gateways attach it.
    // A path alone (no public base known) is no use in a message.
    const bool absolute = pdf_link.starts_with("http://") || pdf_link.starts_with("https://");
    const std::string link_in_text = deeplink && absolute ? pdf_link : "";
    std::string text =
        request.custom_message ? *request.custom_message : default_text(content, cluster_name, link_in_text);
    if (request.custom_message && !link_in_text.empty()) text += "\n\nPDF: " + link_in_text;
    const auto now = now_utc();
    auto stored = d.store->write([&](SQLite::Database& db) -> Result<std::vector<Delivery>> {
        std::vector<Delivery> out;
        int queued = 0, reused = 0;
        for (std::size_t i = 0; i < recipients.size(); ++i) {
            const auto key = key_for(recipients[i].phone);
            auto latest = repo::latest_for_key(db, key);
            if (latest && !request.resend) {
                out.push_back(latest->delivery);
                ++reused;
                continue;
            }
            repo::OutboxRow row;
            row.delivery.module_id = module->id;
            row.delivery.cluster_id = request.cluster_id;
            row.delivery.phone = recipients[i].phone;
            row.delivery.name = recipients[i].name;
            row.delivery.gateway = gateway;
            row.delivery.status = deeplink ? "manual" : "pending";
            row.delivery.created_at = now;
            row.idempotency_key = key;
            row.generation = latest ? latest->generation + 1 : 0;
            row.text = text;
            if (pdf) {
                row.export_id = pdf->id;
                row.document_path = pdf->path.string();
                row.document_name = pdf->filename;
                row.document_url = absolute ? pdf_link : "";
                row.caption = content.title;
            }
            if (deeplink) row.delivery.link = detail::delivery::wa_me_link(row.delivery.phone, text);
            row.next_attempt_at = now;
            out.push_back(repo::insert(db, row, actor.user_id).delivery);
            ++queued;
        }
        audit(db, actor, "module.share_whatsapp", fmt::format("module:{}", module->id),
              Json::object({{"gateway", gateway},
                            {"queued", queued},
                            {"reused", reused},
                            {"rejected", static_cast<std::int64_t>(result.rejected.size())}}));
        result.queued = queued;
        result.reused = reused;
        return out;
    });
    if (!stored) return std::unexpected(stored.error());
    result.deliveries = std::move(*stored);
    d.metrics.counter("shiksha_whatsapp_queued_total", "WhatsApp messages queued").inc(result.queued);
    d.logger.info("module shared on WhatsApp",
                  {{"module_id", module->id},
                   {"gateway", gateway},
                   {"queued", result.queued},
                   {"reused", result.reused},
                   {"rejected", static_cast<std::int64_t>(result.rejected.size())},
                   {"request_id", actor.request_id}});
    if (result.queued > 0 && !deeplink) {
        d.wake();
        if (request.wait_first_attempt.count() > 0 &&
            static_cast<std::size_t>(result.queued) <= request.wait_max_recipients) {
            std::vector<std::int64_t> ids;
            for (const auto& dl : result.deliveries)
                if (dl.status == "pending" || dl.status == "in_flight") ids.push_back(dl.id);
            // Bounded: what has not been tried by then is reported as it stands (pending).
            auto fresh = d.wait_first_attempt(ids, request.wait_first_attempt);
            if (fresh) {
                for (auto& dl : result.deliveries) {
                    auto it = std::ranges::find_if(*fresh, [&](const Delivery& f) { return f.id == dl.id; });
                    if (it != fresh->end()) dl = *it;
                }
            } else {
                d.logger.warn("cannot read the first delivery attempts", {{"error", fresh.error().message}});
            }
        }
    }
    for (const auto& dl : result.deliveries) {
        if (dl.status == "sent" || dl.status == "delivered" || dl.status == "read")
            ++result.accepted;
        else if (dl.status == "failed")
            ++result.failed;
        else if (dl.status == "pending" || dl.status == "in_flight")
            ++result.pending;
    }
    return result;
}

Result<DeliveryReport> DeliveryEngine::report(std::int64_t module_id) {
    auto module = impl_->modules.get(module_id);
    if (!module) return std::unexpected(module.error());
    return impl_->store->read([&](SQLite::Database& db) -> Result<DeliveryReport> {
        DeliveryReport r;
        r.module_id = module_id;
        r.deliveries = repo::for_module(db, module_id);
        for (const char* s : {"pending", "in_flight", "sent", "delivered", "read", "failed", "manual"})
            r.counts[s] = 0;
        for (const auto& dl : r.deliveries)
            ++r.counts[dl.status];
        return r;
    });
}

Result<Delivery> DeliveryEngine::get(std::int64_t delivery_id) {
    return impl_->store->read([&](SQLite::Database& db) -> Result<Delivery> {
        auto row = repo::get(db, delivery_id);
        if (!row)
            return fail(ErrorCode::not_found, fmt::format("Delivery with ID {} not found", delivery_id));
        return row->delivery;
    });
}

Result<void> DeliveryEngine::wait_idle(std::int64_t module_id, std::chrono::milliseconds timeout) {
    return impl_->wait_idle(module_id, timeout);
}

Result<Contact> DeliveryEngine::add_contact(std::int64_t cluster_id, const NewContact& in,
                                            const Actor& actor) {
    auto& d = *impl_;
    if (auto cluster = d.clusters.get(cluster_id); !cluster) return std::unexpected(cluster.error());
    auto c = validated_contact(in, d.config);
    if (!c) return std::unexpected(c.error());
    return d.store->write([&](SQLite::Database& db) -> Result<Contact> {
        if (repo::contact_by_phone(db, cluster_id, c->phone))
            return fail(ErrorCode::conflict,
                        fmt::format("{} is already a contact of this cluster", c->phone));
        c->created_at = c->updated_at = now_utc();
        auto stored = repo::insert_contact(db, cluster_id, *c);
        audit(db, actor, "contact.create", fmt::format("contact:{}", stored.id),
              Json::object({{"cluster_id", cluster_id}}));
        return stored;
    });
}

Result<std::vector<Contact>> DeliveryEngine::contacts(std::int64_t cluster_id) {
    if (auto cluster = impl_->clusters.get(cluster_id); !cluster) return std::unexpected(cluster.error());
    return impl_->store->read(
        [&](SQLite::Database& db) -> Result<std::vector<Contact>> { return repo::contacts(db, cluster_id); });
}

Result<Contact> DeliveryEngine::update_contact(std::int64_t contact_id, const ContactPatch& patch,
                                               const Actor& actor) {
    auto& d = *impl_;
    return d.store->write([&](SQLite::Database& db) -> Result<Contact> {
        auto current = repo::contact(db, contact_id);
        if (!current) return std::unexpected(contact_not_found(contact_id));
        NewContact merged{patch.name.value_or(current->name), patch.phone.value_or(current->phone),
                          patch.language.value_or(current->language),
                          patch.opted_in.value_or(current->opted_in)};
        auto c = validated_contact(merged, d.config);
        if (!c) return std::unexpected(c.error());
        if (c->phone != current->phone && repo::contact_by_phone(db, current->cluster_id, c->phone))
            return fail(ErrorCode::conflict,
                        fmt::format("{} is already a contact of this cluster", c->phone));
        c->id = current->id;
        c->cluster_id = current->cluster_id;
        c->created_at = current->created_at;
        c->updated_at = now_utc();
        repo::update_contact(db, *c);
        audit(db, actor, "contact.update", fmt::format("contact:{}", contact_id), Json::object());
        return *c;
    });
}

Result<void> DeliveryEngine::remove_contact(std::int64_t contact_id, const Actor& actor) {
    return impl_->store->write([&](SQLite::Database& db) -> Result<void> {
        if (!repo::remove_contact(db, contact_id)) return std::unexpected(contact_not_found(contact_id));
        audit(db, actor, "contact.delete", fmt::format("contact:{}", contact_id), Json::object());
        return {};
    });
}

Result<ContactImport> DeliveryEngine::import_contacts_csv(std::int64_t cluster_id, std::string_view csv,
                                                          const Actor& actor) {
    auto& d = *impl_;
    if (auto cluster = d.clusters.get(cluster_id); !cluster) return std::unexpected(cluster.error());
    if (!detail::valid_utf8(csv)) return fail_field("file", "the CSV is not valid UTF-8");
    if (csv.starts_with("\xEF\xBB\xBF")) csv.remove_prefix(3); // Excel's BOM
    std::size_t at = 0;
    const auto header = detail::csv_record(csv, at);
    int name_col = -1, phone_col = -1, language_col = -1, opted_col = -1;
    for (std::size_t i = 0; i < header.size(); ++i) {
        const auto h = detail::ascii_lower(detail::trim(header[i]));
        const int col = static_cast<int>(i);
        if (h == "name") name_col = col;
        if (h == "phone" || h == "phone_number" || h == "mobile") phone_col = col;
        if (h == "language") language_col = col;
        if (h == "opted_in" || h == "opt_in") opted_col = col;
    }
    if (name_col < 0 || phone_col < 0)
        return fail_field("file", "the CSV's first line must name the columns, with at least name and phone");

    struct Parsed {
        int line;
        Contact contact;
    };
    ContactImport report;
    std::vector<Parsed> rows;
    for (int line = 2; at < csv.size(); ++line) {
        const auto fields = detail::csv_record(csv, at);
        if (fields.size() == 1 && detail::trim(fields[0]).empty()) continue; // blank line
        auto field = [&](int col) {
            return col >= 0 && col < static_cast<int>(fields.size()) ? fields[col] : "";
        };
        NewContact in{field(name_col), field(phone_col), field(language_col), true};
        if (opted_col >= 0 && !detail::trim(field(opted_col)).empty()) {
            const auto opted = parse_bool(field(opted_col));
            if (!opted) {
                report.problems.push_back({line, "opted_in must be true/false, yes/no or 1/0"});
                continue;
            }
            in.opted_in = *opted;
        }
        auto c = validated_contact(in, d.config);
        if (!c) {
            report.problems.push_back({line, c.error().message});
            continue;
        }
        rows.push_back({line, std::move(*c)});
    }
    auto saved = d.store->write([&](SQLite::Database& db) -> Result<void> {
        const auto now = now_utc();
        for (auto& r : rows) {
            r.contact.updated_at = now;
            if (auto current = repo::contact_by_phone(db, cluster_id, r.contact.phone)) {
                r.contact.id = current->id;
                r.contact.cluster_id = cluster_id;
                r.contact.created_at = current->created_at;
                repo::update_contact(db, r.contact);
                ++report.updated;
            } else {
                r.contact.created_at = now;
                (void)repo::insert_contact(db, cluster_id, r.contact);
                ++report.added;
            }
        }
        audit(db, actor, "contact.import", fmt::format("cluster:{}", cluster_id),
              Json::object({{"added", report.added},
                            {"updated", report.updated},
                            {"problems", static_cast<std::int64_t>(report.problems.size())}}));
        return {};
    });
    if (!saved) return std::unexpected(saved.error());
    return report;
}

namespace {

/// Applies gateway status events; returns how many rows moved.
int apply_events(DeliveryEngine::Impl& d, const std::vector<detail::delivery::StatusEvent>& events) {
    int moved = 0;
    auto applied = d.store->write([&](SQLite::Database& db) -> Result<void> {
        const auto now = now_utc();
        for (const auto& e : events) {
            auto id = repo::delivery_of_message(db, e.message_id);
            if (!id && e.reference.starts_with("shiksha-")) {
                std::int64_t parsed = 0;
                const auto digits = std::string_view(e.reference).substr(8);
                if (std::from_chars(digits.data(), digits.data() + digits.size(), parsed).ec == std::errc{})
                    id = parsed;
            }
            if (!id) continue; // not ours (another app on the same number)
            if (repo::advance(db, *id, e.status, e.at.value_or(now), e.error, now)) ++moved;
        }
        return {};
    });
    if (!applied) d.logger.error("cannot apply status webhook", {{"error", applied.error().message}});
    d.metrics.counter("shiksha_whatsapp_status_events_total", "Status events received from gateways")
        .inc(static_cast<double>(events.size()));
    return moved;
}

} // namespace

Result<std::string> DeliveryEngine::meta_webhook_challenge(std::string_view mode,
                                                           std::string_view verify_token,
                                                           std::string_view challenge) {
    const auto& expected = impl_->config.delivery.meta_verify_token;
    if (expected.empty())
        return fail(ErrorCode::unavailable,
                    "the Meta webhook is not configured: set SHIKSHA_META_VERIFY_TOKEN");
    if (mode != "subscribe" || !detail::constant_time_equal(expected, verify_token))
        return fail(ErrorCode::permission_denied, "verification token mismatch");
    return std::string(challenge);
}

Result<int> DeliveryEngine::meta_webhook(std::string_view body, std::string_view signature) {
    auto& d = *impl_;
    const auto& secret = d.config.delivery.meta_app_secret;
    if (secret.empty())
        return fail(ErrorCode::unavailable,
                    "the Meta webhook is not configured: set SHIKSHA_META_APP_SECRET");
    if (!detail::delivery::verify_meta_signature(secret, body, signature))
        return fail(ErrorCode::unauthenticated, "invalid or missing X-Hub-Signature-256");
    auto events = detail::delivery::parse_meta_webhook(body);
    if (!events) return std::unexpected(events.error());
    return apply_events(d, *events);
}

Result<int> DeliveryEngine::twilio_callback(std::string_view url,
                                            const std::vector<std::pair<std::string, std::string>>& params,
                                            std::string_view signature) {
    auto& d = *impl_;
    const auto& token = d.config.delivery.twilio_auth_token;
    if (token.empty())
        return fail(ErrorCode::unavailable,
                    "the Twilio callback is not configured: set SHIKSHA_TWILIO_AUTH_TOKEN");
    if (!detail::delivery::verify_twilio_signature(token, url, params, signature))
        return fail(ErrorCode::unauthenticated, "invalid or missing X-Twilio-Signature");
    auto event = detail::delivery::parse_twilio_callback(params);
    if (!event) return 0;
    return apply_events(d, {*event});
}

namespace {

Json optional_time(const std::optional<Timestamp>& t) {
    return t ? Json(format_timestamp(*t)) : Json();
}

} // namespace

Json to_json(const Delivery& d) {
    Json ids = Json::array();
    for (const auto& m : d.message_ids)
        ids.push_back(m);
    return Json::object({{"id", d.id},
                         {"module_id", d.module_id},
                         {"cluster_id", d.cluster_id ? Json(*d.cluster_id) : Json()},
                         {"phone", d.phone},
                         {"name", d.name},
                         {"gateway", d.gateway},
                         {"status", d.status},
                         {"message_id", d.message_ids.empty() ? Json() : Json(d.message_ids.front())},
                         {"message_ids", std::move(ids)},
                         {"attempts", d.attempts},
                         {"last_error", d.last_error.empty() ? Json() : Json(d.last_error)},
                         {"link", d.link.empty() ? Json() : Json(d.link)},
                         {"include_pdf", d.include_pdf},
                         {"created_at", format_timestamp(d.created_at)},
                         {"updated_at", format_timestamp(d.updated_at)},
                         {"sent_at", optional_time(d.sent_at)},
                         {"delivered_at", optional_time(d.delivered_at)},
                         {"read_at", optional_time(d.read_at)}});
}

Json to_json(const Contact& c) {
    return Json::object({{"id", c.id},
                         {"cluster_id", c.cluster_id},
                         {"name", c.name},
                         {"phone", c.phone},
                         {"language", c.language.empty() ? Json() : Json(c.language)},
                         {"opted_in", c.opted_in},
                         {"created_at", format_timestamp(c.created_at)},
                         {"updated_at", format_timestamp(c.updated_at)}});
}

Json to_json(const DeliveryReport& r) {
    Json counts = Json::object();
    for (const auto& [status, n] : r.counts)
        counts[status] = n;
    Json rows = Json::array();
    for (const auto& d : r.deliveries)
        rows.push_back(to_json(d));
    return Json::object({{"module_id", r.module_id},
                         {"total", static_cast<std::int64_t>(r.deliveries.size())},
                         {"counts", std::move(counts)},
                         {"deliveries", std::move(rows)}});
}

} // namespace shiksha
