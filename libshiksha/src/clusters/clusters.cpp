#include "shiksha/clusters.hpp"

#include "clusters/cluster_engine_impl.hpp"
#include "core/files.hpp"
#include "core/validate.hpp"
#include "store/auth_repo.hpp"
#include "store/cluster_repo.hpp"
#include "store/export_repo.hpp"

#include <fmt/format.h>

namespace shiksha {

namespace {

using L = ClusterLimits;

Result<NewCluster> validated(const NewCluster& in) {
    NewCluster c;
    auto name = detail::check_text("name", in.name, L::name_min, L::name_max);
    if (!name) return std::unexpected(name.error());
    auto region = detail::check_text("region_type", in.region_type, 1, L::region_type_max);
    if (!region) return std::unexpected(region.error());
    auto language = detail::check_text("language", in.language, 1, L::language_max);
    if (!language) return std::unexpected(language.error());
    auto infra = detail::check_text("infrastructure_constraints", in.infrastructure_constraints, 1,
                                    L::infrastructure_max);
    if (!infra) return std::unexpected(infra.error());
    auto issues = detail::check_optional_text("key_issues", in.key_issues, L::free_text_max);
    if (!issues) return std::unexpected(issues.error());
    auto notes = detail::check_optional_text("additional_notes", in.additional_notes, L::free_text_max);
    if (!notes) return std::unexpected(notes.error());
    auto teachers = detail::check_range("total_teachers", in.total_teachers, 0, L::total_teachers_max);
    if (!teachers) return std::unexpected(teachers.error());
    c.name = std::move(*name);
    c.region_type = std::move(*region);
    c.language = std::move(*language);
    c.infrastructure_constraints = std::move(*infra);
    c.key_issues = std::move(*issues);
    c.additional_notes = std::move(*notes);
    c.total_teachers = *teachers;
    return c;
}

Error not_found(std::int64_t id) {
    return Error{ErrorCode::not_found, fmt::format("Cluster with ID {} not found", id), {}};
}

Error duplicate(std::string_view name) {
    return Error{ErrorCode::conflict, fmt::format("Cluster with name '{}' already exists", name), "name"};
}

void audit(SQLite::Database& db, const Actor& actor, std::string_view action, std::int64_t id,
           Json detail = {}) {
    detail::audit_repo::append(db, {0, now_utc(), actor.user_id, std::string(action),
                                    fmt::format("cluster:{}", id), detail.is_null() ? "{}" : detail.dump(),
                                    actor.request_id, actor.client});
}

} // namespace

ClusterEngine::ClusterEngine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ClusterEngine::~ClusterEngine() = default;

Result<Cluster> ClusterEngine::create(const NewCluster& input, const Actor& actor) {
    auto c = validated(input);
    if (!c) return std::unexpected(c.error());
    auto created = impl_->store->write([&](SQLite::Database& db) -> Result<Cluster> {
        if (detail::cluster_repo::find_name(db, c->name)) return std::unexpected(duplicate(c->name));
        Cluster cluster = detail::cluster_repo::insert(db, *c, now_utc());
        audit(db, actor, "cluster.create", cluster.id, Json::object({{"name", cluster.name}}));
        return cluster;
    });
    if (created)
        impl_->logger.info("cluster created",
                           {{"cluster_id", created->id}, {"request_id", actor.request_id}});
    return created;
}

Result<Cluster> ClusterEngine::get(std::int64_t id) {
    return impl_->store->read([&](SQLite::Database& db) -> Result<Cluster> {
        auto c = detail::cluster_repo::get(db, id);
        if (!c) return std::unexpected(not_found(id));
        return *c;
    });
}

Result<std::vector<Cluster>> ClusterEngine::list(const ClusterQuery& query) {
    if (auto ok = detail::check_page(query.page.skip, query.page.limit); !ok)
        return std::unexpected(ok.error());
    return impl_->store->read([&](SQLite::Database& db) -> Result<std::vector<Cluster>> {
        return detail::cluster_repo::list(db, query);
    });
}

Result<std::int64_t> ClusterEngine::count() {
    return impl_->store->read(
        [](SQLite::Database& db) -> Result<std::int64_t> { return detail::cluster_repo::count(db); });
}

Result<Cluster> ClusterEngine::update(std::int64_t id, const ClusterPatch& patch, const Actor& actor) {
    return impl_->store->write([&](SQLite::Database& db) -> Result<Cluster> {
        auto current = detail::cluster_repo::get(db, id);
        if (!current) return std::unexpected(not_found(id));
        // Merge, then validate the whole record: the same rules as create, one place.
        NewCluster merged{patch.name.value_or(current->name),
                          patch.region_type.value_or(current->region_type),
                          patch.language.value_or(current->language),
                          patch.infrastructure_constraints.value_or(current->infrastructure_constraints),
                          patch.key_issues.value_or(current->key_issues),
                          patch.total_teachers.value_or(current->total_teachers),
                          patch.additional_notes.value_or(current->additional_notes)};
        auto valid = validated(merged);
        if (!valid) return std::unexpected(valid.error());
        if (detail::cluster_repo::find_name(db, valid->name, id))
            return std::unexpected(duplicate(valid->name));
        Cluster updated = *current;
        updated.name = valid->name;
        updated.region_type = valid->region_type;
        updated.language = valid->language;
        updated.infrastructure_constraints = valid->infrastructure_constraints;
        updated.key_issues = valid->key_issues;
        updated.total_teachers = valid->total_teachers;
        updated.additional_notes = valid->additional_notes;
        updated.updated_at = now_utc();
        detail::cluster_repo::update(db, updated);
        audit(db, actor, "cluster.update", id);
        return updated;
    });
}

Result<void> ClusterEngine::remove(std::int64_t id, const Actor& actor) {
    auto removed =
        impl_->store->write([&](SQLite::Database& db) -> Result<std::vector<std::filesystem::path>> {
            // Foreign keys cascade to everything adapted for the cluster: hidden flags, modules
            // with their translations and exports (whose files go once this commits).
            auto exported = detail::export_repo::files_of(db, detail::export_repo::Owner::cluster, id);
            if (!detail::cluster_repo::remove(db, id)) return std::unexpected(not_found(id));
            audit(db, actor, "cluster.delete", id);
            return exported;
        });
    if (!removed) return std::unexpected(removed.error());
    detail::remove_files(*removed, impl_->logger);
    impl_->logger.info("cluster deleted", {{"cluster_id", id}, {"request_id", actor.request_id}});
    return {};
}

Result<ClusterRemoval> ClusterEngine::remove_as(std::int64_t id, const User& user, const Actor& actor) {
    if (role_at_least(user.role, Role::principal)) {
        auto removed = remove(id, actor);
        if (!removed) return std::unexpected(removed.error());
        return ClusterRemoval::deleted;
    }
    return impl_->store->write([&](SQLite::Database& db) -> Result<ClusterRemoval> {
        if (!detail::cluster_repo::get(db, id)) return std::unexpected(not_found(id));
        detail::cluster_repo::hide(db, id, user.id, now_utc());
        audit(db, actor, "cluster.hide", id);
        return ClusterRemoval::hidden;
    });
}

Result<Cluster> ClusterEngine::toggle_pin(std::int64_t id, const Actor& actor) {
    return impl_->store->write([&](SQLite::Database& db) -> Result<Cluster> {
        auto c = detail::cluster_repo::get(db, id);
        if (!c) return std::unexpected(not_found(id));
        c->pinned = !c->pinned;
        c->updated_at = now_utc();
        detail::cluster_repo::update(db, *c);
        audit(db, actor, c->pinned ? "cluster.pin" : "cluster.unpin", id);
        return *c;
    });
}

} // namespace shiksha
