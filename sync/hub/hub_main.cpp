// kiosk-hub: the central endpoint every kiosk syncs to (hub_cli.cpp).
#include "hub_cli.hpp"

int main(int argc, char** argv) { return kiosk::hub::hub_main(argc, argv); }
