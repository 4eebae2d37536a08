# Writes ${OUT}: a C++ file defining `const char* const ${NAME}` in namespace rectify::domain::detail,
# holding the text of ${IN} as a raw string literal (data built into the binary).
file(READ "${IN}" text)
file(WRITE "${OUT}.tmp" "namespace rectify::domain::detail {\nextern const char* const ${NAME};\nconst char* const ${NAME} = R\"rectifytext(${text})rectifytext\";\n}\n")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUT}.tmp" "${OUT}")
