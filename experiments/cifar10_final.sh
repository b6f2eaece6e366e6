#!/usr/bin/env bash
# The CIFAR-10 comparison's final runs (issue 22): each job trains a zoo
# recipe on all 50,000 training images with one seed, then publishes it
# into the repo's zoo (test split: clean and PGD-40 on 10,000, AA-lite and
# AutoAttack on the first 1,000, the condition sweep for a dial model), at
# the threat model's eps = 8/255 whatever the recipe trains at. Re-running
# resumes both: afd-train continues a run, afd-publish keeps the pieces of
# the evaluation it finished.
#
#   experiments/cifar10_final.sh RUN_ROOT RECIPE[@VERSION]:SEED[:NAME] ...
#
# e.g. experiments/cifar10_final.sh /work/runs/final cifar10_n_fgsm:0
# Seed 0 takes the card name (NAME, else <net>_cifar10_<method>_linf8_255);
# other seeds add _seed<N>. A second model of one method needs its NAME.
# PUBLISH_FLAGS adds afd-publish flags to every job, e.g. --sweep_attacks=
# (no APGD sweep) for a conditional model trained at full strength only.
set -euo pipefail
root=${1:?usage: $0 RUN_ROOT RECIPE[@VERSION]:SEED ...}
shift
bin=${AFD_BIN:-.venv/bin}
data_dir=${AFD_DATA_DIR:-../shared/data}
eps=0.03137254901960784  # 8/255

for job in "$@"; do
  IFS=: read -r recipe seed given_name <<< "$job"
  [[ -n $recipe && $seed =~ ^[0-9]+$ ]] || {
    echo "A job is RECIPE[@VERSION]:SEED[:NAME]. Received: $job" >&2; exit 2; }
  run="$root/${recipe/@/_v}_seed$seed"
  "$bin/afd-train" --recipe="$recipe" --seed="$seed" --data_dir="$data_dir" \
    --model_dir="$run"
  name=$("$bin/python" -c "import sys
from afd_keras.training import run_folder
from afd_keras.zoo import publishing
_, config = run_folder.read_run(sys.argv[1])
name = sys.argv[4] or publishing.default_name(config, float(sys.argv[2]))
print(name if sys.argv[3] == '0' else f'{name}_seed{sys.argv[3]}')" \
    "$run" "$eps" "$seed" "${given_name:-}")
  # shellcheck disable=SC2086
  "$bin/afd-publish" --run="$run" --name="$name" --epsilon=$eps ${PUBLISH_FLAGS:-} \
    --zoo_dir=zoo --data_dir="$data_dir" --overwrite
done
