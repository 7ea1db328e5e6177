// The values a proxy config template sees: the scenario's proxy-neutral topology (pool, timeouts,
// retry policy, passive health) with the ports the upstreams and the proxy actually got, in the
// units proxies want (ms, whole seconds), plus the adapter's per-proxy knobs.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "harness/proxy/config_template.hpp"
#include "harness/scenario/scenario.hpp"

namespace bgw::proxy {

struct Bindings {
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 0;
  std::map<std::string, std::uint16_t> upstream_ports;  ///< upstream name -> port
  std::map<std::string, std::string> upstream_hosts;    ///< upstream name -> bound address
  std::string upstream_host = "127.0.0.1";              ///< for upstreams not in upstream_hosts
  std::string workdir;                                  ///< the run directory
  std::string upstream_ca;        ///< the run CA's file (sim::write_run_ca); empty: no TLS
  std::string upstream_ca_chain;  ///< intermediate + root
};

/// Build the template context. Keys (documented in docs/adapters.md):
/// workdir, is_root, listen.{host,port,instance}, pool[] {name,host,port,backup,primary,weight},
/// has_backup, timeouts.{connect,read,send,idle}.{ms,s}, listener.{keepalive,idle_timeout.{ms,s}},
/// upstream_keepalive.{enabled,count}, retry.{enabled,attempts,tries,non_idempotent,on.<kind>},
/// health.{enabled,max_fails,fail_window.{ms,s}}, knobs.<key> for `proxy`'s overrides,
/// pool[].tls, upstream_tls.{enabled,verify,sni}, upstream_ca, upstream_ca_chain.
/// listen.instance: the listen address and port as one alphanumeric word ("127100002003p41235"),
/// for names a proxy keeps machine-wide (Squid's -n shared-memory names): two runs on different
/// addresses may get the same port.
TemplateValue make_context(const scenario::Scenario& scenario, const Bindings& bindings,
                           const std::string& proxy);

}  // namespace bgw::proxy
