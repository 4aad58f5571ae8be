# `cmake --install <build> --prefix <dir>` puts nabla where other projects find it:
#   include/nabla/...                 the public headers
#   lib/libnabla_<layer>.a (or .so)    the five layer libraries
#   lib/cmake/nabla/                   the CMake package: find_package(nabla CONFIG REQUIRED) gives
#                                      nabla::nabla (everything) and nabla::<layer>
#   lib/pkgconfig/nabla.pc             for pkg-config and plain compiler lines
#   bin/nabla                          the command line
include(CMakePackageConfigHelpers)

set(NABLA_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/nabla)
install(TARGETS nabla_kernels nabla_core nabla_nn nabla_train nabla_models nabla EXPORT nablaTargets)
install(DIRECTORY include/nabla DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS nabla_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(EXPORT nablaTargets NAMESPACE nabla:: DESTINATION ${NABLA_CMAKE_DIR})

configure_package_config_file(cmake/nablaConfig.cmake.in ${PROJECT_BINARY_DIR}/nablaConfig.cmake
                              INSTALL_DESTINATION ${NABLA_CMAKE_DIR})
# 0.x: a minor version may break the API, so only the same minor version is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/nablaConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/nablaConfig.cmake ${PROJECT_BINARY_DIR}/nablaConfigVersion.cmake
        DESTINATION ${NABLA_CMAKE_DIR})

# pkg-config: the libraries in link order, then what they need (static libraries carry none of it).
set(NABLA_PC_LIBS "-lnabla_models -lnabla_train -lnabla_nn -lnabla_core -lnabla_kernels")
foreach(library ${NABLA_STB_LIBRARY} ${NABLA_BLAS_LIBRARIES})
  get_filename_component(name ${library} NAME_WE)
  string(REGEX REPLACE "^lib" "" name ${name})
  string(APPEND NABLA_PC_LIBS " -l${name}")
endforeach()
string(APPEND NABLA_PC_LIBS " ${OpenMP_CXX_FLAGS}")
# Relocatable: the prefix is found from the .pc file's own place, so `--prefix` at install time works.
file(RELATIVE_PATH NABLA_PC_TO_PREFIX /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
configure_file(cmake/nabla.pc.in ${PROJECT_BINARY_DIR}/nabla.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/nabla.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
