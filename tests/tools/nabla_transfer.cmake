# Transfer learning with `nabla train`: LeNet-5 trained on Fashion-MNIST classes 0–4, then a
# linear probe (--init --freeze backbone) and fine-tuning (--init) on classes 5–9, each with a
# test-accuracy threshold; the messages of the head's re-initialisation and of the freeze.
# Run with -DNABLA=<nabla binary> -DWORK_DIR=<scratch dir>.
file(REMOVE_RECURSE ${WORK_DIR})
set(COMMON train --model lenet5 --epochs 1 --data.train_subset 4000 --data.val_size 1000 --data.test_subset 2000
           --threads 1 --out-dir ${WORK_DIR})

function(run_nabla name expect)
  execute_process(COMMAND ${NABLA} ${COMMON} ${ARGN} --name ${name} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${name} failed (${rc}):\n${out}\n${err}")
  endif()
  if(NOT out MATCHES "${expect}")
    message(FATAL_ERROR "${name}: expected '${expect}' in:\n${out}")
  endif()
  message(STATUS "${name}: ok")
endfunction()

run_nabla(source "test accuracy" --data.classes 0,1,2,3,4 --min-test-acc 0.75)
set(SRC ${WORK_DIR}/source/best.safetensors)
run_nabla(probe "head re-initialised \\(another task\\): classifier.5.bias \\(5\\).*freeze: backbone frozen"
          --data.classes 5,6,7,8,9 --init ${SRC} --freeze backbone --lr 0.5 --min-test-acc 0.75)
run_nabla(finetune "head re-initialised \\(another task\\)" --data.classes 5,6,7,8,9 --init ${SRC} --min-test-acc 0.85)
# Three classes: the head's shape differs.
run_nabla(three "classifier.5.weight \\(5, 84\\) -> \\(3, 84\\)" --data.classes 5,7,9 --init ${SRC} --min-test-acc 0.85)

# The mlp's weights do not fit LeNet-5: an error naming the keys, exit status 2.
execute_process(COMMAND ${NABLA} ${COMMON} --model mlp --init ${SRC} --name wrong RESULT_VARIABLE rc OUTPUT_QUIET
                ERROR_VARIABLE err)
if(NOT rc EQUAL 2 OR NOT err MATCHES "not in the model: features.0.weight")
  message(FATAL_ERROR "a mismatched --init should fail naming the keys, got ${rc}:\n${err}")
endif()
