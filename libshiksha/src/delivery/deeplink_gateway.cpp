// The "deeplink" gateway: nothing leaves the server. Each message becomes a wa.me link an
// administrator opens on their own phone, so it works without any WhatsApp Business account.
#include "delivery/gateway.hpp"

namespace shiksha::detail::delivery {

namespace {

class DeeplinkGateway final : public Gateway {
public:
    [[nodiscard]] std::string_view name() const noexcept override { return "deeplink"; }

    [[nodiscard]] SendResult send(const OutgoingMessage& message) override {
        if (!e164_digits(message.to)) {
            return std::unexpected(SendFailure{
                Error{ErrorCode::invalid_argument,
                      "deeplink: '" + message.to + "' is not a phone number in E.164 form (+919876543210)",
                      "to"},
                false, std::nullopt});
        }
        std::string text = message.text;
        if (message.document && !message.document->public_url.empty()) {
            if (!text.empty()) text += '\n';
            text += message.document->public_url;
        }
        return SendOutcome{.message_ids = {}, .manual = true, .link = wa_me_link(message.to, text)};
    }

    /// Nothing is ever sent, so there is nothing to find.
    [[nodiscard]] std::optional<std::vector<std::string>> find_accepted(const OutgoingMessage&,
                                                                        Timestamp) override {
        return std::nullopt;
    }
};

} // namespace

std::unique_ptr<Gateway> make_deeplink_gateway() {
    return std::make_unique<DeeplinkGateway>();
}

} // namespace shiksha::detail::delivery
