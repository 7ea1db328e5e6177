// TAP version 14 (https://testanything.org/tap-version-14-specification.html) of a run, for
// harnesses that read TAP (prove, tappy, node-tap, Jenkins' TAP plugin).
#pragma once

#include <iosfwd>

#include "harness/run/result.hpp"

namespace bgw::run {

/// "TAP version 14", the plan "1..N" (N scenarios; "1..0 # SKIP ..." for none), then one test
/// point per scenario in report order:
///   pass   `ok N - name`
///   skip   `ok N - name # SKIP reason`
///   xfail  `not ok N - name # TODO reason` (a known deviation: not counted as a failure)
///   flaky  `not ok N - name # TODO flaky: pass, fail, pass` (--repeat; not a failure either)
///   fail, xpass, error  `not ok N - name`
/// and, under every `not ok`, a YAML diagnostic block: verdict, reason, file, elapsed_ms,
/// runs (with --repeat), the failed checks (kind, subject, severity, expected, observed, why,
/// at, deviation) and the kept run directory. YAML strings are double-quoted with JSON's
/// escapes, which YAML's double-quoted style shares.
void write_tap(const RunReport& report, std::ostream& out);

}  // namespace bgw::run
