#include "core/random.hpp"

#include "core/assert.hpp"

#include <sodium.h>

#include <vector>

namespace shiksha::detail {

namespace {
void ensure_sodium() {
    // sodium_init() is thread-safe and idempotent; a negative result means no usable RNG.
    static const int rc = sodium_init();
    SHIKSHA_ASSERT(rc >= 0);
}
} // namespace

std::string hex_encode(std::string_view bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        out.push_back(digits[c >> 4]);
        out.push_back(digits[c & 0xF]);
    }
    return out;
}

std::string random_hex(std::size_t bytes) {
    ensure_sodium();
    std::string raw(bytes, '\0');
    randombytes_buf(raw.data(), raw.size());
    return hex_encode(raw);
}

std::string random_token(std::size_t bytes) {
    ensure_sodium();
    std::string raw(bytes, '\0');
    randombytes_buf(raw.data(), raw.size());
    return base64url_encode(raw);
}

std::string base64url_encode(std::string_view bytes) {
    ensure_sodium();
    std::vector<char> out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING));
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                      bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return std::string(out.data()); // NUL-terminated by libsodium
}

bool base64url_decode(std::string_view text, std::string& out) {
    ensure_sodium();
    while (!text.empty() && text.back() == '=')
        text.remove_suffix(1);
    out.assign(text.size() * 3 / 4 + 3, '\0');
    std::size_t len = 0;
    const char* end = nullptr;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(),
                          nullptr, &len, &end, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        end != text.data() + text.size()) {
        return false;
    }
    out.resize(len);
    return true;
}

} // namespace shiksha::detail
