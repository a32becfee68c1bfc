#!/bin/bash
# A later device call on the warm machine that run.sh set up (BUDGET=0 BACKEND=webgpu: set-up
# only): trains on WebGPU a checkpoint carried in a git-ignored folder of its own, for one too
# large to pack with the rest (the DIM 64 mnist run's 39 MB):
#   here:     cp -r checkpoints/mnist-dim64 .ck64  (with /.ck64/ in .git/info/exclude)
#   run  command: CARRIED=.ck64 LEFT=540 TRAIN_FLAGS='...' bash scripts/device/train_carried.sh
#        carry: [".ck64"]
# CARRIED unset goes on with the checkpoint the previous call left. Trains LEFT seconds, then
# returns train.log and the checkpoint as ckpt.tar.part.* (cat ckpt.tar.part.* | tar xf -
# gives device/). TRAIN_FLAGS: the checkpoint's recipe (default: the DIM 64 mnist run's).
LEFT=${LEFT:-480}
CKPT=checkpoints/device
TRAIN_FLAGS=${TRAIN_FLAGS:---data mnist --loss wgan-gp --dim 64 --ema 0.999 --lr 4e-4 --steps 200000 --seed 0 --storage uint8}
source "$(dirname "$0")/gpu_env.sh"
[ -x /tmp/bin/node ] && [ -f "$WEBGPU_NODE" ] || { echo "train_carried.sh: this machine is not set up: run run.sh with BUDGET=0 first" >&2; exit 1; }
if [ -n "${CARRIED:-}" ]; then rm -rf "$CKPT" && mkdir -p checkpoints && cp -r "$CARRIED" "$CKPT"; fi
timeout -s INT "$LEFT" node --import ./scripts/device/device_setup.mjs dist/cli.cjs train $TRAIN_FLAGS \
  --out "$CKPT" --threads 8 --backend webgpu --resume > "$OUT/train.log" 2>&1
echo "train rc $?"
tail -n 3 "$OUT/train.log"
tar cf - -C checkpoints device | split -b 15M - "$OUT/ckpt.tar.part."
