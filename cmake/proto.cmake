# kuromaru_proto_library(TARGET IMPORT_DIR PROTOS <files> SERVICES <files>):
# C++ messages for PROTOS (paths relative to IMPORT_DIR) and gRPC stubs for SERVICES.
function(kuromaru_proto_library target import_dir)
  cmake_parse_arguments(ARG "" "" "PROTOS;SERVICES" ${ARGN})
  set(gen_dir ${CMAKE_CURRENT_BINARY_DIR}/gen)
  file(MAKE_DIRECTORY ${gen_dir})
  set(gen_srcs)
  foreach(proto ${ARG_PROTOS})
    string(REGEX REPLACE "\\.proto$" "" stem ${proto})
    set(outs ${gen_dir}/${stem}.pb.cc ${gen_dir}/${stem}.pb.h)
    set(args --cpp_out=${gen_dir})
    if(proto IN_LIST ARG_SERVICES)
      list(APPEND outs ${gen_dir}/${stem}.grpc.pb.cc ${gen_dir}/${stem}.grpc.pb.h)
      list(APPEND args --grpc_out=${gen_dir}
           --plugin=protoc-gen-grpc=${KUROMARU_GRPC_CPP_PLUGIN})
    endif()
    add_custom_command(
      OUTPUT ${outs}
      COMMAND ${KUROMARU_PROTOC} -I${import_dir} -I${PROJECT_SOURCE_DIR}/proto ${args}
              ${import_dir}/${proto}
      DEPENDS ${import_dir}/${proto}
      COMMENT "protoc ${proto}")
    list(APPEND gen_srcs ${outs})
  endforeach()
  add_library(${target} STATIC ${gen_srcs})
  target_include_directories(${target} SYSTEM PUBLIC ${gen_dir})
  target_link_libraries(${target} PUBLIC protobuf::libprotobuf gRPC::grpc++)
endfunction()
