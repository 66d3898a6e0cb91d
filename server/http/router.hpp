#pragma once
// The route table. Every route states who may call it: `Access` has no default, so a route
// without one does not compile, and `Access::anyone()` is the explicit way to say "public".
// Routes under Mount::api are served at /api/... and /api/v1/..., with or without a trailing
// slash (API contract §0).

#include "http/message.hpp"
#include "shiksha/auth.hpp"
#include "shiksha/error.hpp"
#include "shiksha/json.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shiksha {
class Platform;
}

namespace shiksha::server {

class Access {
public:
    [[nodiscard]] static constexpr Access anyone() noexcept { return Access(true, Role::viewer); }
    [[nodiscard]] static constexpr Access at_least(Role role) noexcept { return Access(false, role); }
    [[nodiscard]] constexpr bool is_public() const noexcept { return public_; }
    [[nodiscard]] constexpr Role min_role() const noexcept { return role_; }

private:
    constexpr Access(bool is_public, Role role) noexcept : public_(is_public), role_(role) {}
    bool public_;
    Role role_;
};

/// What the route expects as a body; JSON is parsed (400 when malformed) before the handler runs.
enum class Body { none, json, optional_json };

enum class Mount { api, root };

struct RouteContext {
    const Request& request;
    Platform& platform;
    std::vector<std::pair<std::string, std::string>> params; ///< path parameters
    std::optional<Session> session;                          ///< set on authenticated routes
    Json body;                                               ///< parsed JSON body (null when none)
    Actor actor;

    /// Names of the query parameters the handler asked for, so an error about one of them is
    /// reported at loc ["query", name] even when it was missing.
    mutable std::vector<std::string> queried;

    /// A required query parameter; "<name>: Field required" when absent.
    [[nodiscard]] Result<std::string_view> require_query(std::string_view name) const;
    /// An optional query parameter as text.
    [[nodiscard]] std::optional<std::string_view> query(std::string_view name) const;

    /// A path parameter as a positive integer id; `invalid_argument` naming it otherwise.
    [[nodiscard]] Result<std::int64_t> path_id(std::string_view name) const;
    /// An optional integer query parameter within [min, max].
    [[nodiscard]] Result<std::optional<std::int64_t>> query_int(std::string_view name, std::int64_t min,
                                                                std::int64_t max) const;
    [[nodiscard]] Result<std::optional<bool>> query_bool(std::string_view name) const;

    /// The base of absolute links to this server ("https://shiksha.example", no trailing slash):
    /// SHIKSHA_PUBLIC_URL when set; else, with SHIKSHA_TRUST_PROXY, X-Forwarded-Proto/-Host;
    /// else "http://" + the request's Host. "" when none is usable (a malformed Host is ignored).
    [[nodiscard]] std::string public_base() const;
};

using Handler = std::function<Result<Response>(RouteContext&)>;

struct Route {
    Method method;
    std::string_view path; ///< pattern without trailing slash, e.g. "/clusters/{id}"
    Access access;
    Body body;
    std::string_view summary;
    Handler handler;
    Mount mount = Mount::api;
    std::string_view tag = {};
};

struct RouteMatch {
    const Route* route = nullptr;
    std::vector<std::pair<std::string, std::string>> params;
    std::vector<Method> allowed; ///< when the path exists but not for this method
};

class Router {
public:
    void add(Route route);
    /// HEAD falls back to the GET route. Trailing slashes are ignored.
    [[nodiscard]] RouteMatch match(Method method, std::string_view path) const;
    [[nodiscard]] const std::vector<Route>& routes() const noexcept { return routes_; }
    /// The public paths a route answers at ("/api/clusters", "/api/v1/clusters").
    [[nodiscard]] static std::vector<std::string> served_paths(const Route& route);

private:
    std::vector<Route> routes_;
};

} // namespace shiksha::server
