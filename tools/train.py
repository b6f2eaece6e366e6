"""Trains a robust classifier with AFD or a baseline; resumable.

Re-running the same command continues from the last completed epoch in
--model_dir, with the batches an uninterrupted run would see. Writes
checkpoints/, log.csv, tensorboard/ (when installed), classifier.keras and
summary.json. --batch_size is the global batch over all replicas.

Examples:
    # A zoo model's recipe (afd_keras/recipes/), here with a second seed:
    afd-train --recipe=cifar10_fgsm_rs --seed=1 --model_dir=runs/cifar_fgsm_seed1
    # MNIST, AFD, eps 0.3:
    afd-train --dataset=mnist --method=afd --epsilon=0.3 --model_dir=runs/mnist_afd
    # CIFAR-10, the fast ResNet-9, FGSM with random init, eps 8/255,
    # cyclic learning rate (Wong et al. 2020); bfloat16 pays only on a CPU
    # with native bf16 (AVX-512 BF16, AMX) or an accelerator:
    afd-train --dataset=cifar10 --data_dir=../shared/data --architecture=resnet9 \
        --method=fgsm_rs --epsilon=0.03137 --optimizer=sgd --learning_rate=0.2 \
        --schedule=cyclic --weight_decay=5e-4 --epochs=15 \
        --precision=mixed_bfloat16 --model_dir=runs/cifar_fgsm
"""

from absl import flags

from afd_keras import cli
from afd_keras.training import recipes
from afd_keras.training import run as run_lib
from afd_keras.training import run_folder

# One flag per field of TrainConfig: its name, default, choices and help.
# With --recipe, only the flags given override the recipe's settings.
_SETTINGS = cli.define_flags(run_folder.TrainConfig)


def main(argv):
    del argv
    config = recipes.train_config(
        **cli.given_flags(run_folder.TrainConfig, _SETTINGS))
    summary = run_lib.train(config)
    split = "validation" if config.validation else "test"
    print(f"clean {split} accuracy "
          f"{100 * summary[f'clean_{split}_accuracy']:.2f}%, "
          f"{summary['train_seconds']:.0f} s of training, "
          f"{summary['images_per_second']:.0f} images/s; "
          f"summary in {summary['output_dir']}/{run_folder.SUMMARY_FILE}")


def run():
    flags.mark_flags_as_required(["model_dir"])
    cli.run(main)


if __name__ == "__main__":
    run()
