// Cleanup that survives SIGKILL. PR_SET_PDEATHSIG does not cover everything we start: Apache's
// worker and Squid change uid, which clears it (prctl(2)), and Squid's sh wrapper forks Squid
// without it. A SIGKILLed badgateway would leave them running and holding their ports.
//
// So at start-up badgateway forks a guardian: a tiny process in its own process group that holds
// one end of a socketpair. Every proxy process group (and any single process) badgateway starts
// is registered with it; one that is stopped normally is released. When badgateway dies, however
// it dies, the kernel closes its end, the guardian's recv() returns 0, and the guardian SIGKILLs
// every group still registered and exits.
#pragma once

#include <sys/types.h>

namespace bgw::run {

/// Fork the guardian and make this process a child subreaper (PR_SET_CHILD_SUBREAPER: a
/// daemonising grandchild is re-parented to us, not to init, while we live). Call once, before
/// any thread starts. Returns false, and registrations are then no-ops, if it cannot fork.
bool start_guardian();

/// Kill the group led by `leader` (or the single process `pid`) if this process dies first.
void guard_process_group(pid_t leader);
void guard_process(pid_t pid);
/// It was stopped normally: forget it (its pid may be reused).
void release_process_group(pid_t leader);
void release_process(pid_t pid);

}  // namespace bgw::run
