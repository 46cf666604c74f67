# Address tables (municipalities). Appends to KUROMARU_NORMALIZER_GENERATED.
# Built from skkdic-extra's postal-code dictionaries (public domain).
set(KUROMARU_SKK_ZIPCODE "/usr/share/skk/SKK-JISYO.zipcode" CACHE FILEPATH
    "SKK postal-code dictionary (Debian skkdic-extra)")
set(KUROMARU_SKK_OFFICE_ZIPCODE "/usr/share/skk/SKK-JISYO.office.zipcode" CACHE FILEPATH
    "SKK business postal-code dictionary (Debian skkdic-extra)")
if(NOT EXISTS ${KUROMARU_SKK_ZIPCODE} OR NOT EXISTS ${KUROMARU_SKK_OFFICE_ZIPCODE})
  message(FATAL_ERROR "skkdic-extra is required: apt-get install skkdic-extra")
endif()

add_custom_command(
  OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/address_municipalities.h
         ${CMAKE_CURRENT_BINARY_DIR}/address_municipalities.cc
  COMMAND ${KUROMARU_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/tables/gen_address_tables.py
          --zipcode ${KUROMARU_SKK_ZIPCODE}
          --office-zipcode ${KUROMARU_SKK_OFFICE_ZIPCODE}
          --out-dir ${CMAKE_CURRENT_BINARY_DIR}
  DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/tables/gen_address_tables.py
          ${KUROMARU_SKK_ZIPCODE} ${KUROMARU_SKK_OFFICE_ZIPCODE}
  COMMENT "Generating the municipality table"
  VERBATIM)
list(APPEND KUROMARU_NORMALIZER_GENERATED
     ${CMAKE_CURRENT_BINARY_DIR}/address_municipalities.h
     ${CMAKE_CURRENT_BINARY_DIR}/address_municipalities.cc)
