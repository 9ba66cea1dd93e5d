#include "odk_crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <array>
#include <charconv>
#include <cstdio>

#include "kiosk/crypto.hpp"
#include "kiosk/seal.hpp"
#include "xml_tree.hpp"

namespace kiosk::openrosa {
namespace {

constexpr std::size_t kAesKeyBytes = 32, kBlock = 16;
constexpr const char* kSubmissionsNs = "http://opendatakit.org/submissions";
constexpr const char* kOpenRosaNs = "http://openrosa.org/xforms";

std::string openssl_error() {
  const unsigned long e = ERR_get_error();
  if (e == 0) return "no detail";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

Error crypto_error(const std::string& what) { return make_error(ErrorKind::Internal, what + ": " + openssl_error()); }

struct CtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
  void operator()(BIO* b) const { BIO_free(b); }
};
template <class T>
using Owned = std::unique_ptr<T, CtxFree>;

std::array<unsigned char, 16> md5(std::string_view a, std::string_view b = {}) {
  std::array<unsigned char, 16> out{};
  Owned<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  unsigned int n = 0;
  EVP_DigestInit_ex(ctx.get(), EVP_md5(), nullptr);
  EVP_DigestUpdate(ctx.get(), a.data(), a.size());
  if (!b.empty()) EVP_DigestUpdate(ctx.get(), b.data(), b.size());
  EVP_DigestFinal_ex(ctx.get(), out.data(), &n);
  return out;
}

std::string hex(const unsigned char* p, std::size_t n) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out += d[p[i] >> 4];
    out += d[p[i] & 15];
  }
  return out;
}

// RSA-OAEP with SHA-256 as the digest and as MGF1's (the "OAEPWithSHA256AndMGF1Padding"
// ODK Collect uses; ODK Central decrypts exactly this).
Owned<EVP_PKEY_CTX> oaep_context(EVP_PKEY* key, bool encrypt) {
  Owned<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new(key, nullptr));
  if (!ctx) return nullptr;
  if ((encrypt ? EVP_PKEY_encrypt_init(ctx.get()) : EVP_PKEY_decrypt_init(ctx.get())) <= 0) return nullptr;
  if (EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) <= 0) return nullptr;
  if (EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), EVP_sha256()) <= 0) return nullptr;
  if (EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), EVP_sha256()) <= 0) return nullptr;
  return ctx;
}

Result<std::string> rsa_encrypt(EVP_PKEY* key, std::string_view plain) {
  auto ctx = oaep_context(key, true);
  if (!ctx) return crypto_error("RSA-OAEP set-up");
  std::size_t n = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(plain.data());
  if (EVP_PKEY_encrypt(ctx.get(), nullptr, &n, in, plain.size()) <= 0) return crypto_error("RSA-OAEP size");
  std::string out(n, '\0');
  if (EVP_PKEY_encrypt(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &n, in, plain.size()) <= 0)
    return crypto_error("RSA-OAEP encryption");
  out.resize(n);
  return out;
}

Result<std::string> rsa_decrypt(EVP_PKEY* key, std::string_view sealed) {
  auto ctx = oaep_context(key, false);
  if (!ctx) return crypto_error("RSA-OAEP set-up");
  std::size_t n = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(sealed.data());
  if (EVP_PKEY_decrypt(ctx.get(), nullptr, &n, in, sealed.size()) <= 0) return crypto_error("RSA-OAEP size");
  std::string out(n, '\0');
  if (EVP_PKEY_decrypt(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &n, in, sealed.size()) <= 0)
    return make_error(ErrorKind::Validation, "the key does not open it (RSA-OAEP): " + openssl_error());
  out.resize(n);
  return out;
}

// The IV of the n-th file of a submission (0: the first; the instance XML is
// the only file here, so always 0): MD5(instance id, key), then byte i % 16
// increased by one for each file i up to n.
std::array<unsigned char, 16> file_iv(const std::string& instance_id, std::string_view key, int n) {
  auto seed = md5(instance_id, key);
  for (int i = 0; i <= n; ++i)
    seed[static_cast<std::size_t>(i) % 16] = static_cast<unsigned char>(seed[static_cast<std::size_t>(i) % 16] + 1);
  return seed;
}

Result<std::string> aes_cfb(bool encrypt, std::string_view key, const std::array<unsigned char, 16>& iv,
                            std::string_view in) {
  Owned<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_CipherInit_ex(ctx.get(), EVP_aes_256_cfb128(), nullptr,
                                reinterpret_cast<const unsigned char*>(key.data()), iv.data(), encrypt ? 1 : 0) != 1)
    return crypto_error("AES-256-CFB set-up");
  EVP_CIPHER_CTX_set_padding(ctx.get(), 0);
  std::string out(in.size() + kBlock, '\0');
  int n = 0, tail = 0;
  if (EVP_CipherUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &n,
                       reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size())) != 1 ||
      EVP_CipherFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + n, &tail) != 1)
    return crypto_error("AES-256-CFB");
  out.resize(static_cast<std::size_t>(n + tail));
  return out;
}

std::string signature_text(const std::string& form_id, const std::string& version, const std::string& key_b64,
                           const std::string& instance_id, std::string_view xml) {
  const auto digest = md5(xml);
  std::string s = form_id + "\n";
  if (!version.empty()) s += version + "\n";
  s += key_b64 + "\n" + instance_id + "\n" + "submission.xml::" + hex(digest.data(), digest.size()) + "\n";
  return s;
}

void wipe(std::string& s) {
  OPENSSL_cleanse(s.data(), s.size());
  s.clear();
}

}  // namespace

std::string md5_hex(std::string_view bytes) {
  const auto d = md5(bytes);
  return hex(d.data(), d.size());
}

Result<RsaPublicKey> RsaPublicKey::from_base64(std::string_view base64_der, std::string_view where) {
  std::string clean;
  for (char c : base64_der)
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') clean += c;
  auto der = base64_decode(clean);
  if (!der || der->empty())
    return make_error(ErrorKind::Validation, std::string(where) + ": the RSA public key is not base64");
  const auto* p = reinterpret_cast<const unsigned char*>(der->data());
  EVP_PKEY* raw = d2i_PUBKEY(nullptr, &p, static_cast<long>(der->size()));
  if (!raw)
    return make_error(ErrorKind::Validation,
                      std::string(where) + ": the RSA public key is not a public key (" + openssl_error() + ")");
  RsaPublicKey k;
  k.key_.reset(raw, EVP_PKEY_free);
  if (EVP_PKEY_get_base_id(raw) != EVP_PKEY_RSA)
    return make_error(ErrorKind::Validation, std::string(where) + ": the public key is not an RSA key");
  if (EVP_PKEY_get_bits(raw) < 2048)
    return make_error(ErrorKind::Validation, std::string(where) + ": the RSA key has " +
                                                 std::to_string(EVP_PKEY_get_bits(raw)) +
                                                 " bits; at least 2048 are needed");
  k.id_ = sha256_hex(*der).substr(0, 16);
  k.base64_ = clean;
  return k;
}

Result<EncryptedSubmission> encrypt_submission(const RsaPublicKey& key, const std::string& form_id,
                                               const std::string& version, const std::string& instance_id,
                                               std::string_view xml) {
  std::string aes(kAesKeyBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(aes.data()), static_cast<int>(aes.size())) != 1)
    return crypto_error("random AES key");
  struct Wipe {
    std::string& s;
    ~Wipe() { wipe(s); }
  } wiped{aes};

  auto encrypted_key = rsa_encrypt(key.get(), aes);
  if (!encrypted_key) return encrypted_key.error();
  const std::string key_b64 = base64_encode(*encrypted_key);

  // PKCS#7 padding to whole 16-byte blocks, as ODK requires even in CFB mode.
  std::string padded(xml);
  const std::size_t pad = kBlock - padded.size() % kBlock;
  padded.append(pad, static_cast<char>(pad));
  auto body = aes_cfb(true, aes, file_iv(instance_id, aes, 0), padded);
  wipe(padded);
  if (!body) return body.error();

  const auto sig_digest = md5(signature_text(form_id, version, key_b64, instance_id, xml));
  auto signature = rsa_encrypt(key.get(), std::string_view(reinterpret_cast<const char*>(sig_digest.data()), 16));
  if (!signature) return signature.error();

  EncryptedSubmission s;
  s.encrypted_xml = std::move(*body);
  s.manifest = "<data xmlns=\"" + std::string(kSubmissionsNs) + "\" id=\"" + xml_escape(form_id) + "\"";
  if (!version.empty()) s.manifest += " version=\"" + xml_escape(version) + "\"";
  s.manifest += " encrypted=\"yes\">";
  s.manifest += "<base64EncryptedKey>" + key_b64 + "</base64EncryptedKey>";
  s.manifest += "<encryptedXmlFile>" + std::string(kEncryptedXmlFile) + "</encryptedXmlFile>";
  s.manifest += "<base64EncryptedElementSignature>" + base64_encode(*signature) + "</base64EncryptedElementSignature>";
  s.manifest += "<meta xmlns=\"" + std::string(kOpenRosaNs) + "\"><instanceID>" + xml_escape(instance_id) +
                "</instanceID></meta></data>";
  return s;
}

std::string pack(const EncryptedSubmission& s) {
  return "odk-submission-v1 " + std::to_string(s.manifest.size()) + " " + std::to_string(s.encrypted_xml.size()) +
         "\n" + s.manifest + s.encrypted_xml;
}

Result<EncryptedSubmission> unpack(std::string_view blob) {
  auto bad = [](const std::string& why) {
    return make_error(ErrorKind::Validation, "a stored OpenRosa submission " + why);
  };
  constexpr std::string_view kMagic = "odk-submission-v1 ";
  if (blob.substr(0, kMagic.size()) != kMagic) return bad("does not start with its format's name");
  const auto eol = blob.find('\n');
  if (eol == std::string_view::npos) return bad("has no header line");
  const std::string_view head = blob.substr(kMagic.size(), eol - kMagic.size());
  const auto space = head.find(' ');
  std::size_t a = 0, b = 0;
  if (space == std::string_view::npos || std::from_chars(head.data(), head.data() + space, a).ec != std::errc{} ||
      std::from_chars(head.data() + space + 1, head.data() + head.size(), b).ec != std::errc{})
    return bad("has a broken header line");
  if (blob.size() - eol - 1 != a + b) return bad("is cut short or too long for its header");
  EncryptedSubmission s;
  s.manifest = blob.substr(eol + 1, a);
  s.encrypted_xml = blob.substr(eol + 1 + a, b);
  return s;
}

Result<RsaKeyPair> generate_rsa_key_pair() {
  EVP_PKEY* raw = EVP_RSA_gen(2048);
  if (!raw) return crypto_error("RSA key generation");
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(raw, EVP_PKEY_free);
  RsaKeyPair pair;
  Owned<BIO> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PKCS8PrivateKey(bio.get(), raw, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return crypto_error("writing the private key");
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  pair.private_pem.assign(data, static_cast<std::size_t>(n));
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(raw, &der);
  if (len <= 0) return crypto_error("writing the public key");
  pair.public_base64_der =
      base64_encode(std::string_view(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len)));
  OPENSSL_free(der);
  return pair;
}

Result<OpenedSubmission> decrypt_submission(const std::string& private_pem, const EncryptedSubmission& s) {
  auto fail = [](const std::string& why) { return make_error(ErrorKind::Validation, "encrypted submission: " + why); };
  Owned<BIO> bio(BIO_new_mem_buf(private_pem.data(), static_cast<int>(private_pem.size())));
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr, EVP_PKEY_free);
  if (!key) return fail("the private key cannot be read (" + openssl_error() + ")");

  auto doc = parse_xml(s.manifest, "submission manifest");
  if (!doc) return doc.error();
  const XmlNode& root = **doc;
  if (root.name != "data" || root.ns != kSubmissionsNs || root.attr("encrypted") != "yes")
    return fail("the manifest is not an encrypted submission's (<data encrypted=\"yes\"> in " +
                std::string(kSubmissionsNs) + ")");
  OpenedSubmission out;
  out.form_id = root.attr("id");
  out.version = root.attr("version");
  const XmlNode* key_node = root.child("base64EncryptedKey");
  const XmlNode* file_node = root.child("encryptedXmlFile");
  const XmlNode* sig_node = root.child("base64EncryptedElementSignature");
  const XmlNode* meta = root.child("meta");
  const XmlNode* id_node = meta ? meta->child("instanceID") : nullptr;
  if (!key_node || !file_node || !id_node) return fail("the manifest lacks the key, the file name or the instanceID");
  if (file_node->text != kEncryptedXmlFile) return fail("the manifest names the file \"" + file_node->text + "\"");
  out.instance_id = id_node->text;
  auto wrapped = base64_decode(key_node->text);
  if (!wrapped) return fail("base64EncryptedKey is not base64");
  auto aes = rsa_decrypt(key.get(), *wrapped);
  if (!aes) return fail(aes.message());
  if (aes->size() != kAesKeyBytes) return fail("the AES key is " + std::to_string(aes->size()) + " bytes, not 32");
  if (s.encrypted_xml.empty() || s.encrypted_xml.size() % kBlock != 0)
    return fail("the encrypted file is not whole 16-byte blocks");
  auto padded = aes_cfb(false, *aes, file_iv(out.instance_id, *aes, 0), s.encrypted_xml);
  wipe(*aes);
  if (!padded) return padded.error();
  const auto pad = static_cast<unsigned char>(padded->back());
  if (pad == 0 || pad > kBlock || pad > padded->size())
    return fail("the padding is wrong (the key or IV is not this one's)");
  for (std::size_t i = padded->size() - pad; i < padded->size(); ++i)
    if (static_cast<unsigned char>((*padded)[i]) != pad)
      return fail("the padding is wrong (the key or IV is not this one's)");
  padded->resize(padded->size() - pad);
  out.xml = std::move(*padded);
  if (sig_node) {
    auto sig = base64_decode(sig_node->text);
    if (!sig) return fail("the signature is not base64");
    auto digest = rsa_decrypt(key.get(), *sig);
    if (!digest) return fail("the signature: " + digest.message());
    const auto want = md5(signature_text(out.form_id, out.version, key_node->text, out.instance_id, out.xml));
    if (digest->size() != 16 || CRYPTO_memcmp(digest->data(), want.data(), 16) != 0)
      return fail("the signature does not match the form, key, instance and contents");
  }
  return out;
}

}  // namespace kiosk::openrosa
