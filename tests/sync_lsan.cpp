// LeakSanitizer's suppressions for sync_tests, built in (LSan asks for them
// at exit). The hub now runs in the test's own process (hub_fixture.hpp), and
// its consultation report draws with pango, which finds fonts through
// fontconfig: fontconfig builds its configuration once and keeps it for the
// life of the process, by design (as tests/lsan-suppressions.txt says for
// the UI tests and kiosk-admin report). Not a leak of ours; nothing else is
// suppressed.
extern "C" const char* __lsan_default_suppressions();
extern "C" const char* __lsan_default_suppressions() { return "leak:libfontconfig.so\n"; }
