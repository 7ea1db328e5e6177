// The keys every table of a scenario file accepts. The decoder rejects any other key (with a
// did-you-mean against this list), and a unit test checks that docs/scenario-format.md
// documents exactly these keys, so the reference cannot fall behind the loader.
#pragma once

#include <span>
#include <string_view>

namespace bgw::scenario {

struct KeyTable {
  std::string_view path;   ///< "upstream.fault"; matches a `<!-- keys: PATH -->` marker in the docs
  std::string_view title;  ///< how messages name the table: "[[upstream.fault]]"
  std::span<const std::string_view> keys;
};

namespace keys {
extern const KeyTable root;
extern const KeyTable scenario;
extern const KeyTable upstream;
extern const KeyTable response;
extern const KeyTable upstream_tls;
extern const KeyTable proxy_upstream_tls;
extern const KeyTable fault;
extern const KeyTable fault_step;
extern const KeyTable fault_step_handshake;
extern const KeyTable event;
extern const KeyTable proxy;
extern const KeyTable listener;
extern const KeyTable pool_member;
extern const KeyTable timeouts;
extern const KeyTable retry;
extern const KeyTable health;
extern const KeyTable step;
extern const KeyTable request;
extern const KeyTable step_expect;
extern const KeyTable expect_headers;
extern const KeyTable step_expect_override;
extern const KeyTable any_of;
extern const KeyTable expect;
extern const KeyTable expect_override;
extern const KeyTable range;
extern const KeyTable bench;
}  // namespace keys

/// Every key table, in documentation order.
std::span<const KeyTable* const> key_tables();

}  // namespace bgw::scenario
