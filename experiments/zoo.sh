#!/usr/bin/env bash
# Trains the zoo's runs with afd-train, then publishes them with afd-publish.
# Every setting of a published model is here, and its card repeats the exact
# commands. Re-running resumes unfinished runs and skips finished ones.
# Precision: MNIST and CIFAR-10 train in mixed_bfloat16 on a CPU with
# native bf16 (AVX-512 BF16), where it was 1.4-1.6x faster at no loss of
# robust accuracy. On a CPU without it (AVX2 only) bf16 is about 10x
# *slower*; Fashion-MNIST was trained in float32 on such a machine
# (WORKSPACE_NOTES.md, "Performance"). Each card repeats its precision.
#
# Usage: experiments/zoo.sh train|publish RUNS_DIR DATASET [METHOD ...]
#   e.g. experiments/zoo.sh train runs/zoo mnist
#        experiments/zoo.sh publish runs/zoo mnist afd
set -euo pipefail
cd "$(dirname "$0")/.."
phase=$1 runs=$2 dataset=$3
shift 3
data_dir=${AFD_DATA_DIR:-../shared/data}
methods=("$@")
[ ${#methods[@]} -gt 0 ] || methods=(standard fgsm_rs afd pgd trades)

case "$dataset" in
  mnist|fashion_mnist)
    # Adam with a one-cycle LR: the setting of the MNIST exploration.
    [ "$dataset" = mnist ] && epsilon=0.3 || epsilon=0.1
    common=(--architecture=small_cnn --epsilon="$epsilon" --epochs=5
            --optimizer=adam --learning_rate=5e-3 --schedule=cyclic
            --batch_size=128 --seed=0)
    [ "$dataset" = mnist ] && common+=(--precision=mixed_bfloat16) \
      || common+=(--precision=float32) ;;
  cifar10)
    # The fast-AT recipe of Wong et al. 2020 (SGD, one cycle to 0.2,
    # weight decay 5e-4) on the fast CIFAR network.
    epsilon=0.03137254901960784  # 8/255
    common=(--architecture=resnet9 --epsilon="$epsilon" --epochs=15
            --optimizer=sgd --learning_rate=0.2 --momentum=0.9
            --weight_decay=5e-4 --schedule=cyclic --batch_size=128
            --precision=mixed_bfloat16 --seed=0) ;;
  *) echo "unknown dataset: $dataset (expected mnist, fashion_mnist or cifar10)" >&2; exit 2 ;;
esac

if [ "$phase" = train ] && [[ " ${common[*]} " == *mixed_bfloat16* ]] \
    && ! grep -qw -e avx512_bf16 -e amx_bf16 /proc/cpuinfo 2>/dev/null; then
  echo "warning: this CPU has no native bf16 (avx512_bf16 or amx_bf16);" \
       "mixed_bfloat16 training will be about 10x slower than float32" >&2
fi

for method in "${methods[@]}"; do
  extra=(--method="$method")
  # AFD is published with its condition dial (conditional scaling).
  [ "$method" = afd ] && extra+=(--conditional)
  run="$runs/${dataset}_$method"
  case "$phase" in
    train)
      start=$(date +%s)
      .venv/bin/afd-train --dataset="$dataset" --data_dir="$data_dir" \
        "${common[@]}" "${extra[@]}" --model_dir="$run"
      echo "$run: afd-train returned after $(( $(date +%s) - start )) s" ;;
    publish)
      .venv/bin/afd-publish --run="$run" --data_dir="$data_dir" \
        --zoo_dir=zoo ${PUBLISH_ARGS:-} ;;
    *) echo "unknown phase: $phase (expected train or publish)" >&2; exit 2 ;;
  esac
done
