// The `shiksha` Python module: thin bindings over libshiksha's public API (STYLE rule 10).
#include "bindings.hpp"

#include "shiksha/version.hpp"

PYBIND11_MODULE(_shiksha, m) {
    using namespace shiksha::python;
    m.doc() = "Shiksha-Setu SDK: adapt, translate, export and deliver teacher-training modules.\n\n"
              "Every library error is raised as a subclass of shiksha.Error carrying .code and .field.\n"
              "Calls that touch the database, hash passwords, read PDFs or embed text release the GIL.";
    m.attr("version") = shiksha::version_string;
    m.attr("__version__") = shiksha::version_string;
    // Order matters for readable signatures: a type is registered before the functions using it.
    bind_core(m);
    bind_auth(m);
    bind_clusters(m);
    bind_jobs(m);
    bind_retrieval(m);
    bind_manuals(m);
    bind_translation(m);
    bind_modules(m);
    bind_exports(m);
    bind_delivery(m);
    bind_videos(m);
    bind_analytics(m);
    bind_platform(m);
}
