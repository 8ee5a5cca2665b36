# `nabla convert`: PyTorch checkpoints (zip and legacy) and nabla checkpoints to safetensors.
# A .pth converts to the same bytes as its expected tensors (written by tools/make_pytorch_fixtures.py
# as plain safetensors) converted by nabla; a converted file converts to itself; errors exit with 2.
# Run with -DNABLA=<nabla binary> -DFIXTURES=<tests/fixtures> -DWORK_DIR=<scratch dir>.
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
set(PT ${FIXTURES}/pytorch)

function(convert expect_rc expect)
  execute_process(COMMAND ${NABLA} convert ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL expect_rc)
    message(FATAL_ERROR "nabla convert ${ARGN}: exit ${rc}, expected ${expect_rc}:\n${out}\n${err}")
  endif()
  if(NOT "${out}${err}" MATCHES "${expect}")
    message(FATAL_ERROR "nabla convert ${ARGN}: expected '${expect}' in:\n${out}\n${err}")
  endif()
endfunction()

function(same a b)
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${a} ${b} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${a} and ${b} differ")
  endif()
endfunction()

convert(0 "converted 9 tensors from PyTorch checkpoint" ${PT}/small_cnn.pth ${WORK_DIR}/cnn.safetensors)
convert(0 "converted 9 tensors from PyTorch checkpoint" ${PT}/small_cnn_legacy.pth ${WORK_DIR}/cnn_legacy.safetensors)
convert(0 "converted 9 tensors from safetensors file" ${PT}/small_cnn.expected.safetensors ${WORK_DIR}/cnn_expected.safetensors)
same(${WORK_DIR}/cnn.safetensors ${WORK_DIR}/cnn_expected.safetensors)
same(${WORK_DIR}/cnn_legacy.safetensors ${WORK_DIR}/cnn_expected.safetensors)
convert(0 "converted 9 tensors from safetensors file" ${WORK_DIR}/cnn.safetensors ${WORK_DIR}/cnn_again.safetensors)
same(${WORK_DIR}/cnn.safetensors ${WORK_DIR}/cnn_again.safetensors)

# A training checkpoint: without --key, an error that names the key to pass; with it, the model.
convert(2 "tensors are under 'model': pick it with key 'model'" ${PT}/nested.pth ${WORK_DIR}/nested.safetensors)
convert(0 "converted 9 tensors .*key 'model'" ${PT}/nested.pth ${WORK_DIR}/nested.safetensors --key model)
convert(0 "converted 9" ${PT}/nested_model.expected.safetensors ${WORK_DIR}/nested_expected.safetensors)
same(${WORK_DIR}/nested.safetensors ${WORK_DIR}/nested_expected.safetensors)
convert(2 "refused global 'os.system'" ${PT}/malicious.pth ${WORK_DIR}/malicious.safetensors)
if(EXISTS ${WORK_DIR}/malicious.safetensors)
  message(FATAL_ERROR "a refused file left an output behind")
endif()

# A nabla checkpoint: its model by default, another part with --key, and back to itself.
set(CKPT ${FIXTURES}/checkpoint/v1_linear_sgd_steplr.safetensors)
convert(0 "from nabla checkpoint" ${CKPT} ${WORK_DIR}/model.safetensors)
convert(0 "from safetensors file" ${WORK_DIR}/model.safetensors ${WORK_DIR}/model_again.safetensors)
same(${WORK_DIR}/model.safetensors ${WORK_DIR}/model_again.safetensors)
convert(0 "key 'optimizer'" ${CKPT} ${WORK_DIR}/optimizer.safetensors --key optimizer)
convert(2 "no tensor under key 'nothing' \\(prefixes: " ${CKPT} ${WORK_DIR}/x.safetensors --key nothing)
message(STATUS "nabla convert: ok")
