// Wire form of clusters (API contract §3): the alias keys the original backend emits, plus the
// DB-name duplicates its generator page reads. Requests may use either spelling.
#include "shiksha/clusters.hpp"

#include <fmt/format.h>

#include <cmath>

namespace shiksha {

namespace {

Json optional_json(const std::optional<std::string>& v) {
    return v ? Json(*v) : Json();
}

/// The member under its wire name, or under its DB name when the wire name is absent.
const Json* member(const Json& body, std::string_view wire, std::string_view db_name = {}) {
    if (const Json* v = body.find(wire)) return v;
    return db_name.empty() ? nullptr : body.find(db_name);
}

Result<std::string> as_string(std::string_view field, const Json& v) {
    if (v.is_null()) return fail_field(std::string(field), fmt::format("{}: must not be null", field));
    if (!v.is_string())
        return fail_field(std::string(field), fmt::format("{}: Input should be a valid string", field));
    return v.as_string();
}

Result<std::optional<std::string>> as_optional_string(std::string_view field, const Json& v) {
    if (v.is_null()) return std::optional<std::string>();
    auto s = as_string(field, v);
    if (!s) return std::unexpected(s.error());
    return std::optional<std::string>(std::move(*s));
}

Result<std::int64_t> as_integer(std::string_view field, const Json& v) {
    if (v.is_int()) return v.as_int();
    // Lax like pydantic: 12.0 is an integer, 12.5 and "12" are not.
    if (v.is_number() && std::trunc(v.as_double()) == v.as_double() && std::abs(v.as_double()) < 9e15) {
        return static_cast<std::int64_t>(v.as_double());
    }
    return fail_field(std::string(field), fmt::format("{}: Input should be a valid integer", field));
}

Result<void> require_object(const Json& body) {
    if (!body.is_object()) {
        return fail_field("body",
                          fmt::format("body: expected a JSON object, got {}", to_string(body.kind())));
    }
    return {};
}

struct StringField {
    std::string_view wire, db;
    std::string NewCluster::*create_target;
    std::optional<std::string> ClusterPatch::*patch_target;
};

constexpr StringField required_fields[] = {
    {"name", "", &NewCluster::name, &ClusterPatch::name},
    {"region_type", "geographic_type", &NewCluster::region_type, &ClusterPatch::region_type},
    {"language", "primary_language", &NewCluster::language, &ClusterPatch::language},
    {"infrastructure_constraints", "infrastructure_level", &NewCluster::infrastructure_constraints,
     &ClusterPatch::infrastructure_constraints},
};

struct NullableField {
    std::string_view wire, db;
    std::optional<std::string> NewCluster::*create_target;
    std::optional<std::optional<std::string>> ClusterPatch::*patch_target;
};

constexpr NullableField nullable_fields[] = {
    {"key_issues", "specific_challenges", &NewCluster::key_issues, &ClusterPatch::key_issues},
    {"additional_notes", "", &NewCluster::additional_notes, &ClusterPatch::additional_notes},
};

} // namespace

Json to_json(const Cluster& c) {
    return Json::object({
        {"id", c.id},
        {"name", c.name},
        {"region_type", c.region_type},
        {"language", c.language},
        {"infrastructure_constraints", c.infrastructure_constraints},
        {"key_issues", optional_json(c.key_issues)},
        {"total_teachers", c.total_teachers},
        {"additional_notes", optional_json(c.additional_notes)},
        {"pinned", c.pinned},
        {"created_at", format_timestamp(c.created_at)},
        {"updated_at", format_timestamp(c.updated_at)},
        {"geographic_type", c.region_type},
        {"primary_language", c.language},
        {"infrastructure_level", c.infrastructure_constraints},
        {"specific_challenges", optional_json(c.key_issues)},
    });
}

Result<NewCluster> new_cluster_from_json(const Json& body) {
    if (auto ok = require_object(body); !ok) return std::unexpected(ok.error());
    NewCluster c;
    for (const auto& f : required_fields) {
        const Json* v = member(body, f.wire, f.db);
        if (!v) return fail_field(std::string(f.wire), fmt::format("{}: Field required", f.wire));
        auto s = as_string(f.wire, *v);
        if (!s) return std::unexpected(s.error());
        c.*f.create_target = std::move(*s);
    }
    for (const auto& f : nullable_fields) {
        if (const Json* v = member(body, f.wire, f.db)) {
            auto s = as_optional_string(f.wire, *v);
            if (!s) return std::unexpected(s.error());
            c.*f.create_target = std::move(*s);
        }
    }
    if (const Json* v = member(body, "total_teachers"); v && !v->is_null()) {
        auto n = as_integer("total_teachers", *v);
        if (!n) return std::unexpected(n.error());
        c.total_teachers = *n;
    }
    return c;
}

Result<ClusterPatch> cluster_patch_from_json(const Json& body) {
    if (auto ok = require_object(body); !ok) return std::unexpected(ok.error());
    ClusterPatch p;
    for (const auto& f : required_fields) {
        if (const Json* v = member(body, f.wire, f.db)) {
            auto s = as_string(f.wire, *v);
            if (!s) return std::unexpected(s.error());
            p.*f.patch_target = std::move(*s);
        }
    }
    for (const auto& f : nullable_fields) {
        if (const Json* v = member(body, f.wire, f.db)) {
            auto s = as_optional_string(f.wire, *v);
            if (!s) return std::unexpected(s.error());
            p.*f.patch_target = std::move(*s);
        }
    }
    if (const Json* v = member(body, "total_teachers"); v && !v->is_null()) {
        auto n = as_integer("total_teachers", *v);
        if (!n) return std::unexpected(n.error());
        p.total_teachers = *n;
    }
    return p;
}

} // namespace shiksha
