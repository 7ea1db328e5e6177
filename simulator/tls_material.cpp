#include "tls_material.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <tuple>

namespace bgw::sim {
namespace {

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
  void operator()(X509* c) const { X509_free(c); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;

[[noreturn]] void fail(const char* what) {
  throw std::runtime_error(std::string("tls material: ") + what + " failed");
}

Key make_key(KeyKind kind) {
  EVP_PKEY* k = kind == KeyKind::rsa ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256");
  if (k == nullptr) fail(kind == KeyKind::rsa ? "RSA 2048 key generation" : "P-256 key generation");
  return Key(k);
}

void add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) fail("X509V3_EXT_conf_nid");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

struct Validity {
  long not_before;  ///< seconds from now
  long not_after;
};
constexpr long day = 24L * 3600;
constexpr Validity current{-day, 30 * day};  // a day back: a clock a little behind still accepts

// One certificate. `issuer` null: self-signed (subject = issuer, signed with `key`).
Cert make_cert(EVP_PKEY* key, const std::string& cn, X509* issuer, EVP_PKEY* issuer_key, bool ca,
               const std::string& san, Validity v) {
  Cert c(X509_new());
  if (!c) fail("X509_new");
  X509_set_version(c.get(), 2);  // v3
  // A random 64-bit serial: two certificates of one issuer never share one (RFC 5280 §4.1.2.2).
  BIGNUM* bn = BN_new();
  BN_rand(bn, 64, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(c.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(c.get()), v.not_before);
  X509_gmtime_adj(X509_getm_notAfter(c.get()), v.not_after);
  X509_set_pubkey(c.get(), key);
  X509_NAME* name = X509_get_subject_name(c.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("badgateway"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509* signer = issuer != nullptr ? issuer : c.get();
  X509_set_issuer_name(c.get(), X509_get_subject_name(signer));
  add_ext(c.get(), signer, NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  add_ext(c.get(), signer, NID_key_usage,
          ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature,keyEncipherment");
  if (!ca) add_ext(c.get(), signer, NID_ext_key_usage, "serverAuth");
  add_ext(c.get(), signer, NID_subject_key_identifier, "hash");
  if (issuer != nullptr) add_ext(c.get(), signer, NID_authority_key_identifier, "keyid:always");
  if (!san.empty()) add_ext(c.get(), signer, NID_subject_alt_name, san);
  if (X509_sign(c.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256()) == 0)
    fail("X509_sign");
  return c;
}

std::string pem(X509* c) {
  std::unique_ptr<BIO, BioFree> b(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(b.get(), c);
  char* data = nullptr;
  const long n = BIO_get_mem_data(b.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::string pem(EVP_PKEY* k) {
  std::unique_ptr<BIO, BioFree> b(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(b.get(), k, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long n = BIO_get_mem_data(b.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

// Everything made once per process, under one lock (the runner serves scenarios on several
// threads). CA keys are P-256: they sign, they are never negotiated.
class Material {
 public:
  static Material& get() {
    static Material m;
    return m;
  }

  ServerCredentials credentials(CertKind kind, KeyKind key_kind, const std::string& dns,
                                const std::string& ip) {
    std::lock_guard lock(mu_);
    const auto cache_key = std::tuple{kind, key_kind, dns, ip};
    if (auto it = issued_.find(cache_key); it != issued_.end()) return it->second;
    EVP_PKEY* key = leaf_key(key_kind);
    const std::string right = "DNS:" + dns + (ip.empty() ? "" : ",IP:" + ip);
    const std::string cn = dns;
    ServerCredentials out;
    out.key_pem = pem(key);
    const std::string with_intermediate = "\n" + pem(intermediate_.get());
    switch (kind) {
      case CertKind::good:
        out.chain_pem = pem(make_cert(key, cn, intermediate_.get(), intermediate_key_.get(), false,
                                      right, current)
                                .get()) +
                        with_intermediate;
        break;
      case CertKind::wrong_name:
        out.chain_pem =
            pem(make_cert(key, "wrong-name.badgateway.test", intermediate_.get(),
                          intermediate_key_.get(), false, "DNS:wrong-name.badgateway.test", current)
                    .get()) +
            with_intermediate;
        break;
      case CertKind::ip_only:
        // A CN that is not a host name: a verifier falling back to the CN (no DNS SAN) must
        // not match it either.
        out.chain_pem = pem(make_cert(key, "badgateway ip-only certificate", intermediate_.get(),
                                      intermediate_key_.get(), false,
                                      ip.empty() ? "IP:127.0.0.1" : "IP:" + ip, current)
                                .get()) +
                        with_intermediate;
        break;
      case CertKind::expired:
        out.chain_pem = pem(make_cert(key, cn, intermediate_.get(), intermediate_key_.get(), false,
                                      right, {-30 * day, -day})
                                .get()) +
                        with_intermediate;
        break;
      case CertKind::not_yet_valid:
        out.chain_pem = pem(make_cert(key, cn, intermediate_.get(), intermediate_key_.get(), false,
                                      right, {day, 30 * day})
                                .get()) +
                        with_intermediate;
        break;
      case CertKind::self_signed:
        out.chain_pem = pem(make_cert(key, cn, nullptr, nullptr, false, right, current).get());
        break;
      case CertKind::unknown_ca:
        out.chain_pem =
            pem(make_cert(key, cn, unknown_ca_.get(), unknown_ca_key_.get(), false, right, current)
                    .get());
        break;
      case CertKind::missing_intermediate:
        out.chain_pem = pem(
            make_cert(key, cn, intermediate_.get(), intermediate_key_.get(), false, right, current)
                .get());
        break;
    }
    issued_.emplace(cache_key, out);
    return out;
  }

  std::string root_pem() {
    std::lock_guard lock(mu_);
    return pem(root_.get());
  }
  std::string intermediate_pem() {
    std::lock_guard lock(mu_);
    return pem(intermediate_.get());
  }

 private:
  Material()
      : root_key_(make_key(KeyKind::ecdsa)),
        intermediate_key_(make_key(KeyKind::ecdsa)),
        unknown_ca_key_(make_key(KeyKind::ecdsa)),
        root_(make_cert(root_key_.get(), "badgateway run CA", nullptr, nullptr, true, "",
                        {-day, 365 * day})),
        intermediate_(make_cert(intermediate_key_.get(), "badgateway run intermediate CA",
                                root_.get(), root_key_.get(), true, "", {-day, 365 * day})),
        unknown_ca_(make_cert(unknown_ca_key_.get(), "badgateway unknown CA", nullptr, nullptr,
                              true, "", {-day, 365 * day})) {}

  EVP_PKEY* leaf_key(KeyKind kind) {
    Key& k = kind == KeyKind::rsa ? rsa_ : ecdsa_;
    if (!k) k = make_key(kind);
    return k.get();
  }

  std::mutex mu_;
  Key root_key_, intermediate_key_, unknown_ca_key_;
  Cert root_, intermediate_, unknown_ca_;
  Key rsa_, ecdsa_;  // made on first use: a run with ECDSA upstreams only never waits for RSA
  std::map<std::tuple<CertKind, KeyKind, std::string, std::string>, ServerCredentials> issued_;
};

void write_text(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + p.string());
}

}  // namespace

ServerCredentials server_credentials(CertKind kind, KeyKind key, const std::string& dns_name,
                                     const std::string& ip) {
  return Material::get().credentials(kind, key, dns_name, ip);
}

std::string run_ca_pem() {
  return Material::get().root_pem();
}

std::string intermediate_pem() {
  return Material::get().intermediate_pem();
}

RunCaFiles write_run_ca(const std::filesystem::path& dir) {
  RunCaFiles f{dir / "upstream-ca.pem", dir / "upstream-intermediate.pem",
               dir / "upstream-ca-chain.pem"};
  const std::string root = run_ca_pem();
  const std::string mid = intermediate_pem();
  write_text(f.ca, root);
  write_text(f.intermediate, mid);
  write_text(f.chain, mid + root);
  return f;
}

}  // namespace bgw::sim
