# Name tables (variant kanji). Appends to KUROMARU_NORMALIZER_GENERATED.
#
# name_tables.h holds the variant-kanji folding pairs and the JIS X 0208 bitmap, built
# from Debian's unicode-data (Unihan) and the curated name_variants.txt.
set(KUROMARU_UNICODE_DIR "/usr/share/unicode" CACHE PATH
    "Debian unicode-data: Unihan_*.txt.bz2 and EquivalentUnifiedIdeograph.txt")

set(_kuromaru_names_dir ${CMAKE_CURRENT_SOURCE_DIR}/tables)
set(_kuromaru_names_out ${CMAKE_CURRENT_BINARY_DIR}/name_tables.h)
add_custom_command(
  OUTPUT ${_kuromaru_names_out}
  COMMAND ${KUROMARU_PYTHON} ${_kuromaru_names_dir}/gen_name_tables.py
          --unicode-dir ${KUROMARU_UNICODE_DIR}
          --curated ${_kuromaru_names_dir}/name_variants.txt
          --output ${_kuromaru_names_out}
  DEPENDS ${_kuromaru_names_dir}/gen_name_tables.py
          ${_kuromaru_names_dir}/name_variants.txt
          ${KUROMARU_UNICODE_DIR}/Unihan_OtherMappings.txt.bz2
          ${KUROMARU_UNICODE_DIR}/Unihan_Variants.txt.bz2
          ${KUROMARU_UNICODE_DIR}/EquivalentUnifiedIdeograph.txt
  COMMENT "Generating variant-kanji and JIS X 0208 tables"
  VERBATIM)
list(APPEND KUROMARU_NORMALIZER_GENERATED ${_kuromaru_names_out})
