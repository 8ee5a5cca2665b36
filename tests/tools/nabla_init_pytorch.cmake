# `nabla train --init FILE.pth`: a LeNet-5 state dict written by PyTorch whose last layer is named
# "fc" (tests/fixtures/pytorch/lenet5_renamed.pth) is refused strictly, naming the keys, and with
# --init-non-strict loads the eight tensors that match and lists the missing and unexpected keys.
# lenet5_misshaped.pth (beside it) has every key, but features.3.weight, outside the head, is
# 3×3 instead of 5×5: refused strictly, naming that key; --init-non-strict keeps the model's.
# Run with -DNABLA=<nabla binary> -DPTH=<lenet5_renamed.pth> -DWORK_DIR=<scratch dir>.
file(REMOVE_RECURSE ${WORK_DIR})
set(BASE train --model lenet5 --model.batch_norm false --epochs 1 --data.train_subset 1000 --data.val_size 200
         --data.test_subset 500 --threads 1 --out-dir ${WORK_DIR})
set(COMMON ${BASE} --init ${PTH})
get_filename_component(FIXTURES ${PTH} DIRECTORY)
set(MISSHAPED ${FIXTURES}/lenet5_misshaped.pth)

execute_process(COMMAND ${NABLA} ${COMMON} --name strict RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 2 OR NOT err MATCHES "lenet5_renamed.pth \\(PyTorch\\).*missing in the source: classifier.5.bias.*not in the model: fc.bias.*--init-non-strict")
  message(FATAL_ERROR "strict --init: exit ${rc}, expected 2 and the missing/unexpected keys:\n${out}\n${err}")
endif()

execute_process(COMMAND ${NABLA} ${COMMON} --init-non-strict --name non_strict RESULT_VARIABLE rc OUTPUT_VARIABLE out
                ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "init: 8 tensors from [^\n]*lenet5_renamed.pth \\(PyTorch\\)\ninit: missing keys \\(2\\): classifier.5.bias, classifier.5.weight\ninit: unexpected keys \\(2\\): fc.bias, fc.weight\n.*test accuracy")
  message(FATAL_ERROR "--init-non-strict: exit ${rc}:\n${out}\n${err}")
endif()

execute_process(COMMAND ${NABLA} ${COMMON} --init-key model --name bad_key RESULT_VARIABLE rc OUTPUT_VARIABLE out
                ERROR_VARIABLE err)
if(NOT rc EQUAL 2 OR NOT err MATCHES "key 'model': no entry 'model' in the top level")
  message(FATAL_ERROR "--init-key model: exit ${rc}:\n${out}\n${err}")
endif()

execute_process(COMMAND ${NABLA} ${BASE} --init ${MISSHAPED} --name misshaped RESULT_VARIABLE rc OUTPUT_VARIABLE out
                ERROR_VARIABLE err)
if(NOT rc EQUAL 2 OR NOT err MATCHES "lenet5_misshaped.pth \\(PyTorch\\).*shape differs outside the head 'classifier.5': features.3.weight is \\(16, 6, 3, 3\\) in the source, \\(16, 6, 5, 5\\) in the model")
  message(FATAL_ERROR "strict --init with a mis-shaped features.3.weight: exit ${rc}, expected 2 naming the key:\n${out}\n${err}")
endif()
if(err MATCHES "missing in the source|not in the model")
  message(FATAL_ERROR "strict --init with a mis-shaped features.3.weight: other keys reported:\n${err}")
endif()

execute_process(COMMAND ${NABLA} ${BASE} --init ${MISSHAPED} --init-non-strict --name misshaped_non_strict
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "init: 9 tensors from [^\n]*lenet5_misshaped.pth \\(PyTorch\\)\ninit: mis-shaped \\(kept the model's\\) keys \\(1\\): features.3.weight ")
  message(FATAL_ERROR "--init-non-strict with a mis-shaped features.3.weight: exit ${rc}:\n${out}\n${err}")
endif()
message(STATUS "nabla train --init FILE.pth: ok")
