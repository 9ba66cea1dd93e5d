// Content hashes, response UUIDs and staff PIN hashes, all from libsodium so
// the core has one vetted source of randomness and hashing.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "kiosk/result.hpp"

namespace kiosk {

// Must be called once before any other function here (idempotent, thread-safe).
Status crypto_init();

// Lower-case hex SHA-256 of the bytes.
std::string sha256_hex(std::string_view bytes);

// A random (version 4) UUID in its canonical text form.
std::string new_uuid_v4();
bool is_uuid(std::string_view s);

// Random token for devices and admins: 32 bytes as URL-safe base64 (43 chars).
std::string new_token();

// Standard base64 (with padding), as in HTTP Basic auth.
std::optional<std::string> base64_decode(std::string_view text);

// Argon2id (crypto_pwhash_str) for staff PINs; the PIN itself is never stored.
Result<std::string> hash_pin(std::string_view pin);
bool verify_pin(std::string_view stored_hash, std::string_view pin);

}  // namespace kiosk
