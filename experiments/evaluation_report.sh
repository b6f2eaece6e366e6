#!/usr/bin/env bash
# The evaluation issue's acceptance run on the MNIST models of
# experiments/variants.sh (eps = 0.3, first N test images, archive order):
#   1. fgsm_rs and afd_none under PGD-40 (the trade-off plot's baselines);
#   2. the condition sweep of afd_interpolate_conditional, with the plot;
#   3. afd_none under aa_lite (APGD-CE + APGD-DLR + Square);
#   4. our PGD-20 and APGD-20 against cleverhans and ART on afd_none and fgsm_rs.
# Every report carries its sanity checks. Usage:
#   experiments/evaluation_report.sh RUNS_DIR [N]   e.g. runs/mnist_variants 1000
set -euo pipefail
cd "$(dirname "$0")/.."
runs=$1 n=${2:-1000}
data_dir=${AFD_DATA_DIR:-../shared/data}
common=(--dataset=mnist --source=local --data_dir="$data_dir" --epsilon=0.3
        --num_examples="$n")
pgd40="pgd:num_steps=40,step_size=0.01"
for run in fgsm_rs afd_none; do
  .venv/bin/afd-evaluate --model="$runs/$run" "${common[@]}" --attacks="$pgd40" \
    --output_dir="$runs/$run/eval_tradeoff_$n"
done
.venv/bin/afd-evaluate --model="$runs/afd_interpolate_conditional" "${common[@]}" \
  --attacks="$pgd40" --conditions=0,0.25,0.5,0.75,1 \
  --baselines="fgsm_rs=$runs/fgsm_rs/eval_tradeoff_$n,afd (no dial)=$runs/afd_none/eval_tradeoff_$n" \
  --output_dir="$runs/afd_interpolate_conditional/eval_tradeoff_$n"
.venv/bin/afd-evaluate --model="$runs/afd_none" "${common[@]}" \
  --attacks="$pgd40,aa_lite" --output_dir="$runs/afd_none/eval_aa_lite_$n"
for run in afd_none fgsm_rs; do
  echo "attack throughput on $run:"
  .venv/bin/afd-benchmark --benchmarks=attacks --model="$runs/$run" \
    --dataset=mnist --source=local --data_dir="$data_dir" --num_examples="$n" \
    --epsilon=0.3 | tee "$runs/$run/attack_benchmark_$n.md"
done
