// Ctrl-C and SIGTERM while scenarios run: the proxy process groups we started are registered
// here, so a signal handler thread can stop every one of them at once and the runners can see
// that they should give up. Nothing is left running and no port stays bound.
#pragma once

#include <sys/types.h>

#include <atomic>

namespace bgw::run {

/// True once SIGINT or SIGTERM arrived.
bool interrupted();

/// Remember / forget a running proxy's process group (its leader's pid); also registered with
/// the guardian (guardian.hpp), which kills it should this process be SIGKILLed.
void register_process_group(pid_t leader);
void unregister_process_group(pid_t leader);

/// Start the guardian (guardian.hpp), block SIGINT, SIGTERM and SIGHUP in this thread (call
/// first, before starting threads, so every thread inherits the mask) and start a thread that
/// waits for them. On the first signal
/// it marks interrupted() and sends SIGTERM, then after a short grace SIGKILL, to every
/// registered group; on a second signal it does the same without the grace and exits 130.
void install_signal_handling();

}  // namespace bgw::run
