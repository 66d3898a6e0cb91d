#pragma once
// Shared helpers of the `shiksha` Python module. Each bind_<area>.cpp registers one engine;
// everything here is the glue they have in common (errors, GIL, JSON, timestamps).

#include "shiksha/auth.hpp"
#include "shiksha/error.hpp"
#include "shiksha/json.hpp"
#include "shiksha/types.hpp"

#include <pybind11/pybind11.h>

#include <chrono>
#include <future>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>

namespace shiksha::python {

namespace py = pybind11;

void bind_core(py::module_& m);
void bind_auth(py::module_& m);
void bind_clusters(py::module_& m);
void bind_jobs(py::module_& m);
void bind_retrieval(py::module_& m);
void bind_manuals(py::module_& m);
void bind_modules(py::module_& m);
void bind_translation(py::module_& m);
void bind_exports(py::module_& m);
void bind_delivery(py::module_& m);
void bind_videos(py::module_& m);
void bind_analytics(py::module_& m);
void bind_platform(py::module_& m);

/// Raises the `shiksha.<Code>Error` for `error` (with `.code` and `.field` set). Needs the GIL.
[[noreturn]] void raise_error(const Error& error);

/// The same exception object, not raised (for values that carry an error, like a failed Job).
[[nodiscard]] py::object py_error(const Error& error);

/// The one place a library `Result` becomes a Python value or exception. Needs the GIL.
template <class T>
T unwrap(Result<T>&& result) {
    if (!result) raise_error(result.error());
    if constexpr (!std::is_void_v<T>) return std::move(*result);
}

/// Runs `call` with the GIL released. Convert Python arguments to C++ before, and the result
/// back after: nothing inside may touch a Python object.
template <class F>
auto without_gil(F&& call) {
    py::gil_scoped_release release;
    return std::forward<F>(call)();
}

/// True on the interpreter's main thread, the only one Python delivers signals (Ctrl-C) to.
[[nodiscard]] bool on_main_thread();

/// Runs `call(cancel)` — a long library call that takes a CancelToken — so that Ctrl-C stops
/// it. Python runs signal handlers only on the main thread and only between bytecodes, so
/// there the call runs on a helper thread while this one waits with the GIL released,
/// checking for signals every 50 ms. What a handler raises (KeyboardInterrupt) cancels the
/// token; the call is still awaited (it borrows this frame) and the exception raised in place
/// of its result. Elsewhere, where no signal can arrive, the call runs inline without the GIL.
/// The helper thread is the binding's, not the library's: it keeps the interpreter
/// responsive, the work itself stays on the caller's behalf as it would in C++.
template <class F>
auto interruptible(F&& call) {
    using R = std::invoke_result_t<F&, const CancelToken&>;
    CancelToken cancel;
    if (!on_main_thread()) return without_gil([&] { return call(cancel); });
    std::optional<R> result;
    std::promise<void> finished;
    auto done = finished.get_future();
    std::thread worker([&] {
        result.emplace(call(cancel));
        finished.set_value();
    });
    std::optional<py::error_already_set> interrupted;
    for (;;) {
        bool ready = false;
        {
            py::gil_scoped_release release;
            ready = done.wait_for(std::chrono::milliseconds(50)) == std::future_status::ready;
        }
        if (ready) break;
        if (!interrupted && PyErr_CheckSignals() != 0) {
            interrupted.emplace(); // takes the pending exception
            cancel.cancel();
        }
    }
    worker.join();
    if (interrupted) throw std::move(*interrupted);
    return std::move(*result);
}

/// Changes made from Python are audited as coming from "python" (the CLI says "cli").
[[nodiscard]] inline Actor python_actor() {
    return Actor{std::nullopt, "", "python"};
}

/// dict/list/tuple/str/int/float/bool/None → Json; anything else is a TypeError.
[[nodiscard]] Json json_from_py(py::handle value);
[[nodiscard]] py::object py_from_json(const Json& value);

/// Naive `datetime.datetime` in UTC, microsecond precision (what the wire shows, unzoned).
[[nodiscard]] py::object py_datetime(Timestamp t);
[[nodiscard]] py::object py_datetime(const std::optional<Timestamp>& t);

} // namespace shiksha::python
