#include "tests/support/test_certificates.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "common/c_ptr.h"

namespace feedbridge::testing {
namespace {

using KeyPtr = CPtr<EVP_PKEY, EVP_PKEY_free>;
using CertPtr = CPtr<X509, X509_free>;
using BioPtr = CPtr<BIO, BIO_free_all>;
using ExtensionPtr = CPtr<X509_EXTENSION, X509_EXTENSION_free>;

void Check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("TestCertificates: ") + what + " failed");
}

KeyPtr NewKey() {
  KeyPtr key(EVP_EC_gen("P-256"));
  Check(key != nullptr, "EC key generation");
  return key;
}

// A certificate for `common_name` with `key`, signed by `issuer_key` as `issuer` (null: self).
// `extensions` are (NID, value) pairs in openssl.cnf syntax.
CertPtr NewCertificate(const std::string& common_name, EVP_PKEY* key, X509* issuer,
                       EVP_PKEY* issuer_key, long serial,
                       const std::vector<std::pair<int, std::string>>& extensions) {
  CertPtr cert(X509_new());
  Check(cert != nullptr, "X509_new");
  Check(X509_set_version(cert.get(), 2) == 1, "X509_set_version");  // v3
  Check(ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial) == 1, "serial");
  Check(X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) != nullptr, "notBefore");
  Check(X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600) != nullptr, "notAfter");
  Check(X509_set_pubkey(cert.get(), key) == 1, "X509_set_pubkey");
  X509_NAME* name = X509_get_subject_name(cert.get());
  Check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                                   -1, 0) == 1,
        "subject");
  X509* signer = issuer != nullptr ? issuer : cert.get();
  Check(X509_set_issuer_name(cert.get(), X509_get_subject_name(signer)) == 1, "issuer");
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, signer, cert.get(), nullptr, nullptr, 0);
  for (const auto& [nid, value] : extensions) {
    ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
    Check(ext != nullptr, "extension");
    Check(X509_add_ext(cert.get(), ext.get(), -1) == 1, "X509_add_ext");
  }
  Check(X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256()) > 0,
        "X509_sign");
  return cert;
}

BioPtr OpenForWriting(const std::filesystem::path& path) {
  BioPtr bio(BIO_new_file(path.c_str(), "w"));
  Check(bio != nullptr, "BIO_new_file");
  return bio;
}

void WriteCertificate(const std::filesystem::path& path, X509* cert) {
  BioPtr bio = OpenForWriting(path);
  Check(PEM_write_bio_X509(bio.get(), cert) == 1, "PEM_write_bio_X509");
}

void WriteKey(const std::filesystem::path& path, EVP_PKEY* key) {
  BioPtr bio = OpenForWriting(path);
  Check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "PEM_write_bio_PrivateKey");
}

}  // namespace

TestCertificates::TestCertificates() {
  const KeyPtr ca_key = NewKey();
  const CertPtr ca = NewCertificate("feedbridge test CA", ca_key.get(), nullptr, nullptr, 1,
                                    {{NID_basic_constraints, "critical,CA:TRUE"},
                                     {NID_key_usage, "critical,keyCertSign,cRLSign"},
                                     {NID_subject_key_identifier, "hash"}});
  const KeyPtr server_key = NewKey();
  const CertPtr server = NewCertificate("localhost", server_key.get(), ca.get(), ca_key.get(), 2,
                                        {{NID_basic_constraints, "critical,CA:FALSE"},
                                         {NID_key_usage, "critical,digitalSignature"},
                                         {NID_ext_key_usage, "serverAuth"},
                                         {NID_subject_key_identifier, "hash"},
                                         {NID_authority_key_identifier, "keyid:always"},
                                         {NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1"}});
  WriteCertificate(ca_file(), ca.get());
  WriteCertificate(server_cert_file(), server.get());
  WriteKey(server_key_file(), server_key.get());
}

}  // namespace feedbridge::testing
