#!/usr/bin/env bash
# AFD variants (and the ablation) against fgsm_rs at an equal budget: same
# epochs, schedule and seed. Each run trains with afd-train (resumable:
# re-run this script to continue) and is evaluated with afd-evaluate on the
# first 2,000 test images (archive order) under FGSM and PGD-40 (step 0.01,
# random start). fgsm_rs doubles as the "sign init off" ablation of AFD
# (uniform init, same step, no mixing); afd_alpha_R tunes alpha = R * eps.
#
# Usage: experiments/variants.sh DATASET EPSILON OUT_DIR EPOCHS [VARIANT ...]
#   e.g. experiments/variants.sh mnist 0.3 runs/mnist_variants 5
set -euo pipefail
cd "$(dirname "$0")/.."
dataset=$1 epsilon=$2 out=$3 epochs=$4
shift 4
data_dir=${AFD_DATA_DIR:-../shared/data}
ratio() { python3 -c "print($1 * $epsilon)"; }  # step size alpha = ratio * eps
common=(--dataset="$dataset" --data_dir="$data_dir" --epsilon="$epsilon" --epochs="$epochs"
        --optimizer=adam --learning_rate=5e-3 --schedule=cyclic --seed=0)
declare -A variants=(
  [fgsm_rs]="--method=fgsm_rs"
  [afd_none]="--method=afd --mixing=none"
  [afd_interpolate]="--method=afd --mixing=interpolate --full_strength_share=0"
  [afd_interpolate_conditional]="--method=afd --mixing=interpolate --conditional --full_strength_share=0"
  [afd_interpolate_conditional_full50]="--method=afd --mixing=interpolate --conditional --full_strength_share=0.5"
  [afd_mixup]="--method=afd --mixing=mixup"
  [afd_mixup_input]="--method=afd --mixing=mixup_input"
  [afd_zero_init]="--method=afd --init=zero"
  [afd_alpha_1.0]="--method=afd --step_size=$(ratio 1.0)"
  [afd_alpha_1.5]="--method=afd --step_size=$(ratio 1.5)"
)
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(fgsm_rs afd_none afd_interpolate afd_interpolate_conditional afd_mixup)
for name in "${names[@]}"; do
  # shellcheck disable=SC2086
  .venv/bin/afd-train "${common[@]}" ${variants[$name]} --model_dir="$out/$name"
  .venv/bin/afd-evaluate --model="$out/$name" --dataset="$dataset" --source=local \
    --data_dir="$data_dir" --num_examples=2000 --epsilon="$epsilon" \
    --attacks="fgsm,pgd:num_steps=40,step_size=0.01" --output_dir="$out/$name"
done
