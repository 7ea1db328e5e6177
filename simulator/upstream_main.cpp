// bgw-upstream: one fake upstream as a process. Used for real crashes (ProcessUpstream sends
// SIGKILL) and as a standalone server for performance comparisons. Runs until SIGINT/SIGTERM.
#include <pthread.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bgw_version.hpp"
#include "fault_catalogue.hpp"
#include "journal_file.hpp"
#include "net.hpp"
#include "tls_material.hpp"
#include "tls_spec.hpp"
#include "units.hpp"
#include "upstream.hpp"

namespace {

void usage(std::ostream& out) {
  out << "Usage: bgw-upstream [options]\n"
         "  --name NAME            upstream name for the journal (default: upstream)\n"
         "  --address ADDR         loopback address to bind (default: 127.0.0.1)\n"
         "  --port PORT            port to bind (default: 0, ephemeral)\n"
         "  --listen-fd N          use the already bound socket N instead of binding\n"
         "  --ready-fd N           write \"ready\\n\" to fd N once listening, then close it\n"
         "  --fault NAME           apply a catalogue fault to every request or connection\n"
         "  --param KEY=VALUE      a parameter of the --fault (repeatable)\n"
         "  --journal LEVEL        counters | events | bytes (default: events)\n"
         "  --journal-keep N       events kept in memory: a ring of the N most recent, plus\n"
         "                         exact counters (default: 10000; memory stays flat)\n"
         "  --journal-file PATH    stream every journaled event to PATH as JSON lines,\n"
         "                         written in 64 KiB chunks and at least once a second\n"
         "  --journal-max-bytes N  with --journal-file: past N bytes PATH becomes PATH.1\n"
         "                         and a new PATH starts (default: 0, no cap)\n"
         "  --threads N            N threads, each with its own io_context and listener on the\n"
         "                         same port (SO_REUSEPORT; the kernel spreads connections);\n"
         "                         each thread journals and counts (rule indices) on its own\n"
         "                         (default: 1; needs a listener that accepts, no --listen-fd)\n"
         "  --tls                  speak TLS (a certificate from a CA made at start)\n"
         "  --tls-cert KIND        the certificate: good, wrong_name, ip_only, expired,\n"
         "                         not_yet_valid, self_signed, unknown_ca, missing_intermediate\n"
         "                         (default: good; implies --tls)\n"
         "  --tls-key KIND         rsa | ecdsa (default: ecdsa; implies --tls)\n"
         "  --tls-version V        accept 1.0, 1.1, 1.2 or 1.3 (repeatable; default 1.2 and\n"
         "                         1.3; implies --tls)\n"
         "  --tls-alpn PROTO       answer ALPN with PROTO (repeatable; implies --tls)\n"
         "  --tls-ca-dir DIR       write the CA a client must trust into DIR: upstream-ca.pem,\n"
         "                         upstream-intermediate.pem, upstream-ca-chain.pem\n"
         "  --version              print the version\n"
         "Options take their value as `--opt value` or `--opt=value`; a bad one exits 2.\n"
         "Prints \"listening ADDR:PORT\" on stdout once listening.\n";
}

namespace sim = bgw::sim;

// Streams one upstream's journal into the shared file from the thread that journals: its own
// buffer, handed to the file a chunk at a time, and flushed once a second by a timer on the
// same io_context, so a reader (tail -f) or a SIGKILL loses at most a second of lines.
struct JournalStream {
  JournalStream(sim::net::io_context& io, sim::Upstream& upstream, sim::JournalFile& file)
      : journal(upstream.journal()), buffer(file), timer(io) {
    sim::Journal& j = journal;
    // What was journaled before (the bind's listening event) goes first.
    for (const sim::Event& e : j.snapshot())
      buffer.add_line(sim::Journal::to_json(e, j.upstream(), j.origin()));
    j.set_listener([this, &j](const sim::Event& e) {
      buffer.add_line(sim::Journal::to_json(e, j.upstream(), j.origin()));
    });
    tick();
  }
  // The upstream may journal after this (its destructor stops it): it must not call us then.
  ~JournalStream() { journal.set_listener({}); }
  JournalStream(const JournalStream&) = delete;
  JournalStream& operator=(const JournalStream&) = delete;
  void tick() {
    timer.expires_after(std::chrono::seconds(1));
    timer.async_wait([this](const sim::error_code& ec) {
      if (ec) return;
      buffer.flush();
      tick();
    });
  }
  sim::Journal& journal;
  sim::JournalFile::Buffer buffer;
  sim::net::steady_timer timer;
};

// Threads 2..N: their own io_context and Upstream on the port thread 1 bound. They stop when the
// main thread closes the write end of `stop_pipe` (every reader then sees EOF), so nothing is
// ever posted across threads and each io_context keeps the lock-free concurrency hint.
struct Worker {
  Worker(const sim::UpstreamSpec& spec, int stop_fd)
      : io(BOOST_ASIO_CONCURRENCY_HINT_UNSAFE), upstream(io, spec), stop(io, stop_fd) {}
  sim::net::io_context io;
  sim::Upstream upstream;
  sim::net::posix::stream_descriptor stop;
  std::unique_ptr<JournalStream> stream;
  std::thread thread;
  char byte = 0;  // never written: the main thread only ever closes the pipe

  void start() {
    stop.async_read_some(sim::net::buffer(&byte, 1), [this](const sim::error_code&, std::size_t) {
      upstream.stop();
      if (stream) stream->timer.cancel();
      io.stop();
    });
    thread = std::thread([this] { io.run(); });
  }
};

}  // namespace

int main(int argc, char** argv) {
  sim::UpstreamSpec spec;
  spec.journal = sim::JournalLevel::events;
  int ready_fd = -1;
  unsigned threads = 1;
  std::size_t journal_keep = 10000;
  std::string journal_file, journal_max_bytes = "0", fault, journal = "events";
  std::vector<std::string> param_texts;
  sim::FaultParams params;
  bool show_version = false;
  bool tls = false;
  std::string tls_cert, tls_key, tls_ca_dir;
  std::vector<std::string> tls_versions, tls_alpn;
  auto bad = [](const std::string& m) {
    std::cerr << "bgw-upstream: " << m << "\n";
    usage(std::cerr);
    return 2;
  };

  CLI::App app;
  app.set_help_flag("-h,--help");
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--name", spec.name);
  app.add_option("--address", spec.address);
  app.add_option("--port", spec.port)->check(CLI::Range(0, 65535));
  app.add_option("--listen-fd", spec.adopt_fd)
      ->check(CLI::Range(0, std::numeric_limits<int>::max()));
  app.add_option("--ready-fd", ready_fd)->check(CLI::Range(0, std::numeric_limits<int>::max()));
  app.add_option("--fault", fault);
  app.add_option("--param", param_texts)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--journal", journal);
  app.add_option("--journal-keep", journal_keep)->check(CLI::Range(0, 100'000'000));
  app.add_option("--journal-file", journal_file);
  app.add_option("--journal-max-bytes", journal_max_bytes);
  app.add_option("--threads", threads)->check(CLI::Range(1, 256));
  app.add_flag("--tls", tls);
  app.add_option("--tls-cert", tls_cert);
  app.add_option("--tls-key", tls_key);
  app.add_option("--tls-version", tls_versions)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--tls-alpn", tls_alpn)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--tls-ca-dir", tls_ca_dir);
  app.add_flag("--version", show_version);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    usage(std::cout);
    return 0;
  } catch (const CLI::Error& e) {
    return bad(e.what());
  }
  if (show_version) {
    std::cout << "bgw-upstream " << bgw::version << "\n";
    return 0;
  }
  if (journal == "counters")
    spec.journal = sim::JournalLevel::counters;
  else if (journal == "events")
    spec.journal = sim::JournalLevel::events;
  else if (journal == "bytes")
    spec.journal = sim::JournalLevel::bytes;
  else
    return bad("--journal takes counters, events or bytes");
  const auto max_bytes = sim::parse_size(journal_max_bytes);
  if (!max_bytes) return bad("--journal-max-bytes takes a size such as 1GiB, 512MiB or 0");
  if (*max_bytes > 0 && journal_file.empty())
    return bad("--journal-max-bytes needs --journal-file");
  if (tls || !tls_cert.empty() || !tls_key.empty() || !tls_versions.empty() || !tls_alpn.empty()) {
    sim::TlsSpec t;
    if (!tls_cert.empty()) {
      const auto kind = sim::parse_cert_kind(tls_cert);
      if (!kind)
        return bad(
            "--tls-cert takes good, wrong_name, ip_only, expired, not_yet_valid, "
            "self_signed, unknown_ca or missing_intermediate, not '" +
            tls_cert + "'");
      t.cert = *kind;
    }
    if (!tls_key.empty()) {
      const auto kind = sim::parse_key_kind(tls_key);
      if (!kind) return bad("--tls-key takes rsa or ecdsa, not '" + tls_key + "'");
      t.key = *kind;
    }
    for (const std::string& v : tls_versions) {
      const auto version = sim::parse_tls_version(v);
      if (!version) return bad("--tls-version takes 1.0, 1.1, 1.2 or 1.3, not '" + v + "'");
      t.versions.push_back(*version);
    }
    for (const std::string& p : tls_alpn) {
      // RFC 7301 §3.1: a protocol name is 1 to 255 bytes.
      if (p.empty() || p.size() > 255) return bad("--tls-alpn takes a name of 1 to 255 bytes");
      t.alpn.push_back(p);
    }
    spec.tls = std::move(t);
  }
  if (!tls_ca_dir.empty() && !spec.tls) return bad("--tls-ca-dir needs --tls");
  const sim::FaultInfo* info = nullptr;
  if (!fault.empty()) {
    info = sim::find_fault(fault);
    if (info == nullptr) {
      const std::string hint = sim::suggest_fault(fault);
      return bad("unknown fault '" + fault + "'" +
                 (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
    }
  }
  for (const std::string& p : param_texts) {
    if (info == nullptr) return bad("--param needs a --fault");
    const auto eq = p.find('=');
    if (eq == std::string::npos) return bad("--param takes KEY=VALUE");
    auto parsed = sim::parse_param(*info, p.substr(0, eq), p.substr(eq + 1));
    if (auto* e = std::get_if<sim::FaultError>(&parsed)) return bad(e->message);
    params[p.substr(0, eq)] = std::get<sim::ParamValue>(parsed);
  }
  if (!fault.empty()) {
    if (sim::needs_tls(*info) && !spec.tls)
      return bad("fault '" + fault + "' needs a TLS upstream: add --tls");
    auto lowered = sim::lower_fault(fault, params, spec.response);
    if (auto* e = std::get_if<sim::FaultError>(&lowered)) return bad(e->param + ": " + e->message);
    auto& f = std::get<sim::LoweredFault>(lowered);
    if (f.mode)
      spec.mode = *f.mode;
    else
      spec.rules.push_back(f.rule);
  }
  if (threads > 1 && spec.adopt_fd >= 0) return bad("--threads cannot share a --listen-fd socket");
  if (threads > 1 && spec.mode != sim::ListenerMode::accept)
    return bad("--threads needs a listener that accepts (not refuse or blackhole)");

  try {
    // Written before listening, so a client that waits for "listening" finds it.
    if (!tls_ca_dir.empty()) sim::write_run_ca(tls_ca_dir);
    // One thread runs this context and nothing else posts to it: no locks needed (a measured
    // few percent of CPU per request; see docs/performance.md).
    sim::net::io_context io(BOOST_ASIO_CONCURRENCY_HINT_UNSAFE);
    // Declared before the upstreams and their streams, so it outlives both.
    std::optional<sim::JournalFile> file;
    if (!journal_file.empty()) file.emplace(journal_file, *max_bytes);
    sim::Upstream upstream(io, spec);
    upstream.journal().keep_at_most(journal_keep);
    std::optional<JournalStream> stream;
    if (file) stream.emplace(io, upstream, *file);
    int stop_pipe[2] = {-1, -1};
    std::vector<std::unique_ptr<Worker>> workers;
    if (threads > 1) {
      if (::pipe(stop_pipe) != 0) throw std::runtime_error("pipe() for --threads failed");
      sim::UpstreamSpec same_port = spec;
      same_port.port = upstream.port();
      // Workers must not take SIGINT/SIGTERM: the main thread's signal_set handles them.
      sigset_t block, old;
      sigemptyset(&block);
      sigaddset(&block, SIGINT);
      sigaddset(&block, SIGTERM);
      pthread_sigmask(SIG_BLOCK, &block, &old);
      // Every listener is bound before any thread starts, so a bind failure throws cleanly.
      for (unsigned t = 1; t < threads; ++t) {
        workers.push_back(std::make_unique<Worker>(same_port, ::dup(stop_pipe[0])));
        Worker& w = *workers.back();
        w.upstream.journal().keep_at_most(journal_keep);
        if (file) w.stream = std::make_unique<JournalStream>(w.io, w.upstream, *file);
      }
      for (auto& w : workers) w->start();
      pthread_sigmask(SIG_SETMASK, &old, nullptr);
      ::close(stop_pipe[0]);
    }
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const sim::error_code&, int) {
      upstream.stop();
      if (stream) stream->timer.cancel();
      io.stop();
    });
    std::cout << "listening " << upstream.endpoint() << std::endl;
    if (ready_fd >= 0) {
      const char msg[] = "ready\n";
      [[maybe_unused]] auto n = ::write(ready_fd, msg, sizeof msg - 1);
      ::close(ready_fd);
    }
    io.run();
    if (stop_pipe[1] >= 0) ::close(stop_pipe[1]);  // EOF for every worker: they stop and return
    for (auto& w : workers) w->thread.join();
    // Every thread has stopped: their last lines (stopped) go to the file now.
    if (stream) stream->buffer.flush();
    for (auto& w : workers)
      if (w->stream) w->stream->buffer.flush();
    if (file && !file->ok()) {
      std::cerr << "bgw-upstream: writing the journal to " << journal_file
                << " failed: " << file->error() << "\n";
      return 3;
    }
  } catch (const std::exception& e) {
    std::cerr << "bgw-upstream: " << e.what() << "\n";
    return 3;
  }
  return 0;
}
