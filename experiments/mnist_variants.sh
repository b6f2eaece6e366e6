#!/usr/bin/env bash
# Exploration: AFD variants against fgsm_rs on MNIST, eps 0.3, at an equal
# budget (same epochs, schedule and seed). Each run trains with afd-train
# (resumable: re-run this script to continue) and is evaluated with
# afd-evaluate on the first 2,000 test images (archive order) under FGSM
# and PGD-40 (step 0.01, random start).
#
# Usage: experiments/mnist_variants.sh [OUT_DIR] [EPOCHS] [VARIANT ...]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/mnist_variants}
epochs=${2:-5}
shift $(( $# > 2 ? 2 : $# ))
data_dir=${AFD_DATA_DIR:-../shared/data}
common=(--dataset=mnist --data_dir="$data_dir" --epsilon=0.3 --epochs="$epochs"
        --optimizer=adam --learning_rate=5e-3 --schedule=cyclic --seed=0)
declare -A variants=(
  [fgsm_rs]="--method=fgsm_rs"
  [afd_none]="--method=afd --mixing=none"
  [afd_interpolate]="--method=afd --mixing=interpolate"
  [afd_interpolate_conditional]="--method=afd --mixing=interpolate --conditional"
  [afd_mixup]="--method=afd --mixing=mixup"
)
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(fgsm_rs afd_none afd_interpolate afd_interpolate_conditional afd_mixup)
for name in "${names[@]}"; do
  # shellcheck disable=SC2086
  .venv/bin/afd-train "${common[@]}" ${variants[$name]} --model_dir="$out/$name"
  .venv/bin/afd-evaluate --model="$out/$name" --dataset=mnist --source=local \
    --data_dir="$data_dir" --num_examples=2000 --epsilon=0.3 \
    --attacks="fgsm,pgd:num_steps=40;step_size=0.01" --output_dir="$out/$name"
done
