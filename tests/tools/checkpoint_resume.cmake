# Runs checkpoint_resume three times (see checkpoint_resume.cpp) and compares the model states.
# Variables: HELPER (the executable), WORK_DIR (scratch folder).
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
foreach(args "straight;9;${WORK_DIR}/straight.safetensors" "first;4;${WORK_DIR}/ckpt.safetensors"
        "resume;${WORK_DIR}/ckpt.safetensors;9;${WORK_DIR}/resumed.safetensors")
  execute_process(COMMAND ${HELPER} ${args} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "checkpoint_resume ${args} failed (${rc})")
  endif()
endforeach()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${WORK_DIR}/straight.safetensors
                        ${WORK_DIR}/resumed.safetensors RESULT_VARIABLE same)
if(NOT same EQUAL 0)
  message(FATAL_ERROR "resumed training differs from straight training")
endif()
