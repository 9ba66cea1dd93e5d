#include "kiosk/seal.hpp"

#include <sodium.h>

#include <sstream>

#include "kiosk/crypto.hpp"

namespace kiosk {

static_assert(kSealPublicKeyBytes == crypto_box_PUBLICKEYBYTES);
static_assert(kSealSecretKeyBytes == crypto_box_SECRETKEYBYTES);
static_assert(kSealOverheadBytes == crypto_box_SEALBYTES);

namespace {
constexpr std::string_view kPublicTag = "kiosk-seal-public-v1";
constexpr std::string_view kSecretTag = "kiosk-seal-secret-v1";

std::vector<std::string> fields(std::string_view text) {
  std::vector<std::string> out;
  std::istringstream in{std::string(text)};
  for (std::string f; in >> f;) out.push_back(f);
  return out;
}

template <std::size_t N>
bool decode_exact(const std::string& b64, std::array<unsigned char, N>& out) {
  auto raw = base64_decode(b64);
  if (!raw || raw->size() != N) return false;
  std::copy(raw->begin(), raw->end(), out.begin());
  return true;
}
}  // namespace

SealSecretKey::~SealSecretKey() { sodium_memzero(bytes.data(), bytes.size()); }

std::string seal_key_id(const std::array<unsigned char, kSealPublicKeyBytes>& pub) {
  return sha256_hex(std::string_view(reinterpret_cast<const char*>(pub.data()), pub.size())).substr(0, 16);
}

SealSecretKey generate_seal_key() {
  SealSecretKey k;
  crypto_box_keypair(k.pub.bytes.data(), k.bytes.data());
  k.pub.id = seal_key_id(k.pub.bytes);
  return k;
}

std::string base64_encode(std::string_view bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}

static std::string b64(const unsigned char* p, std::size_t n) {
  return base64_encode(std::string_view(reinterpret_cast<const char*>(p), n));
}

std::string format_public_key(const SealPublicKey& k) {
  return std::string(kPublicTag) + " " + k.id + " " + b64(k.bytes.data(), k.bytes.size()) + "\n";
}

std::string format_secret_key(const SealSecretKey& k) {
  return std::string(kSecretTag) + " " + k.pub.id + " " + b64(k.pub.bytes.data(), k.pub.bytes.size()) + " " +
         b64(k.bytes.data(), k.bytes.size()) + "\n";
}

Result<SealPublicKey> parse_public_key(std::string_view text, std::string_view where) {
  const auto f = fields(text);
  const std::string w(where);
  if (f.size() != 3 || f[0] != kPublicTag)
    return make_error(ErrorKind::Validation,
                      w + ": not a public sealing key (expected \"" + std::string(kPublicTag) + " ID KEY\")");
  SealPublicKey k;
  if (!decode_exact(f[2], k.bytes))
    return make_error(ErrorKind::Validation, w + ": the public key is not 32 bytes of base64");
  k.id = seal_key_id(k.bytes);
  if (k.id != f[1])
    return make_error(ErrorKind::Validation,
                      w + ": the key id " + f[1] + " does not match the key (its id is " + k.id + ")");
  return k;
}

Result<SealSecretKey> parse_secret_key(std::string_view text, std::string_view where) {
  auto f = fields(text);
  const std::string w(where);
  if (f.size() != 4 || f[0] != kSecretTag)
    return make_error(ErrorKind::Validation,
                      w + ": not a secret sealing key (expected \"" + std::string(kSecretTag) + " ID PUBLIC SECRET\")");
  SealSecretKey k;
  const bool ok = decode_exact(f[2], k.pub.bytes) && decode_exact(f[3], k.bytes);
  sodium_memzero(f[3].data(), f[3].size());
  if (!ok) return make_error(ErrorKind::Validation, w + ": the key pair is not 32 + 32 bytes of base64");
  k.pub.id = seal_key_id(k.pub.bytes);
  if (k.pub.id != f[1])
    return make_error(ErrorKind::Validation,
                      w + ": the key id " + f[1] + " does not match the key (its id is " + k.pub.id + ")");
  std::array<unsigned char, kSealPublicKeyBytes> derived{};
  crypto_scalarmult_base(derived.data(), k.bytes.data());
  if (derived != k.pub.bytes)
    return make_error(ErrorKind::Validation, w + ": the secret key does not belong to its public key");
  return k;
}

std::string seal_bytes(const SealPublicKey& to, std::string_view plain) {
  std::string out(plain.size() + crypto_box_SEALBYTES, '\0');
  crypto_box_seal(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(plain.data()),
                  plain.size(), to.bytes.data());
  return out;
}

Result<std::string> open_sealed_bytes(const SealSecretKey& key, std::string_view sealed) {
  if (sealed.size() < crypto_box_SEALBYTES)
    return make_error(ErrorKind::Validation, "sealed data shorter than a sealed box");
  std::string out(sealed.size() - crypto_box_SEALBYTES, '\0');
  if (crypto_box_seal_open(reinterpret_cast<unsigned char*>(out.data()),
                           reinterpret_cast<const unsigned char*>(sealed.data()), sealed.size(), key.pub.bytes.data(),
                           key.bytes.data()) != 0)
    return make_error(ErrorKind::Validation,
                      "sealed data does not open with key " + key.pub.id + " (sealed to another key, or altered)");
  return out;
}

void SealKeyring::add(SealSecretKey k) {
  for (auto& have : keys_)
    if (have.pub.id == k.pub.id) return;
  keys_.push_back(std::move(k));
}

const SealSecretKey* SealKeyring::find(std::string_view key_id) const {
  for (const auto& k : keys_)
    if (k.pub.id == key_id) return &k;
  return nullptr;
}

Result<std::string> SealKeyring::open(std::string_view key_id, std::string_view sealed) const {
  const SealSecretKey* k = find(key_id);
  if (!k) return make_error(ErrorKind::NotFound, "no secret key with id " + std::string(key_id) + " is held");
  return open_sealed_bytes(*k, sealed);
}

}  // namespace kiosk
