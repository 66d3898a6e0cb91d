#pragma once
// Route groups. Each adds its routes to the router; handlers only map HTTP to library calls.

#include "http/router.hpp"
#include "shiksha/rate_limit.hpp"

namespace shiksha::server {

struct RouteDeps {
    RateLimiter* login_limiter = nullptr;            ///< per address and account; nullptr when off
    RateLimiter* login_address_limiter = nullptr;    ///< per address across accounts; nullptr when off
    RateLimiter* anonymous_upload_limiter = nullptr; ///< non-null only when anonymous uploads are allowed
};

void add_health_routes(Router& router);
void add_auth_routes(Router& router, const RouteDeps& deps);
void add_cluster_routes(Router& router);
void add_manual_routes(Router& router, const RouteDeps& deps);
void add_job_routes(Router& router);
void add_module_routes(Router& router);
void add_translation_routes(Router& router);
void add_export_routes(Router& router);
void add_delivery_routes(Router& router);
void add_video_routes(Router& router);
void add_analytics_routes(Router& router);
/// Must be added last: it describes the routes added before it.
void add_openapi_route(Router& router);

/// OpenAPI 3.1 description of every route in `router`.
[[nodiscard]] Json openapi_document(const Router& router);

} // namespace shiksha::server
