// `shiksha` as a process: start-up refusals, CLI exit codes, graceful shutdown on signals.
#include "fake_twilio.hpp"
#include "http_client.hpp"
#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

using namespace shiksha;
using namespace shiksha::test;

namespace {

/// A child process running the `shiksha` binary with stdout on a pipe and stderr in a file.
class Child {
public:
    Child(const std::vector<std::string>& args, const std::vector<std::string>& env,
          const std::string& stdin_text, const std::filesystem::path& stderr_file) {
        int out[2], in[2];
        REQUIRE(::pipe(out) == 0);
        REQUIRE(::pipe(in) == 0);
        pid_ = ::fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            ::dup2(in[0], STDIN_FILENO);
            ::dup2(out[1], STDOUT_FILENO);
            const int err = ::open(stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
            ::dup2(err, STDERR_FILENO);
            ::close(out[0]);
            ::close(in[1]);
            std::vector<char*> argv{const_cast<char*>(SHIKSHA_CLI_PATH)};
            for (const auto& a : args)
                argv.push_back(const_cast<char*>(a.c_str()));
            argv.push_back(nullptr);
            std::vector<char*> envp;
            for (const auto& e : env)
                envp.push_back(const_cast<char*>(e.c_str()));
            envp.push_back(nullptr);
            ::execve(SHIKSHA_CLI_PATH, argv.data(), envp.data());
            ::_exit(127);
        }
        ::close(out[1]);
        ::close(in[0]);
        if (!stdin_text.empty()) {
            (void)!::write(in[1], stdin_text.data(), stdin_text.size());
        }
        ::close(in[1]);
        out_ = ::fdopen(out[0], "r");
    }

    ~Child() {
        if (pid_ > 0 && !reaped_) {
            ::kill(pid_, SIGKILL);
            (void)wait();
        }
        if (out_) std::fclose(out_);
    }

    /// One line of stdout (without the newline); empty at end of output.
    std::string read_line() {
        std::string line;
        int c;
        while ((c = std::fgetc(out_)) != EOF && c != '\n')
            line.push_back(static_cast<char>(c));
        return line;
    }

    std::string read_all() {
        std::string all, line;
        int c;
        while ((c = std::fgetc(out_)) != EOF)
            all.push_back(static_cast<char>(c));
        return all;
    }

    void signal(int sig) { ::kill(pid_, sig); }

    /// Exit code, or 128 + signal number.
    int wait() {
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
        reaped_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }

private:
    pid_t pid_ = -1;
    bool reaped_ = false;
    FILE* out_ = nullptr;
};

struct Run {
    int code;
    std::string out;
    std::string err;
};

std::vector<std::string> base_env(const TempDir& dir, bool with_secret = true) {
    std::vector<std::string> env{"SHIKSHA_DATA_DIR=" + dir.path().string(),
                                 "SHIKSHA_PASSWORD_HASH_COST=minimum", "PATH=/usr/bin:/bin"};
    if (with_secret) env.push_back("SHIKSHA_JWT_SECRET=process-test-secret-0123456789abcdef");
    // Sanitizer builds configure the runtime through these (leak suppressions, abort on error).
    for (const char* name : {"ASAN_OPTIONS", "LSAN_OPTIONS", "UBSAN_OPTIONS"}) {
        if (const char* value = std::getenv(name)) env.push_back(std::string(name) + "=" + value);
    }
    return env;
}

Run run(const TempDir& dir, const std::vector<std::string>& args, const std::string& stdin_text = {},
        bool with_secret = true, const std::vector<std::string>& extra_env = {}) {
    const auto err_file = dir.path() / "stderr.txt";
    auto env = base_env(dir, with_secret);
    env.insert(env.end(), extra_env.begin(), extra_env.end());
    Child child(args, env, stdin_text, err_file);
    Run r;
    r.out = child.read_all();
    r.code = child.wait();
    std::ifstream in(err_file);
    std::stringstream ss;
    ss << in.rdbuf();
    r.err = ss.str();
    return r;
}

/// Through the shell, as a user would: demo data, the sample manual ingested and indexed, one
/// English module generated offline. Its id.
std::string demo_module(const TempDir& dir) {
    REQUIRE(run(dir, {"demo"}).code == 0);
    const auto sample =
        std::filesystem::path(SHIKSHA_SOURCE_DIR) / "examples/data/low_cost_science_handbook.pdf";
    REQUIRE(run(dir, {"ingest", sample.string(), "--title", "Handbook", "--index"}).code == 0);
    auto made = run(dir, {"--json", "generate", "--manual", "1", "--cluster", "1", "--topic",
                          "Series circuits", "--language", "english"});
    REQUIRE_MESSAGE(made.code == 0, made.err);
    return std::to_string(Json::parse(made.out)->find("id")->as_int());
}

std::uint16_t port_from_banner(const std::string& line) {
    const auto colon = line.rfind(':');
    REQUIRE_MESSAGE(colon != std::string::npos, line);
    return static_cast<std::uint16_t>(std::stoi(line.substr(colon + 1)));
}

} // namespace

TEST_CASE("serve refuses to start without a JWT secret unless --dev") {
    TempDir dir;
    auto r = run(dir, {"serve", "--port", "0"}, {}, false);
    CHECK(r.code == 1);
    CHECK(r.err.find("SHIKSHA_JWT_SECRET is not set") != std::string::npos);
}

TEST_CASE("serve refuses while demo accounts keep their published passwords") {
    TempDir dir;
    REQUIRE(run(dir, {"demo"}).code == 0);
    auto r = run(dir, {"serve", "--port", "0"});
    CHECK(r.code == 1);
    CHECK(r.err.find("demo accounts still have their published passwords") != std::string::npos);
}

TEST_CASE("the CLI's exit codes: 0 success, 1 failure, 2 bad usage") {
    TempDir dir;
    CHECK(run(dir, {"no-such-command"}).code == 2);
    CHECK(run(dir, {"cluster", "get", "abc"}).code == 2);
    auto missing = run(dir, {"--json", "cluster", "get", "99"});
    CHECK(missing.code == 1);
    CHECK(missing.err.find(R"("code":"not_found")") != std::string::npos);

    auto created = run(dir, {"--json", "cluster", "create", "--name", "Gadchiroli Cluster", "--region-type",
                             "Forest Area", "--language", "Marathi", "--infrastructure", "Low"});
    REQUIRE(created.code == 0);
    auto parsed = Json::parse(created.out);
    REQUIRE(parsed.has_value());
    CHECK(parsed->find("name")->as_string() == "Gadchiroli Cluster");
    auto listed = run(dir, {"--json", "cluster", "list"});
    CHECK(Json::parse(listed.out)->as_array().size() == 1);
    CHECK(run(dir, {"cluster", "delete", "1"}).code == 0);
    CHECK(run(dir, {"cluster", "get", "1"}).code == 1);
}

TEST_CASE("user create reads the password from stdin and the user can then log in") {
    TempDir dir;
    auto created = run(dir,
                       {"--json", "user", "create", "--username", "asha", "--role", "coordinator", "--email",
                        "asha@diet.gov.in"},
                       "a long passphrase\n");
    REQUIRE_MESSAGE(created.code == 0, created.err);
    CHECK(Json::parse(created.out)->find("role")->as_string() == "coordinator");
    CHECK(created.out.find("passphrase") == std::string::npos);
    CHECK(created.err.find("passphrase") == std::string::npos); // never logged
    CHECK(run(dir, {"user", "create", "--username", "x", "--role", "overlord"}, "password\n").code == 2);
}

TEST_CASE("SIGTERM: the request in flight completes, idle connections close, exit code 0") {
    TempDir dir;
    REQUIRE(run(dir, {"demo"}).code == 0);
    Child server({"serve", "--dev", "--port", "0", "--threads", "2"}, base_env(dir), {},
                 dir.path() / "serve.txt");
    const auto port = port_from_banner(server.read_line());

    RawConnection idle(port);
    HttpClient warm(port); // make sure the idle connection has been accepted before the signal
    REQUIRE(warm.get("/health").status == 200);

    const std::string body = R"({"email":"admin@shiksha-setu.gov.in","password":"admin123"})";
    RawConnection in_flight(port);
    in_flight.send("POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                   "Expect: 100-continue\r\nContent-Length: " +
                   std::to_string(body.size()) + "\r\n\r\n");
    // 100 Continue proves the server has read the head: the request is now in flight.
    REQUIRE(in_flight.read_until("\r\n\r\n").starts_with("HTTP/1.1 100 Continue"));

    server.signal(SIGTERM);
    while (can_connect(port)) {
        // The listener closes first; spin until it has (no sleeps: each probe is a syscall).
    }
    in_flight.send(body);
    const std::string response = in_flight.read_until_close();
    CHECK(response.starts_with("HTTP/1.1 200 OK"));
    CHECK(response.find("access_token") != std::string::npos);
    CHECK(response.find("Connection: close") != std::string::npos);
    CHECK(idle.read_until_close().empty()); // closed without a response
    CHECK(server.read_line() == "Shiksha-Setu stopped");
    CHECK(server.wait() == 0);
}

TEST_CASE("SIGINT stops an idle server with exit code 0") {
    TempDir dir;
    Child server({"serve", "--dev", "--port", "0"}, base_env(dir), {}, dir.path() / "serve.txt");
    const auto port = port_from_banner(server.read_line());
    HttpClient c(port);
    REQUIRE(c.get("/health").status == 200);
    server.signal(SIGINT);
    CHECK(server.wait() == 0);
}

TEST_CASE("translate: offline it fails with exit code 1 naming what to configure; bad usage is 2") {
    TempDir dir;
    auto r = run(dir, {"translate", "--to", "hi", "Ice melts."});
    CHECK(r.code == 1);
    CHECK(r.err.find("SHIKSHA_TRANSLATE_PROVIDER") != std::string::npos);
    CHECK(run(dir, {"translate", "Ice melts."}).code == 2); // --to missing
    auto unknown = run(dir, {"translate", "--to", "klingon", "Ice melts."});
    CHECK(unknown.code == 1);
    CHECK(unknown.err.find("is not supported") != std::string::npos);
    auto english = run(dir, {"translate", "--to", "english", "-"}, "Ice melts.\n");
    CHECK(english.code == 0);
    CHECK(english.out == "Ice melts.\n");
}

TEST_CASE("export: a module becomes a PDF on disk, copied with --out or streamed to stdout") {
    TempDir dir;
    const auto module_id = demo_module(dir);

    const auto out = dir.path() / "copy.pdf";
    auto exported = run(dir, {"--json", "export", module_id, "--out", out.string(), "--page-size", "Letter"});
    REQUIRE_MESSAGE(exported.code == 0, exported.err);
    const auto record = *Json::parse(exported.out);
    const std::filesystem::path stored = dir.path() / "exports" / record.find("filename")->as_string();
    REQUIRE(std::filesystem::exists(stored));
    CHECK(std::filesystem::file_size(out) == std::filesystem::file_size(stored));
    CHECK(record.find("pages")->as_int() >= 1);

    auto streamed = run(dir, {"export", module_id, "--out", "-"});
    CHECK(streamed.code == 0);
    CHECK(streamed.out.starts_with("%PDF-"));

    auto missing = run(dir, {"export", "999"});
    CHECK(missing.code == 1);
    CHECK(missing.err.find("not found") != std::string::npos);
    CHECK(run(dir, {"export", "abc"}).code == 2);
    CHECK(run(dir, {"export"}).code == 2);
    CHECK(run(dir, {"export", module_id, "--page-size", "A0"}).code == 1);
}

TEST_CASE("share survives SIGKILL mid-way: every recipient ends with exactly one accepted message") {
    TempDir dir;
    FakeTwilio twilio;
    twilio.set_latency(std::chrono::milliseconds(5)); // long enough to be killed mid-way
    const auto module_id = demo_module(dir);

    const std::vector<std::string> env{"SHIKSHA_WHATSAPP_GATEWAY=twilio",
                                       "SHIKSHA_WHATSAPP_RATE=-1",
                                       "SHIKSHA_TWILIO_BASE_URL=" + twilio.base_url(),
                                       "SHIKSHA_TWILIO_ACCOUNT_SID=" + twilio.options().account_sid,
                                       "SHIKSHA_TWILIO_AUTH_TOKEN=" + twilio.options().auth_token,
                                       "SHIKSHA_TWILIO_FROM=" + twilio.options().from};
    std::vector<std::string> args{"--json", "share", module_id, "--no-pdf"};
    constexpr int recipients = 200;
    for (int i = 0; i < recipients; ++i) {
        args.push_back("--to");
        args.push_back(std::to_string(9000000000LL + i));
    }
    args.push_back("--to");
    args.push_back("12345"); // invalid: reported, does not stop the rest

    {
        auto child_env = base_env(dir);
        child_env.insert(child_env.end(), env.begin(), env.end());
        Child sharing(args, child_env, {}, dir.path() / "share-killed.txt");
        while (twilio.accepted_count() < 50) {
            // Spin until a quarter went out (each probe takes the fake's lock; no sleeps).
        }
        sharing.signal(SIGKILL);
        CHECK(sharing.wait() == 128 + SIGKILL);
    }
    const auto at_kill = twilio.accepted_count();
    CHECK(at_kill < recipients);

    // The same command again: the outbox resumes (rows left in flight are looked up at Twilio)
    // and the share itself adds nothing new.
    auto resumed = run(dir, args, {}, true, env);
    REQUIRE_MESSAGE(resumed.code == 0, resumed.err);
    const auto report = *Json::parse(resumed.out);
    CHECK(report.find("queued")->as_int() == 0);
    CHECK(report.find("already_shared")->as_int() == recipients);
    CHECK(report.find("counts")->find("sent")->as_int() == recipients);
    CHECK(report.find("rejected")->as_array().size() == 1);

    int exactly_once = 0;
    for (int i = 0; i < recipients; ++i) {
        const auto accepted = twilio.accepted("+91" + std::to_string(9000000000LL + i));
        exactly_once += accepted.size() == 1 ? 1 : 0;
        CHECK_MESSAGE(accepted.size() == 1, "+91" << 9000000000LL + i << " got " << accepted.size());
    }
    CHECK(exactly_once == recipients);
    CHECK(twilio.accepted_count() == recipients);
    MESSAGE("killed after " << at_kill << " of " << recipients << " accepted; resumed to "
                            << twilio.accepted_count());
}

TEST_CASE("videos and analytics from the shell: catalogue suggestions, feedback, summary") {
    TempDir dir;
    const auto module_id = demo_module(dir);

    const auto csv = dir.path() / "catalogue.csv";
    std::ofstream(csv) << "video_id,title,duration\nlocal000001,Series circuits with torch bulbs,6:30\n"
                          "local000002,Bad row,not a duration\n";
    auto imported = run(dir, {"--json", "videos", "import", csv.string()});
    REQUIRE_MESSAGE(imported.code == 0, imported.err);
    CHECK(Json::parse(imported.out)->find("added")->as_int() == 1);
    auto suggested = run(dir, {"--json", "videos", module_id});
    REQUIRE_MESSAGE(suggested.code == 0, suggested.err);
    const auto s = *Json::parse(suggested.out);
    CHECK(s.find("source")->as_string() == "catalogue");
    REQUIRE(s.find("videos")->as_array().size() == 1);
    CHECK(s.find("videos")->as_array()[0].find("title")->as_string() == "Series circuits with torch bulbs");

    REQUIRE(run(dir, {"feedback", module_id, "--rating", "5", "--comment", "Worked well"}).code == 0);
    REQUIRE(run(dir, {"feedback", module_id, "--rating", "2", "--comment", "needs a lab"}).code == 0);
    CHECK(run(dir, {"feedback", module_id, "--rating", "9"}).code != 0);
    auto summary = run(dir, {"--json", "analytics", "summary"});
    REQUIRE_MESSAGE(summary.code == 0, summary.err);
    const auto totals = *Json::parse(summary.out);
    CHECK(totals.find("total_feedback")->as_int() == 2);
    CHECK(totals.find("helpful_count")->as_int() == 1);
    CHECK(run(dir, {"analytics", "modules"}).code == 0);
}

TEST_CASE("regression: links from `serve --port N` point at port N, not the default 8000") {
    TempDir dir;
    const auto module = demo_module(dir);
    // No SHIKSHA_PUBLIC_URL: the base comes from the Host each request reached.
    Child server({"serve", "--dev", "--port", "0", "--threads", "2"}, base_env(dir), {},
                 dir.path() / "serve.txt");
    const auto port = port_from_banner(server.read_line());
    REQUIRE(port != 8000);
    const std::string base = "http://127.0.0.1:" + std::to_string(port);
    HttpClient c(port);
    auto login = c.post_json(
        "/api/auth/login", Json::object({{"email", "admin@shiksha-setu.gov.in"}, {"password", "admin123"}}));
    REQUIRE_MESSAGE(login.status == 200, login.body);
    const auto token = login.json().find("access_token")->as_string();

    auto exported = c.post_json("/api/modules/" + module + "/export/pdf", Json::object(), token);
    REQUIRE_MESSAGE(exported.status == 200, exported.body);
    const Json body = exported.json();
    CHECK(body.find("pdf_url")->as_string().starts_with("/api/files/download/"));
    CHECK(body.find("download_url")->as_string() == base + body.find("pdf_url")->as_string());
    auto pdf = c.get(body.find("pdf_url")->as_string(), token);
    REQUIRE(pdf.status == 200);
    CHECK(pdf.body.find("(" + base + "/api/manuals/") != std::string::npos);
    CHECK(pdf.body.find("127.0.0.1:8000") == std::string::npos);

    // The WhatsApp deep link carries the same reachable PDF link.
    auto shared = c.post_json("/api/modules/" + module + "/share/whatsapp",
                              Json::object({{"recipient_numbers", Json(Json::Array{"9876543210"})}}), token);
    REQUIRE_MESSAGE(shared.status == 200, shared.body);
    const auto link = shared.json().find("delivery_status")->as_array().at(0).find("link")->as_string();
    CHECK(link.find("127.0.0.1%3A" + std::to_string(port)) != std::string::npos);
    CHECK(link.find("127.0.0.1%3A8000") == std::string::npos);
    auto shared_pdf = c.get(shared.json().find("pdf")->find("url")->as_string().substr(base.size()));
    CHECK(shared_pdf.status == 200);

    server.signal(SIGTERM);
    CHECK(server.wait() == 0);
}
