# `nabla eval` and `nabla predict` with an ONNX model: the short run's checkpoint exported by
# `nabla export` gives the same test accuracy and the same predictions as the checkpoint itself
# (the run description travels in the file's metadata); a model written by torch.onnx.export
# (no nabla metadata) predicts with the input shape of its graph.
# Run with -DNABLA=<nabla binary> -DRUN=<runs/train_short> -DFIXTURES=<tests/fixtures> -DWORK_DIR=<scratch dir>.
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

function(nabla_run out_var)
  execute_process(COMMAND ${NABLA} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "nabla ${ARGN}: exit ${rc}:\n${out}\n${err}")
  endif()
  set(${out_var} "${out}" PARENT_SCOPE)
endfunction()

nabla_run(exported export ${RUN}/best.safetensors --format onnx --output ${WORK_DIR}/model.onnx)
nabla_run(ckpt eval ${RUN}/best.safetensors --top-k 3)
nabla_run(onnx eval ${WORK_DIR}/model.onnx --top-k 3)
string(REGEX MATCH "test images [^\n]*" ckpt_line "${ckpt}")
string(REGEX MATCH "test images [^\n]*" onnx_line "${onnx}")
if(NOT ckpt_line OR NOT ckpt_line STREQUAL onnx_line)
  message(FATAL_ERROR "eval differs:\ncheckpoint: ${ckpt_line}\nonnx:       ${onnx_line}")
endif()
message(STATUS "checkpoint and ONNX: ${onnx_line}")

# A 28×28 binary PGM with a diagonal pattern (byte values 40–50).
set(pixels "")
foreach(y RANGE 27)
  foreach(x RANGE 27)
    math(EXPR v "40 + (${x} + ${y}) % 11")
    string(ASCII ${v} c)
    string(APPEND pixels "${c}")
  endforeach()
endforeach()
file(WRITE ${WORK_DIR}/image.pgm "P5\n28 28\n50\n${pixels}")
nabla_run(ckpt_pred predict ${RUN}/best.safetensors ${WORK_DIR}/image.pgm)
nabla_run(onnx_pred predict ${WORK_DIR}/model.onnx ${WORK_DIR}/image.pgm)
if(NOT ckpt_pred STREQUAL onnx_pred)
  message(FATAL_ERROR "predict differs:\ncheckpoint:\n${ckpt_pred}\nonnx:\n${onnx_pred}")
endif()
nabla_run(foreign predict ${FIXTURES}/onnx/tiny_cnn.onnx ${WORK_DIR}/image.pgm)
if(NOT foreign MATCHES "image.pgm\n +[0-4] ")
  message(FATAL_ERROR "predict with a foreign ONNX model:\n${foreign}")
endif()
message(STATUS "predict: same top classes from the checkpoint and the ONNX file")
