# Warnings for kuromaru's own targets; generated code gets none of these.
function(kuromaru_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow=local -Wnon-virtual-dtor
    -Wno-unused-parameter -Wno-missing-field-initializers)
endfunction()
