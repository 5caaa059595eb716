include(CMakePackageConfigHelpers)

set(GXN_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/gxn)
set(gxn_install_targets gxn_engine gxn_report gxn_c)
if(GXN_BUILD_MODEL)
  list(APPEND gxn_install_targets gxn_model)
endif()

install(TARGETS ${gxn_install_targets} EXPORT gxnTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY include/gxn DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES capi/gxn.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# pkg-config for C hosts, relocatable: the prefix is found from the .pc file's own place.
file(RELATIVE_PATH GXN_PC_TO_PREFIX /${CMAKE_INSTALL_LIBDIR}/pkgconfig /)
configure_file(cmake/gxn.pc.in ${CMAKE_CURRENT_BINARY_DIR}/gxn.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/gxn.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
# The Python package, beside libgxn_c: it finds the library through a path relative to itself,
# so an installed gxn imports with no GXN_LIBRARY. The default directory is where Debian's
# python3 looks when the prefix is /usr; for another prefix, put PREFIX/GXN_PYTHON_DIR on
# PYTHONPATH.
set(GXN_PYTHON_DIR lib/python3/dist-packages CACHE STRING "Where the Python package goes, relative to the prefix")
file(RELATIVE_PATH GXN_PYTHON_TO_LIBDIR /${GXN_PYTHON_DIR}/gxn /${CMAKE_INSTALL_LIBDIR})
configure_file(cmake/installed_library.py.in ${CMAKE_CURRENT_BINARY_DIR}/_installed_library.py @ONLY)
install(DIRECTORY bindings/python/gxn DESTINATION ${GXN_PYTHON_DIR} FILES_MATCHING PATTERN "*.py"
        PATTERN "__pycache__" EXCLUDE)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/_installed_library.py DESTINATION ${GXN_PYTHON_DIR}/gxn)
install(EXPORT gxnTargets NAMESPACE gxn:: DESTINATION ${GXN_CMAKE_DIR})

set(GXN_WITH_MODEL ${GXN_BUILD_MODEL})
set(GXN_WITH_CUDA ${GXN_BUILD_CUDA})
configure_package_config_file(cmake/gxnConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/gxnConfig.cmake INSTALL_DESTINATION ${GXN_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/gxnConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/gxnConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/gxnConfigVersion.cmake
        DESTINATION ${GXN_CMAKE_DIR})
