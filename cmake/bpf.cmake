# Builds src/bpf: the kernel program (clang -target bpf), its skeleton
# header (bpftool gen skeleton) and the sm_bpf library around it.
pkg_check_modules(LIBBPF IMPORTED_TARGET libbpf)
find_program(BPF_CLANG NAMES clang clang-14)
find_program(BPFTOOL NAMES bpftool PATHS /usr/sbin /sbin)
find_program(LLVM_STRIP NAMES llvm-strip llvm-strip-14)
if(NOT LIBBPF_FOUND OR NOT BPF_CLANG OR NOT BPFTOOL OR NOT LLVM_STRIP)
  message(FATAL_ERROR
    "the bpf engine needs libbpf-dev, clang, llvm and bpftool "
    "(scripts/install-deps installs them); or configure with "
    "-DSYSCALLMON_BPF=OFF to build without --engine bpf")
endif()

execute_process(COMMAND ${CMAKE_C_COMPILER} -print-multiarch
                OUTPUT_VARIABLE BPF_MULTIARCH OUTPUT_STRIP_TRAILING_WHITESPACE)
set(BPF_SRC ${CMAKE_SOURCE_DIR}/src/bpf/syscallmon.bpf.c)
set(BPF_OBJ ${CMAKE_BINARY_DIR}/bpf/syscallmon.bpf.o)
set(BPF_SKEL ${CMAKE_BINARY_DIR}/bpf/syscallmon.skel.h)
add_custom_command(
  OUTPUT ${BPF_SKEL}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/bpf
  COMMAND ${BPF_CLANG} -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_x86
          -I/usr/include/${BPF_MULTIARCH} -I${CMAKE_SOURCE_DIR}/src/bpf
          -c ${BPF_SRC} -o ${BPF_OBJ}.full
  COMMAND ${LLVM_STRIP} -g ${BPF_OBJ}.full -o ${BPF_OBJ}
  COMMAND ${BPFTOOL} gen skeleton ${BPF_OBJ} name syscallmon_bpf > ${BPF_SKEL}
  DEPENDS ${BPF_SRC} ${CMAKE_SOURCE_DIR}/src/bpf/counts.h
  COMMENT "BPF program and skeleton"
  VERBATIM)
add_custom_target(sm_bpf_skeleton DEPENDS ${BPF_SKEL})

# Without libbpf, so the unit tests can take it: staged records into the
# table, and the kernel offsets from BTF.
add_library(sm_bpf_records STATIC src/bpf/staging.cpp src/bpf/btf_offsets.cpp)
target_include_directories(sm_bpf_records PUBLIC src/bpf)
target_link_libraries(sm_bpf_records PUBLIC sm_table PRIVATE fmt::fmt)

add_library(sm_bpf STATIC src/bpf/bpf_engine.cpp src/bpf/program.cpp)
add_dependencies(sm_bpf sm_bpf_skeleton)
target_include_directories(sm_bpf PRIVATE ${CMAKE_BINARY_DIR}/bpf)
target_link_libraries(sm_bpf PUBLIC sm_engine sm_bpf_records
                      PRIVATE PkgConfig::LIBBPF spdlog::spdlog fmt::fmt)
