// Encrypted submissions as ODK's tools read them (the ODK XForms
// specification's encryption sub-specification,
// https://getodk.github.io/xforms-spec/encryption), with OpenSSL's libcrypto:
//
//  - a fresh AES-256 key for each submission, encrypted with the form's RSA
//    public key (RSA-OAEP, SHA-256 for both the digest and MGF1, as ODK
//    Collect and ODK Central use it);
//  - the instance XML encrypted with AES-256 in CFB mode (128-bit feedback)
//    after PKCS#7 padding, its initialisation vector the MD5 of the instance
//    id and the AES key with byte 0 increased by one (the first file);
//  - a submission manifest, sent as the XML part, naming the encrypted file
//    and carrying the encrypted key and the signature (the MD5 of the form id,
//    version, encrypted key, instance id and "submission.xml::" + MD5 of the
//    plain XML, each followed by a newline, encrypted like the key).
//
// Only the manifest and the encrypted file are ever kept; the AES key is
// wiped once used.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "kiosk/result.hpp"

struct evp_pkey_st;

namespace kiosk::openrosa {

// The file name ODK gives the encrypted instance, in the manifest and as the
// multipart part's name.
inline constexpr const char* kEncryptedXmlFile = "submission.xml.enc";

// A form's RSA public key, as the form carries it: `base64RsaPublicKey` on the
// XForm's <submission> element, the DER of a SubjectPublicKeyInfo in base64.
class RsaPublicKey {
 public:
  // `where` names the source in an error ("form library_survey, <submission>").
  static Result<RsaPublicKey> from_base64(std::string_view base64_der, std::string_view where);
  // 16 lower-case hex digits of SHA-256 over the DER: what the kiosk's store
  // records as the key a response is sealed with.
  const std::string& id() const { return id_; }
  const std::string& base64() const { return base64_; }
  evp_pkey_st* get() const { return key_.get(); }

 private:
  std::shared_ptr<evp_pkey_st> key_;
  std::string id_, base64_;
};

struct EncryptedSubmission {
  std::string manifest;       // the XML part (`xml_submission_file`)
  std::string encrypted_xml;  // submission.xml.enc
  bool operator==(const EncryptedSubmission&) const = default;
};

// `version` may be empty (a form without one). `instance_id` is the whole
// value of meta/instanceID ("uuid:..."), which the IV depends on.
Result<EncryptedSubmission> encrypt_submission(const RsaPublicKey& key, const std::string& form_id,
                                               const std::string& version, const std::string& instance_id,
                                               std::string_view xml);

// The stored form of an encrypted submission, for the kiosk's database: the
// manifest and the encrypted file, each with its length, in one blob
// ("odk-submission-v1 <manifest bytes> <encrypted bytes>\n" then both).
std::string pack(const EncryptedSubmission& s);
Result<EncryptedSubmission> unpack(std::string_view blob);

// Lower-case hex MD5 of the bytes: OpenRosa's form list names each form's
// bytes by it ("md5:..."), to tell a changed form from the one held.
std::string md5_hex(std::string_view bytes);

// ---- For the server side: tests, and an analyst holding the private key ----

struct RsaKeyPair {
  std::string private_pem;        // PKCS#8, unencrypted
  std::string public_base64_der;  // as a form carries it
};
// A 2048-bit pair (ODK Central's managed encryption makes the same size).
Result<RsaKeyPair> generate_rsa_key_pair();

struct OpenedSubmission {
  std::string form_id, version, instance_id;
  std::string xml;  // the instance as the kiosk wrote it
};
// Decrypts with the private key and checks the signature; an error says
// which step failed (the manifest, the key, the padding, the signature).
Result<OpenedSubmission> decrypt_submission(const std::string& private_pem, const EncryptedSubmission& s);

}  // namespace kiosk::openrosa
