// The process-wide allocator setting servers of many short connections want. Called once by
// each main() that runs upstreams (bgw-upstream, badgateway).
#pragma once

#include <cstddef>

namespace bgw::sim {

/// Lets glibc keep up to `bytes` of freed memory at the top of the heap instead of returning it
/// at once. Each TLS connection allocates ~50 KB (Asio's two 17 KB record buffers, the input
/// buffer) and frees it at close; with glibc's default 128 KiB trim threshold the heap top
/// shrank and grew again, a brk(2) about every other connection, and the pages grown again
/// fault in zeroed (measured with strace -c: 0.46 brk per handshake before, none after).
void keep_heap_top(std::size_t bytes = std::size_t{16} << 20);

}  // namespace bgw::sim
