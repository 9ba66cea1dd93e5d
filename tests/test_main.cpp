// The tests' main: Catch2's, after one setting every test shares.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdlib>

int main(int argc, char* argv[]) {
  // The tests sign in with the demonstration PINs of kiosk-config/kiosk.toml
  // (1234, 9999); an installed kiosk refuses them. The tests of that refusal
  // unset this themselves.
  setenv("KIOSK_ALLOW_DEMO_PINS", "1", 0);
  return Catch::Session().run(argc, argv);
}
