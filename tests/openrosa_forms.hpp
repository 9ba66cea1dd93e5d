// The OpenRosa tests' form and key: tests/openrosa/library_visit.xml, as
// pyxform writes a form, and a 2048-bit RSA key pair made once per test
// program, whose public half the encrypted form carries.
#pragma once

#include <stdexcept>
#include <string>

#include "odk_crypto.hpp"
#include "support.hpp"

namespace test {

inline std::string visit_form() { return read_file(source_path("tests/openrosa/library_visit.xml")); }

inline const kiosk::openrosa::RsaKeyPair& form_key() {
  static const kiosk::openrosa::RsaKeyPair k = [] {
    auto p = kiosk::openrosa::generate_rsa_key_pair();
    if (!p) throw std::runtime_error(p.message());
    return *p;
  }();
  return k;
}

// The form with the key on its <submission>, as ODK Central's managed encryption sets it.
inline std::string encrypted_visit_form() {
  std::string f = visit_form();
  const std::string plain = "<submission/>";
  return f.replace(f.find(plain), plain.size(),
                   "<submission base64RsaPublicKey=\"" + form_key().public_base64_der +
                       "\" method=\"post\" orx:auto-delete=\"true\"/>");
}

}  // namespace test
