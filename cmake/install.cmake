# What `cmake --install` (and so the Debian packages) puts where:
#   /usr/bin                      kiosk, kiosk-admin, kiosk-hub
#   /usr/share/library-kiosk      assets (icons)
#   /etc/library-kiosk            kiosk.toml, service-points.toml, surveys/, pages/, locales/, keyboards/, population/
# The installed kiosk.toml keeps its data in /var/lib/library-kiosk, which the
# package creates for its own system user.
include(GNUInstallDirs)

set(KIOSK_DATADIR "${CMAKE_INSTALL_FULL_DATADIR}/library-kiosk")

if(TARGET kiosk)
  install(TARGETS kiosk RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT kiosk)
endif()
install(TARGETS kiosk-admin RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT kiosk)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/assets/ DESTINATION ${KIOSK_DATADIR}/assets COMPONENT kiosk)

# The bundled configuration, with the database and the council's public key
# moved from the developer's home to the package's data folder.
file(READ ${PROJECT_SOURCE_DIR}/kiosk-config/kiosk.toml KIOSK_TOML)
string(REGEX REPLACE "database = \"[^\"]*\"" "database = \"/var/lib/library-kiosk/kiosk.db\"" KIOSK_TOML
                     "${KIOSK_TOML}")
string(REGEX REPLACE "public_key_file = \"[^\"]*\"" "public_key_file = \"/var/lib/library-kiosk/council.pub\""
                     KIOSK_TOML "${KIOSK_TOML}")
file(WRITE ${PROJECT_BINARY_DIR}/installed-kiosk.toml "${KIOSK_TOML}")
set(KIOSK_ETC "${CMAKE_INSTALL_FULL_SYSCONFDIR}/library-kiosk")
install(FILES ${PROJECT_BINARY_DIR}/installed-kiosk.toml DESTINATION ${KIOSK_ETC} RENAME kiosk.toml COMPONENT kiosk)
install(FILES ${PROJECT_SOURCE_DIR}/kiosk-config/service-points.toml ${PROJECT_SOURCE_DIR}/kiosk-config/README.md
        DESTINATION ${KIOSK_ETC} COMPONENT kiosk)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/kiosk-config/surveys ${PROJECT_SOURCE_DIR}/kiosk-config/pages
                  ${PROJECT_SOURCE_DIR}/kiosk-config/locales ${PROJECT_SOURCE_DIR}/kiosk-config/keyboards
                  ${PROJECT_SOURCE_DIR}/kiosk-config/population
        DESTINATION ${KIOSK_ETC} COMPONENT kiosk)

if(TARGET kiosk-hub)
  install(TARGETS kiosk-hub RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT hub)
  # The hub checks uploads against the surveys it serves.
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/kiosk-config/surveys ${PROJECT_SOURCE_DIR}/kiosk-config/population
          DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/kiosk-hub COMPONENT hub)
  # hub.toml: serve's settings; service-points.toml: where uploads may come from (found one folder up from the survey).
  install(FILES ${PROJECT_SOURCE_DIR}/kiosk-config/hub.toml ${PROJECT_SOURCE_DIR}/kiosk-config/service-points.toml
          DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/kiosk-hub COMPONENT hub)
endif()

# USB sticks for the admin area's exports: udev starts a unit per stick,
# which mounts it for the kiosk's user (system/kiosk-usb-mount).
install(PROGRAMS ${PROJECT_SOURCE_DIR}/system/kiosk-usb-mount DESTINATION ${CMAKE_INSTALL_PREFIX}/lib/library-kiosk
        COMPONENT kiosk)
install(FILES ${PROJECT_SOURCE_DIR}/system/library-kiosk-usb@.service DESTINATION /lib/systemd/system COMPONENT kiosk)
install(FILES ${PROJECT_SOURCE_DIR}/system/90-library-kiosk-usb.rules DESTINATION /lib/udev/rules.d COMPONENT kiosk)
