#!/usr/bin/env python3
"""Writes a small ONNX model whose recurrent nodes read sequence_lens, for nabla's import test.

  python3 tools/onnx/recurrent_lengths_model.py OUT.onnx

Inputs: X (T, N, 4) float32, lengths (N) int64 (cast to int32 in the graph), h0 (2, N, 5) and
c0 (2, N, 5) float32. Nodes: a bidirectional LSTM with initial_h/initial_c, a reverse GRU
(linear_before_reset 1) and a forward RNN (Tanh), all with sequence_lens; their outputs Y, Y_h
(and Y_c) flattened and concatenated into the one output "output", so that a single ONNX Runtime
run checks every one. Weights are drawn from a fixed seed with numpy; needs python3-onnx.
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

I, H = 4, 5


def weights(rng, name, d, g):
    """W, R, B initializers of a node with d directions and g gates."""
    return [
        numpy_helper.from_array(rng.normal(0, 0.5, (d, g * H, I)).astype(np.float32), name + "_W"),
        numpy_helper.from_array(rng.normal(0, 0.5, (d, g * H, H)).astype(np.float32), name + "_R"),
        numpy_helper.from_array(rng.normal(0, 0.3, (d, 2 * g * H)).astype(np.float32), name + "_B"),
    ]


def main(out):
    rng = np.random.default_rng(7)
    inits = weights(rng, "lstm", 2, 4) + weights(rng, "gru", 1, 3) + weights(rng, "rnn", 1, 1)
    flat = numpy_helper.from_array(np.array([-1], dtype=np.int64), "flat")
    inits.append(flat)
    nodes = [
        helper.make_node("Cast", ["lengths"], ["lens32"], to=TensorProto.INT32),
        helper.make_node("LSTM", ["X", "lstm_W", "lstm_R", "lstm_B", "lens32", "h0", "c0"],
                         ["lstm_Y", "lstm_Yh", "lstm_Yc"], hidden_size=H, direction="bidirectional"),
        helper.make_node("Slice", ["h0", "zero", "one", "zero"], ["gru_h0"]),
        helper.make_node("GRU", ["X", "gru_W", "gru_R", "gru_B", "lens32", "gru_h0"], ["gru_Y", "gru_Yh"],
                         hidden_size=H, direction="reverse", linear_before_reset=1),
        helper.make_node("RNN", ["X", "rnn_W", "rnn_R", "rnn_B", "lens32"], ["rnn_Y", "rnn_Yh"], hidden_size=H),
    ]
    inits += [numpy_helper.from_array(np.array([0], dtype=np.int64), "zero"),
              numpy_helper.from_array(np.array([1], dtype=np.int64), "one")]
    parts = ["lstm_Y", "lstm_Yh", "lstm_Yc", "gru_Y", "gru_Yh", "rnn_Y", "rnn_Yh"]
    for p in parts:
        nodes.append(helper.make_node("Reshape", [p, "flat"], [p + "_flat"]))
    nodes.append(helper.make_node("Concat", [p + "_flat" for p in parts], ["output"], axis=0))
    graph = helper.make_graph(
        nodes, "recurrent_lengths",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["T", "N", I]),
         helper.make_tensor_value_info("lengths", TensorProto.INT64, ["N"]),
         helper.make_tensor_value_info("h0", TensorProto.FLOAT, [2, "N", H]),
         helper.make_tensor_value_info("c0", TensorProto.FLOAT, [2, "N", H])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["size"])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, out)


if __name__ == "__main__":
    main(sys.argv[1])
