#pragma once
/// Everything public in one include.

#include "shiksha/auth.hpp"
#include "shiksha/clusters.hpp"
#include "shiksha/config.hpp"
#include "shiksha/delivery.hpp"
#include "shiksha/demo.hpp"
#include "shiksha/error.hpp"
#include "shiksha/exports.hpp"
#include "shiksha/json.hpp"
#include "shiksha/log.hpp"
#include "shiksha/metrics.hpp"
#include "shiksha/platform.hpp"
#include "shiksha/rate_limit.hpp"
#include "shiksha/types.hpp"
#include "shiksha/version.hpp"
#include "shiksha/worker_pool.hpp"
