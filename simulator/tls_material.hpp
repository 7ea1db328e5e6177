// The run's certificates, made in-process with OpenSSL when first asked for: a throwaway root CA,
// an intermediate it signs, an unrelated "unknown" CA, and one leaf per certificate kind. Keys
// are made once per process and reused (RSA 2048 generation takes ~0.1 s, and sometimes far
// more); leaves are cheap (one signature) and issued per name and address. Nothing is checked
// in and nothing shells out. Thread-safe. PEM text in, PEM text out: no OpenSSL in this header.
#pragma once

#include <filesystem>
#include <string>

#include "tls_spec.hpp"

namespace bgw::sim {

/// What a server presents: its certificate chain (leaf first) and its private key, in PEM.
struct ServerCredentials {
  std::string chain_pem;
  std::string key_pem;
};

/// The leaf for `kind` with `key`, naming `dns_name` and `ip` as the kind says (tls_spec.hpp),
/// with the chain the kind sends. Cached per (kind, key, name, ip).
ServerCredentials server_credentials(CertKind kind, KeyKind key, const std::string& dns_name,
                                     const std::string& ip);

/// The run's root CA certificate (PEM): what a proxy must trust to accept a good certificate.
std::string run_ca_pem();
/// The intermediate CA certificate (PEM) that issues the leaves.
std::string intermediate_pem();

/// The files a proxy's config names, written into a run directory.
struct RunCaFiles {
  std::filesystem::path ca;            ///< the root alone: upstream-ca.pem
  std::filesystem::path intermediate;  ///< the intermediate alone: upstream-intermediate.pem
  std::filesystem::path chain;  ///< intermediate, then root: upstream-ca-chain.pem (for a proxy
                                ///< that must accept a leaf sent without its intermediate)
};

/// Writes the three files into `dir` (which exists). Throws std::runtime_error on I/O failure.
RunCaFiles write_run_ca(const std::filesystem::path& dir);

}  // namespace bgw::sim
