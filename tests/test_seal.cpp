// The sealing format: what a kiosk seals only the matching secret key opens,
// key files round-trip, and a key that does not parse is refused with where.
#include <catch2/catch.hpp>

#include "kiosk/crypto.hpp"
#include "kiosk/seal.hpp"

using namespace kiosk;

TEST_CASE("sealed bytes open only with the matching secret key", "[seal]") {
  REQUIRE(crypto_init().ok());
  const SealSecretKey council = generate_seal_key();
  const SealSecretKey other = generate_seal_key();
  const std::string plain = R"({"q_postcode":"BL9 0SW","q_ethnic":"pakistani"})";
  const std::string sealed = seal_bytes(council.pub, plain);
  CHECK(sealed.size() == plain.size() + kSealOverheadBytes);
  CHECK(sealed.find("BL9") == std::string::npos);
  CHECK(seal_bytes(council.pub, plain) != sealed);  // randomised: equal answers do not look equal

  auto opened = open_sealed_bytes(council, sealed);
  REQUIRE(opened.ok());
  CHECK(*opened == plain);
  auto wrong = open_sealed_bytes(other, sealed);
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.kind() == ErrorKind::Validation);
  std::string altered = sealed;
  altered[altered.size() / 2] = static_cast<char>(altered[altered.size() / 2] ^ 1);
  CHECK_FALSE(open_sealed_bytes(council, altered).ok());

  SealKeyring ring;
  ring.add(other);
  ring.add(council);
  auto via_ring = ring.open(council.pub.id, sealed);
  REQUIRE(via_ring.ok());
  CHECK(*via_ring == plain);
  CHECK(ring.open("0000000000000000", sealed).kind() == ErrorKind::NotFound);
}

TEST_CASE("key files round-trip and bad ones are named", "[seal]") {
  REQUIRE(crypto_init().ok());
  const SealSecretKey k = generate_seal_key();
  CHECK(k.pub.id.size() == 16);
  auto pub = parse_public_key(format_public_key(k.pub), "council.pub");
  REQUIRE(pub.ok());
  CHECK(pub->id == k.pub.id);
  CHECK(pub->bytes == k.pub.bytes);
  auto sec = parse_secret_key(format_secret_key(k), "council.key");
  REQUIRE(sec.ok());
  CHECK(sec->bytes == k.bytes);
  CHECK(format_public_key(k.pub).find(base64_encode(
            std::string_view(reinterpret_cast<const char*>(k.bytes.data()), k.bytes.size()))) == std::string::npos);

  auto garbage = parse_public_key("hello", "survey settings");
  REQUIRE_FALSE(garbage.ok());
  CHECK(garbage.error().message.find("survey settings") != std::string::npos);
  std::string text = format_public_key(k.pub);
  text.replace(text.find(' ') + 1, 16, "0123456789abcdef");
  CHECK_FALSE(parse_public_key(text, "council.pub").ok());
  // A secret key whose halves come from two pairs is refused.
  const SealSecretKey other = generate_seal_key();
  SealSecretKey mixed = k;
  mixed.bytes = other.bytes;
  CHECK_FALSE(parse_secret_key(format_secret_key(mixed), "mixed.key").ok());
  CHECK_FALSE(parse_secret_key(format_public_key(k.pub), "council.pub").ok());
}
