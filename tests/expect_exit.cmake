# Runs EXE with ARGS (a ;-list) and fails unless it exits with CODE.
execute_process(COMMAND ${EXE} ${ARGS} RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
if(NOT rc EQUAL CODE)
  message(FATAL_ERROR "${EXE} ${ARGS}: exit code ${rc}, expected ${CODE}")
endif()
