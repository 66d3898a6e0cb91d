#pragma once
// State behind ManualEngine (internal; Platform constructs it).

#include "jobs/job_engine_impl.hpp"
#include "retrieval/retrieval_engine_impl.hpp"
#include "shiksha/config.hpp"
#include "shiksha/manuals.hpp"
#include "shiksha/metrics.hpp"
#include "store/store.hpp"

namespace shiksha {

struct ManualEngine::Impl {
    Impl(std::shared_ptr<detail::Store> s, std::filesystem::path dir, IngestConfig c, Logger l,
         RetrievalEngine::Impl& r, JobEngine::Impl& j, MetricsRegistry& metrics)
        : store(std::move(s)), data_dir(std::move(dir)), config(std::move(c)), logger(std::move(l)),
          retrieval(r), jobs(j),
          pages_text(metrics.counter("shiksha_ingest_pages_total", "Pages ingested by method",
                                     {{"method", "text"}})),
          pages_ocr(
              metrics.counter("shiksha_ingest_pages_total", "Pages ingested by method", {{"method", "ocr"}})),
          pages_none(metrics.counter("shiksha_ingest_pages_total", "Pages ingested by method",
                                     {{"method", "none"}})),
          index_seconds(metrics.histogram("shiksha_ingest_index_duration_seconds", "Time to index one manual",
                                          {}, {0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600})) {}

    std::shared_ptr<detail::Store> store;
    std::filesystem::path data_dir;
    IngestConfig config;
    Logger logger;
    RetrievalEngine::Impl& retrieval;
    JobEngine::Impl& jobs;
    Counter& pages_text;
    Counter& pages_ocr;
    Counter& pages_none;
    Histogram& index_seconds;

    [[nodiscard]] std::filesystem::path manuals_dir() const { return data_dir / "manuals"; }
};

} // namespace shiksha
