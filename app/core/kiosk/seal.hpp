// Sealing answers for the council's eyes only (libsodium sealed boxes).
//
// A kiosk holds only the council's public key; whatever it seals can be
// opened only with the matching secret key, which lives with the hub (and
// with an analyst's `kiosk-admin open --key`). Keys are named by an id, the
// first 16 hex digits of SHA-256 over the public key, so a hub can hold
// several (rotation: a new pair for new responses, old ones stay readable).
//
// Formats (text, one line, fields separated by one space):
//   public key file:  "kiosk-seal-public-v1 <key_id> <base64 public key>"
//   secret key file:  "kiosk-seal-secret-v1 <key_id> <base64 public key> <base64 secret key>"
// Base64 is standard with padding. Sealed bytes are crypto_box_seal's output
// (an ephemeral public key, then the XSalsa20-Poly1305 box: 48 bytes more than
// the plaintext); in JSON they travel as standard base64.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "kiosk/result.hpp"

namespace kiosk {

constexpr std::size_t kSealPublicKeyBytes = 32;
constexpr std::size_t kSealSecretKeyBytes = 32;
constexpr std::size_t kSealOverheadBytes = 48;

struct SealPublicKey {
  std::string id;  // 16 lower-case hex digits
  std::array<unsigned char, kSealPublicKeyBytes> bytes{};
};

struct SealSecretKey {
  SealPublicKey pub;
  std::array<unsigned char, kSealSecretKeyBytes> bytes{};
  ~SealSecretKey();  // wipes the secret
  SealSecretKey() = default;
  SealSecretKey(const SealSecretKey&) = default;
  SealSecretKey& operator=(const SealSecretKey&) = default;
};

// A fresh key pair (crypto_box_keypair). crypto_init() must have been called.
SealSecretKey generate_seal_key();

std::string seal_key_id(const std::array<unsigned char, kSealPublicKeyBytes>& pub);

std::string format_public_key(const SealPublicKey& k);  // ends with "\n"
std::string format_secret_key(const SealSecretKey& k);  // ends with "\n"
// `where` names the source (a file path, "survey settings") in the error.
Result<SealPublicKey> parse_public_key(std::string_view text, std::string_view where);
Result<SealSecretKey> parse_secret_key(std::string_view text, std::string_view where);

// Raw sealed bytes (plain.size() + kSealOverheadBytes).
std::string seal_bytes(const SealPublicKey& to, std::string_view plain);
// Fails (ErrorKind::Validation) when the bytes were not sealed to this key or were altered.
Result<std::string> open_sealed_bytes(const SealSecretKey& key, std::string_view sealed);

std::string base64_encode(std::string_view bytes);

// The secret keys a hub or an analyst holds, by id.
class SealKeyring {
 public:
  void add(SealSecretKey k);
  const SealSecretKey* find(std::string_view key_id) const;
  bool empty() const { return keys_.empty(); }
  const std::vector<SealSecretKey>& keys() const { return keys_; }
  // ErrorKind::NotFound when no key has this id; Validation when it does not open.
  Result<std::string> open(std::string_view key_id, std::string_view sealed) const;

 private:
  std::vector<SealSecretKey> keys_;
};

}  // namespace kiosk
