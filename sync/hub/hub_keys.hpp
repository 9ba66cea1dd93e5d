// The hub's sealing keys (kiosk/seal.hpp) in a key directory:
//   DIR/<key_id>.key   the secret key file, mode 0600, the hub's user only
//   DIR/<key_id>.pub   its public key file (what kiosks get with the survey)
//   DIR/current        the file name of the key new responses are sealed to
// `kiosk-hub keygen` adds a pair and makes it current; the old pairs stay, so
// responses sealed to them still open (rotation). `serve` loads them all.
#pragma once

#include <memory>
#include <string>

#include "kiosk/result.hpp"
#include "kiosk/seal.hpp"

namespace kiosk::hub {

struct HubKeys {
  SealKeyring ring;            // every key in the directory
  SealPublicKey current;       // new and plain responses are sealed to this one
  std::string current_public;  // its public key file's line, without the newline
};

inline constexpr char kCurrentKeyFile[] = "current";

// Makes a new key pair in `dir` (created 0700 when missing; refused when
// group or world may write to it) and makes it current. Returns its id.
Result<std::string> generate_hub_key(const std::string& dir);

// Every *.key in `dir`, and the current one. Fails naming the file when a
// key file cannot be read, does not parse, is not named by its id, or may be
// read or written by anyone but its owner; or when there is no current key.
Result<HubKeys> load_hub_keys(const std::string& dir);

// Standard base64 of the bytes of `plain` sealed to the current key.
std::string seal_to_current(const HubKeys& keys, const std::string& plain);

}  // namespace kiosk::hub
