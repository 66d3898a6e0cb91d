#pragma once
/// Clusters: the groups of teachers a module is adapted for (a tribal block without labs,
/// a crowded urban ward, a Marathi-medium rural cluster...).
///
///     auto& clusters = platform.clusters();
///     auto c = clusters.create({.name = "Dantewada tribal block", .region_type = "Tribal Belt",
///                               .language = "Hindi", .infrastructure_constraints = "Low",
///                               .key_issues = "No science lab; multigrade classrooms"});
///     auto page = clusters.list({.page = {.skip = 0, .limit = 20}});
///     clusters.toggle_pin(c->id);
///
/// Field names follow the wire (API contract §3). Validation failures are `invalid_argument`
/// with `field` set to the wire name. Names are unique (case-insensitive): `conflict`.
/// Thread-safe.

#include "shiksha/auth.hpp"
#include "shiksha/error.hpp"
#include "shiksha/json.hpp"
#include "shiksha/types.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace shiksha {

struct Cluster {
    std::int64_t id = 0;
    std::string name;
    std::string region_type;                ///< Urban, Rural, Tribal Belt... (free text)
    std::string language;                   ///< primary language, free text (Hindi, Gondi...)
    std::string infrastructure_constraints; ///< High / Medium / Low, or a description
    std::optional<std::string> key_issues;
    std::int64_t total_teachers = 1;
    std::optional<std::string> additional_notes;
    bool pinned = false;
    Timestamp created_at;
    Timestamp updated_at;
};

/// Limits the contract sets (and a bound on free text so nobody stores megabytes in a note).
struct ClusterLimits {
    static constexpr std::size_t name_min = 2, name_max = 100;
    static constexpr std::size_t region_type_max = 50;
    static constexpr std::size_t language_max = 50;
    static constexpr std::size_t infrastructure_max = 200;
    static constexpr std::size_t free_text_max = 5000;
    static constexpr std::int64_t total_teachers_max = 10'000'000;
};

struct NewCluster {
    std::string name;
    std::string region_type;
    std::string language;
    std::string infrastructure_constraints;
    std::optional<std::string> key_issues;
    std::int64_t total_teachers = 1;
    std::optional<std::string> additional_notes;
};

/// Partial update: only engaged members are applied. For the nullable fields the outer
/// optional says "present", the inner one carries the new value or null.
struct ClusterPatch {
    std::optional<std::string> name;
    std::optional<std::string> region_type;
    std::optional<std::string> language;
    std::optional<std::string> infrastructure_constraints;
    std::optional<std::optional<std::string>> key_issues;
    std::optional<std::int64_t> total_teachers;
    std::optional<std::optional<std::string>> additional_notes;
};

struct ClusterQuery {
    Page page;
    /// Omit clusters this user has hidden (a teacher's "delete").
    std::optional<std::int64_t> hidden_for_user;
};

/// What removing a cluster did: teachers only hide shared clusters from their own view.
enum class ClusterRemoval { deleted, hidden };

/// Obtained from `Platform::clusters()`; not constructible by hosts.
class ClusterEngine {
public:
    struct Impl;
    explicit ClusterEngine(std::unique_ptr<Impl> impl);
    ~ClusterEngine();
    ClusterEngine(const ClusterEngine&) = delete;
    ClusterEngine& operator=(const ClusterEngine&) = delete;

    [[nodiscard]] Result<Cluster> create(const NewCluster& input, const Actor& actor = {});
    [[nodiscard]] Result<Cluster> get(std::int64_t id);
    /// Pinned first, then newest first.
    [[nodiscard]] Result<std::vector<Cluster>> list(const ClusterQuery& query = {});
    [[nodiscard]] Result<std::int64_t> count();
    [[nodiscard]] Result<Cluster> update(std::int64_t id, const ClusterPatch& patch, const Actor& actor = {});
    /// Deletes the cluster and everything adapted for it.
    [[nodiscard]] Result<void> remove(std::int64_t id, const Actor& actor = {});
    /// The DELETE rule of the original frontend: a teacher (or viewer) hides the cluster from
    /// their own list; principals, coordinators and admins delete it for everyone.
    [[nodiscard]] Result<ClusterRemoval> remove_as(std::int64_t id, const User& user,
                                                   const Actor& actor = {});
    [[nodiscard]] Result<Cluster> toggle_pin(std::int64_t id, const Actor& actor = {});

private:
    std::unique_ptr<Impl> impl_;
};

/// Wire form (contract §3): alias keys plus the DB-name duplicates the generator page reads.
[[nodiscard]] Json to_json(const Cluster& cluster);

/// Parses a create body. Accepts the alias keys and the DB names (`geographic_type`,
/// `primary_language`, `infrastructure_level`, `specific_challenges`); ignores unknown keys.
/// Type errors are `invalid_argument` naming the field.
[[nodiscard]] Result<NewCluster> new_cluster_from_json(const Json& body);
/// Parses an update body: only present keys are applied; null clears a nullable field and
/// is refused for a required one.
[[nodiscard]] Result<ClusterPatch> cluster_patch_from_json(const Json& body);

} // namespace shiksha
