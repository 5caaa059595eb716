include(CMakePackageConfigHelpers)

set(GXN_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/gxn)
set(gxn_install_targets gxn_engine gxn_report)
if(GXN_BUILD_MODEL)
  list(APPEND gxn_install_targets gxn_model gxn_c)
endif()

install(TARGETS ${gxn_install_targets} EXPORT gxnTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY include/gxn DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
if(GXN_BUILD_MODEL)
  install(FILES capi/gxn.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endif()
install(EXPORT gxnTargets NAMESPACE gxn:: DESTINATION ${GXN_CMAKE_DIR})

set(GXN_WITH_MODEL ${GXN_BUILD_MODEL})
configure_package_config_file(cmake/gxnConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/gxnConfig.cmake INSTALL_DESTINATION ${GXN_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/gxnConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/gxnConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/gxnConfigVersion.cmake
        DESTINATION ${GXN_CMAKE_DIR})
