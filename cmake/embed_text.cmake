# Writes ${OUT}: a C++ file defining `extern const char* const ${SYMBOL}` (in namespace ${NAMESPACE})
# holding the text of ${IN} as a raw string literal. Used for src/http/openapi.json and the holiday
# calendar (data/calendar, src/domain).
file(READ "${IN}" text)
string(FIND "${text}" ")rectifytext\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${IN} contains the raw string delimiter )rectifytext\"")
endif()
set(body "namespace ${NAMESPACE} {\nextern const char* const ${SYMBOL};\nconst char* const ${SYMBOL} = R\"rectifytext(${text})rectifytext\";\n}\n")
file(WRITE "${OUT}.tmp" "${body}")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUT}.tmp" "${OUT}")
