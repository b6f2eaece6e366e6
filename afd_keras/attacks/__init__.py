"""Adversarial attacks on Keras models that map [0, 1] images to logits."""

from afd_keras.attacks.apgd import apgd
from afd_keras.attacks.apgd import apgd_t
from afd_keras.attacks.fab import fab_t
from afd_keras.attacks.fgsm import fgsm
from afd_keras.attacks.norms import NORMS
from afd_keras.attacks.pgd import pgd
from afd_keras.attacks.square import square
