#pragma once

// A throwaway PKI for TLS tests, made at run time with OpenSSL (no openssl CLI, no files checked
// in that could expire): a CA, and a server certificate it signed for "localhost" and 127.0.0.1.
// Keys are ECDSA P-256; certificates are valid from an hour ago for a day.

#include <filesystem>

#include "tests/support/temp_dir.h"

namespace feedbridge::testing {

// PEM files in a temp dir, removed with this object. Throws std::runtime_error if OpenSSL fails.
// Not thread-safe.
class TestCertificates {
 public:
  TestCertificates();
  TestCertificates(const TestCertificates&) = delete;
  TestCertificates& operator=(const TestCertificates&) = delete;

  // The CA certificate: what a client must trust.
  std::filesystem::path ca_file() const { return dir_.path() / "ca.pem"; }
  // The server's certificate (subjectAltName DNS:localhost, IP:127.0.0.1) and its private key.
  std::filesystem::path server_cert_file() const { return dir_.path() / "server.pem"; }
  std::filesystem::path server_key_file() const { return dir_.path() / "server.key"; }

 private:
  TempDir dir_;
};

}  // namespace feedbridge::testing
