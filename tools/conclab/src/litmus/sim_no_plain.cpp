// The explorer's plain-memory checker (support/src/sim/plain.cpp) answers ThreadSanitizer's instrumentation
// calls, and the CLI is not compiled with that instrumentation: the litmus model has only atomics. These are the
// scheduler's calls into the checker, with nothing to check. (plain.cpp also replaces the global operator
// delete, which the CLI's own threads must not go through.)
#include "../../../../support/src/sim/internal.hpp"

namespace conclab::sim::detail {
namespace internal {
void explorer_thread_begins() {}
void explorer_thread_ends() {}
void operation_begins() {}
}  // namespace internal
void unchecked_until_return() {}
}  // namespace conclab::sim::detail
