#include "heap_policy.hpp"

#include <malloc.h>

#include <climits>

namespace bgw::sim {

void keep_heap_top(std::size_t bytes) {
  // M_TRIM_THRESHOLD set by hand also fixes glibc's mmap threshold at its default (128 KiB),
  // so large buffers still go back to the kernel when freed.
  mallopt(M_TRIM_THRESHOLD, static_cast<int>(bytes > INT_MAX ? INT_MAX : bytes));
}

}  // namespace bgw::sim
