# Every dependency comes from a Debian 12 package (scripts/install-deps.sh).
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(Protobuf REQUIRED)
find_package(gRPC CONFIG REQUIRED)
find_package(absl CONFIG REQUIRED)
find_package(ICU REQUIRED COMPONENTS uc i18n data)
find_package(SQLite3 REQUIRED)
# The shared case store for several replicas (libpq-dev; libpq directly, see
# services/store/postgres_db.h).
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)
# Bearer-token hashing and random tokens (libssl-dev, which gRPC needs anyway).
find_package(OpenSSL REQUIRED)
# Prometheus metrics over HTTP (prometheus-cpp-dev).
find_package(prometheus-cpp CONFIG REQUIRED)
# JSON objects for reports and command output (nlohmann-json3-dev, header-only).
find_package(nlohmann_json CONFIG REQUIRED)
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)
# The reviewer console's HTTP(S) server (libcpp-httplib-dev, built with OpenSSL).
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
# JSON documents built and read by the console gateway (nlohmann-json3-dev).
find_package(nlohmann_json 3.11 REQUIRED)
# tcmalloc (libgoogle-perftools-dev) as the server's allocator: with many threads
# allocating and freeing per request, glibc's malloc returned pages to the kernel
# only to fault them in again: about a fifth of the server's CPU profile under a
# stream of receipts (docs/SERVICE.md §Throughput). Sanitizers bring their own
# allocator.
option(KUROMARU_TCMALLOC "Link the kuromaru binary with tcmalloc" ON)
if(KUROMARU_TCMALLOC AND KUROMARU_SANITIZE STREQUAL "" AND NOT KUROMARU_BUILD_FUZZERS)
  pkg_check_modules(TCMALLOC REQUIRED IMPORTED_TARGET libtcmalloc_minimal)
endif()

find_program(KUROMARU_PROTOC protoc REQUIRED)
find_program(KUROMARU_GRPC_CPP_PLUGIN grpc_cpp_plugin REQUIRED)
find_program(KUROMARU_PYTHON NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(NOT KUROMARU_PYTHON)
  find_program(KUROMARU_PYTHON python3 REQUIRED)
endif()

if(KUROMARU_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(KUROMARU_BUILD_BENCHMARKS)
  find_package(benchmark REQUIRED)
endif()
