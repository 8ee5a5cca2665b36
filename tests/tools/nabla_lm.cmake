# `nabla train` on a small text file with a tiny character LSTM, then `nabla generate` from its
# checkpoint: the same seed gives the same text, with and without the cache; a different seed
# gives another; resuming gives the straight run's checkpoints; bad prompts and a checkpoint that is not a language model give errors.
# Variables: NABLA (the executable), TEXT (the corpus), WORK_DIR (scratch folder), IMAGE_CKPT
# (a checkpoint of an image model).
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

function(run_nabla out_var)
  execute_process(COMMAND ${NABLA} ${ARGN} OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "nabla ${ARGN} failed (${rc}):\n${out}\n${err}")
  endif()
  set(${out_var} "${out}" PARENT_SCOPE)
endfunction()

function(expect_error pattern)
  execute_process(COMMAND ${NABLA} ${ARGN} OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(rc EQUAL 0 OR NOT err MATCHES "${pattern}")
    message(FATAL_ERROR "nabla ${ARGN}: expected an error matching '${pattern}', got status ${rc}:\n${out}\n${err}")
  endif()
endfunction()

set(TRAIN train --model char_lstm --data.name text --data.dir ${TEXT} --data.fortunes --data.val_fraction 0.2
    --model.embedding_dim 16 --model.hidden_size 48 --model.num_layers 1 --model.dropout 0 --optimizer adam
    --lr 0.02 --weight-decay 0 --schedule constant --epochs 8 --batch-size 4 --seq-len 16 --clip-grad-norm 1
    --threads 1 --name lm)
run_nabla(train_out ${TRAIN} --out-dir ${WORK_DIR})
message("${train_out}")
# The loss per character starts near ln 28 = 3.3; the repeated lines must be learnt well below that.
string(REGEX MATCH "best validation loss ([0-9.]+)" _ "${train_out}")
if(NOT CMAKE_MATCH_1 OR CMAKE_MATCH_1 GREATER 1.5)
  message(FATAL_ERROR "validation loss '${CMAKE_MATCH_1}' is not below 1.5")
endif()
if(NOT train_out MATCHES "val loss [0-9.]+ \\([0-9.]+ bpc\\)")
  message(FATAL_ERROR "no per-epoch validation loss in bits per character")
endif()

# Resume is exact: 4 epochs, then --resume for the other 4 in a new process, gives the same files.
run_nabla(_ ${TRAIN} --out-dir ${WORK_DIR}/resumed --stop-after-epoch 4)
run_nabla(_ train --resume ${WORK_DIR}/resumed/lm/last.safetensors)
foreach(f last.safetensors best.safetensors)
  file(SHA256 ${WORK_DIR}/lm/${f} a)
  file(SHA256 ${WORK_DIR}/resumed/lm/${f} b)
  if(NOT a STREQUAL b)
    message(FATAL_ERROR "${f} differs between the straight and the resumed run")
  endif()
endforeach()

set(CKPT ${WORK_DIR}/lm/best.safetensors)
set(GEN generate ${CKPT} --prompt "the " --max-new-tokens 40 --temperature 0.8 --top-k 10 --top-p 0.95)
run_nabla(a ${GEN} --seed 7)
run_nabla(b ${GEN} --seed 7)
run_nabla(c ${GEN} --seed 7 --no-cache)
run_nabla(d ${GEN} --seed 8)
message("generated: ${a}")
string(LENGTH "${a}" len)
if(NOT a MATCHES "^the " OR NOT len EQUAL 45)  # prompt 4 + 40 new characters + newline
  message(FATAL_ERROR "generate printed '${a}' (${len} characters), expected the prompt and 40 more")
endif()
if(NOT a STREQUAL b OR NOT a STREQUAL c)
  message(FATAL_ERROR "the same seed gave different texts:\n${a}\n${b}\n${c} (no cache)")
endif()
if(a STREQUAL d)
  message(FATAL_ERROR "seeds 7 and 8 gave the same text: ${a}")
endif()
# Greedy decoding continues a line the model has seen many times.
run_nabla(g generate ${CKPT} --prompt "the quick brown " --max-new-tokens 12 --temperature 0)
if(NOT g MATCHES "^the quick brown fox jumps")
  message(FATAL_ERROR "greedy continuation '${g}' does not continue the learnt line")
endif()

expect_error("the prompt is empty" generate ${CKPT})
expect_error("character 'Z' \\(0x5a\\) at position 1 is not in the model's vocabulary" generate ${CKPT} --prompt "aZ")
expect_error("does not hold a language model" generate ${IMAGE_CKPT} --prompt "the ")
expect_error("holds a language model; use nabla generate" eval ${CKPT})

# A tiny GPT through the same command: random blocks, the sliding window of generate (16
# positions, 10 + 30 tokens), the cache against the full forward.
run_nabla(gpt_out train --model gpt --data.name text --data.dir ${TEXT} --data.fortunes --data.val_fraction 0.2
          --model.block_size 16 --model.n_layer 1 --model.n_head 2 --model.n_embd 32 --model.dropout 0
          --optimizer adamw --lr 0.01 --weight-decay 0 --schedule constant --epochs 10 --batch-size 8 --seq-len 16
          --clip-grad-norm 1 --threads 1 --out-dir ${WORK_DIR} --name gpt)
string(REGEX MATCH "best validation loss ([0-9.]+)" _ "${gpt_out}")
if(NOT CMAKE_MATCH_1 OR CMAKE_MATCH_1 GREATER 1.5)
  message(FATAL_ERROR "GPT validation loss '${CMAKE_MATCH_1}' is not below 1.5:\n${gpt_out}")
endif()
set(GPT_GEN generate ${WORK_DIR}/gpt/best.safetensors --prompt "the quick " --max-new-tokens 30 --temperature 0.7)
run_nabla(ga ${GPT_GEN} --seed 3)
run_nabla(gb ${GPT_GEN} --seed 3 --no-cache)
if(NOT ga STREQUAL gb)
  message(FATAL_ERROR "GPT: cache and full forward gave different texts:\n${ga}\n${gb}")
endif()
# `nabla export` of the GPT checkpoint: token ids (batch, sequence) to logits, any length up to 16
# (tests/onnx/gpt_test.cpp runs such graphs in ONNX Runtime); the LSTM has no ONNX form.
run_nabla(exported export ${WORK_DIR}/gpt/best.safetensors --format onnx --output ${WORK_DIR}/gpt.onnx)
if(NOT exported MATCHES "wrote .*gpt.onnx: gpt, input \\(batch, sequence\\) int64 token ids, sequence up to 16")
  message(FATAL_ERROR "nabla export of the GPT printed:\n${exported}")
endif()
expect_error("CharLSTM\\) has no ONNX form" export ${CKPT} --format onnx --output ${WORK_DIR}/lstm.onnx)
expect_error("train.seq_len 32 exceeds the model's context length 16" train --model gpt --data.name text
             --data.dir ${TEXT} --model.block_size 16 --seq-len 32 --out-dir ${WORK_DIR} --name gpt_bad)
