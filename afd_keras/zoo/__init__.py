"""Loading published robust models from their cards in `zoo/`.

Empty until the zoo issue; the module exists now so the package layout shows
the architecture.
"""
