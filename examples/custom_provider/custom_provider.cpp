// Custom providers: plug your own chat model and embedder into the Platform.
//
//   custom_provider DATA_DIR MANUAL.pdf
//
// Anything that implements shiksha::LlmClient or shiksha::Embedder (providers.hpp) can be
// set in Config::providers: an in-house model behind your own API, a cache in front of a
// vendor, a model linked into the process. The engines never know the difference: modules,
// answers and video queries go to the LlmClient, search and video ranking use the Embedder.
//
// So that this example runs anywhere, the "model" below is a few lines of C++ that fill the
// module JSON from the excerpts the prompt carries, and the embedder hashes words. Replace
// their bodies with calls to your service. Both must be thread-safe: the platform calls them
// from its worker threads.
#include "shiksha/shiksha.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace {

/// A bag-of-words embedder: each lower-cased word adds ±1 to a hashed bucket. Not a good
/// embedder — a stand-in for your own.
class WordHashEmbedder final : public shiksha::Embedder {
public:
    [[nodiscard]] std::string model() const override { return "word-hash-v1/256"; }
    [[nodiscard]] std::size_t dimension() const override { return dims; }

    [[nodiscard]] shiksha::Result<std::vector<std::vector<float>>>
    embed(std::span<const std::string> texts, const shiksha::CancelToken* cancel) const override {
        std::vector<std::vector<float>> out;
        for (const auto& text : texts) {
            if (cancel != nullptr && cancel->cancelled()) {
                return std::unexpected(
                    shiksha::Error{shiksha::ErrorCode::deadline_exceeded, "cancelled", ""});
            }
            std::vector<float> v(dims, 0.0F);
            std::string word;
            auto add = [&] {
                if (word.empty()) return;
                const std::size_t h = std::hash<std::string>{}(word);
                v[h % dims] += (h >> 32U) % 2 == 0 ? 1.0F : -1.0F;
                word.clear();
            };
            for (unsigned char c : text) {
                if (std::isalnum(c) != 0 || c >= 0x80) {
                    word += static_cast<char>(std::tolower(c));
                } else {
                    add();
                }
            }
            add();
            float norm = 0;
            for (float x : v)
                norm += x * x;
            if (norm > 0) {
                for (float& x : v)
                    x /= std::sqrt(norm);
            }
            out.push_back(std::move(v));
        }
        return out;
    }

private:
    static constexpr std::size_t dims = 256;
};

/// The prompt's excerpts, as the module prompt lists them: "[chunk_id=12, pages 2-3 ...]\ntext".
struct Excerpt {
    std::int64_t chunk_id = 0;
    int page_start = 0;
    int page_end = 0;
    std::string text;
};

std::vector<Excerpt> excerpts_of(std::string_view prompt) {
    std::vector<Excerpt> out;
    constexpr std::string_view marker = "[chunk_id=";
    for (std::size_t at = prompt.find(marker); at != std::string_view::npos;
         at = prompt.find(marker, at + 1)) {
        Excerpt e;
        const char* p = prompt.data() + at + marker.size();
        char* end = nullptr;
        e.chunk_id = std::strtoll(p, &end, 10);
        const auto pages = prompt.find("pages ", at);
        if (pages != std::string_view::npos) {
            e.page_start = static_cast<int>(std::strtol(prompt.data() + pages + 6, &end, 10));
            e.page_end = *end == '-' ? static_cast<int>(std::strtol(end + 1, &end, 10)) : e.page_start;
        }
        const auto text_start = prompt.find('\n', at);
        const auto next = prompt.find(marker, at + 1);
        if (text_start != std::string_view::npos) {
            e.text =
                std::string(prompt.substr(text_start + 1, std::min(next, prompt.size()) - text_start - 1));
        }
        out.push_back(std::move(e));
    }
    return out;
}

/// A "model" that answers the module prompt with a module built from its first excerpt.
class TemplateLlm final : public shiksha::LlmClient {
public:
    [[nodiscard]] std::string provider() const override { return "in-house"; }
    [[nodiscard]] std::string model() const override { return "template-writer-1"; }

    [[nodiscard]] shiksha::Result<shiksha::ChatResponse> chat(const shiksha::ChatRequest& request,
                                                              const shiksha::CancelToken*) const override {
        const std::string& prompt = request.messages.back().content;
        const auto excerpts = excerpts_of(prompt);
        if (excerpts.empty()) {
            return std::unexpected(
                shiksha::Error{shiksha::ErrorCode::invalid_argument, "the prompt carries no excerpts", ""});
        }
        const Excerpt& first = excerpts.front();
        const std::string gist = first.text.substr(0, 300);
        using shiksha::Json;
        Json module = Json::object(
            {{"title", "Classroom guide: " + topic_of(prompt)},
             {"summary", "A short guide written by the in-house model from the manual's own words."},
             {"sections",
              Json(Json::Array{Json::object({{"heading", "What the manual says"}, {"text", gist}}),
                               Json::object({{"heading", "Teaching approach"},
                                             {"text", "Demonstrate it, then let pairs try it."}})})},
             {"teaching_tips", Json(Json::Array{Json("Use materials the students bring from home.")})},
             {"activities", Json(Json::Array{Json::object(
                                {{"title", "Try it in pairs"},
                                 {"materials", Json(Json::Array{Json("notebook")})},
                                 {"steps", Json(Json::Array{Json("Read the excerpt"), Json("Do it")})},
                                 {"duration", "20 minutes"}})})},
             {"assessment", Json(Json::Array{Json::object({{"question", "What did you observe?"},
                                                           {"answer", "What the manual describes."}})})},
             {"citations", Json(Json::Array{Json::object({{"chunk_id", first.chunk_id},
                                                          {"page_start", first.page_start},
                                                          {"page_end", first.page_end},
                                                          {"excerpt", gist.substr(0, 120)}})})}});
        shiksha::ChatResponse response;
        response.content = module.dump();
        response.finish_reason = "stop";
        response.model = model();
        return response;
    }

private:
    static std::string topic_of(std::string_view prompt) {
        constexpr std::string_view label = "Topic: ";
        const auto at = prompt.find(label);
        if (at == std::string_view::npos) return "the topic";
        const auto end = prompt.find('\n', at);
        return std::string(prompt.substr(at + label.size(), end - at - label.size()));
    }
};

} // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: custom_provider DATA_DIR MANUAL.pdf\n";
        return 2;
    }
    shiksha::Config config;
    config.data_dir = argv[1];
    config.log_sink = shiksha::json_lines_sink(stderr, shiksha::LogLevel::warn);
    config.providers.llm = std::make_shared<TemplateLlm>();
    config.providers.embedder = std::make_shared<WordHashEmbedder>();

    auto platform = shiksha::Platform::open(config);
    if (!platform) {
        std::cerr << "cannot open: " << platform.error().message << '\n';
        return 1;
    }
    auto& p = **platform;
    auto up = p.manuals().upload_file(argv[2], {.title = "Sample manual", .filename = ""});
    if (!up) return (std::cerr << up.error().message << '\n', 1);
    if (!up->manual.indexed) {
        if (auto indexed = p.manuals().index(up->manual.id); !indexed) {
            return (std::cerr << indexed.error().message << '\n', 1);
        }
    }
    auto stats = p.retrieval().stats();
    if (!stats) return (std::cerr << stats.error().message << '\n', 1);
    std::cout << "embedder " << stats->embedder << ", " << stats->vectors << " vectors of "
              << stats->dimension << '\n';

    auto cluster = p.clusters().create({.name = "Custom provider demo cluster",
                                        .region_type = "Rural",
                                        .language = "English",
                                        .infrastructure_constraints = "Low"});
    if (!cluster && cluster.error().code != shiksha::ErrorCode::conflict) {
        return (std::cerr << cluster.error().message << '\n', 1);
    }
    const std::int64_t cluster_id = cluster ? cluster->id : p.clusters().list()->front().id;
    auto module = p.modules().generate({.manual_id = up->manual.id,
                                        .cluster_id = cluster_id,
                                        .topic = "Series and parallel circuits",
                                        .target_language = "english"});
    if (!module) return (std::cerr << module.error().message << '\n', 1);
    std::cout << "module #" << module->id << " '" << module->title << "' by " << module->generation.provider
              << '/' << module->generation.model << " (adapter " << module->generation.adapter << ")\n";
    for (const auto& cite : module->content.citations)
        std::cout << "  cites pages " << cite.page_start << "-" << cite.page_end << '\n';
    return 0;
}
