#!/usr/bin/env bash
# Evaluates finished runs on the first N test images (archive order) under
# FGSM and PGD-40 (step 0.01, random start); writes <run>/eval_<N>/.
#
# Usage: experiments/evaluate_runs.sh DATASET EPSILON N RUN_DIR [RUN_DIR ...]
set -euo pipefail
cd "$(dirname "$0")/.."
dataset=$1 epsilon=$2 num_examples=$3
shift 3
for run in "$@"; do
  .venv/bin/afd-evaluate --model="$run" --dataset="$dataset" --source=local \
    --data_dir="${AFD_DATA_DIR:-../shared/data}" --num_examples="$num_examples" \
    --epsilon="$epsilon" --attacks="fgsm,pgd:num_steps=40,step_size=0.01" \
    --output_dir="$run/eval_$num_examples"
done
