#!/usr/bin/env node
// Runs an ONNX model in ONNX Runtime (npm package onnxruntime-node, CPU) on one or several .npy
// inputs and writes the first output as .npy. Used by nabla's tests to check exported models
// against a runtime that is not nabla's own.
//   node tools/onnx/ort_run.js MODEL.onnx INPUT.npy OUTPUT.npy
//   node tools/onnx/ort_run.js MODEL.onnx NAME=INPUT.npy [NAME=INPUT.npy …] OUTPUT.npy
// A bare INPUT.npy feeds the graph's input of its position; NAME=INPUT.npy feeds the input NAME.
// The package is looked up in $NABLA_ORT_DIR/node_modules (tools/onnx/install_ort.sh puts it in
// build/onnxruntime), then by node's usual resolution. Input: float32 or int64 little-endian C-order
// .npy (version 1.0 or 2.0). Exit status 0 on success, 1 with a message naming the file otherwise.
'use strict';
const fs = require('fs');
const path = require('path');

function loadOrt() {
  const dir = process.env.NABLA_ORT_DIR;
  if (dir) return require(path.join(path.resolve(dir), 'node_modules', 'onnxruntime-node'));
  return require('onnxruntime-node');
}

const DTYPES = { '<f4': ['float32', Float32Array], '<i8': ['int64', BigInt64Array] };

function readNpy(file) {
  const buf = fs.readFileSync(file);
  if (buf.length < 10 || buf.toString('latin1', 1, 6) !== 'NUMPY') throw new Error(`${file}: not a .npy file`);
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = (major === 1 ? 10 : 12) + headerLen;
  const header = buf.toString('latin1', major === 1 ? 10 : 12, start);
  const descr = /'descr':\s*'([^']+)'/.exec(header);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (!descr || !shape || /'fortran_order':\s*True/.test(header)) {
    throw new Error(`${file}: unsupported header ${header}`);
  }
  const kind = DTYPES[descr[1]];
  if (!kind) throw new Error(`${file}: dtype ${descr[1]} (float32 '<f4' or int64 '<i8' expected)`);
  const dims = shape[1].split(',').map((s) => s.trim()).filter((s) => s.length).map(Number);
  const count = dims.reduce((a, b) => a * b, 1);
  const bytes = buf.subarray(start, start + count * kind[1].BYTES_PER_ELEMENT);
  if (bytes.length !== count * kind[1].BYTES_PER_ELEMENT) throw new Error(`${file}: truncated data`);
  const data = new kind[1](count);
  new Uint8Array(data.buffer).set(bytes);
  return { type: kind[0], data, dims };
}

function writeNpy(file, tensor) {
  if (tensor.type !== 'float32') throw new Error(`output of type ${tensor.type} (float32 expected)`);
  const shape = tensor.dims.length === 1 ? `(${tensor.dims[0]},)` : `(${tensor.dims.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header = header + ' '.repeat(pad % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  const data = Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  fs.writeFileSync(file, Buffer.concat([head, Buffer.from(header, 'latin1'), data]));
}

async function main() {
  const args = process.argv.slice(2);
  if (args.length < 3) throw new Error('usage: node ort_run.js MODEL.onnx [NAME=]INPUT.npy … OUTPUT.npy');
  const model = args[0], output = args[args.length - 1], inputs = args.slice(1, -1);
  const ort = loadOrt();
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const feeds = {};
  inputs.forEach((arg, i) => {
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : session.inputNames[i];
    if (name === undefined) throw new Error(`${model} has ${session.inputNames.length} inputs, got more`);
    const x = readNpy(eq > 0 ? arg.slice(eq + 1) : arg);
    feeds[name] = new ort.Tensor(x.type, x.data, x.dims);
  });
  const result = await session.run(feeds);
  writeNpy(output, result[session.outputNames[0]]);
}

main().catch((e) => {
  console.error(`ort_run.js: ${e.message}`);
  process.exit(1);
});
