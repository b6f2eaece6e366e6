"""Custom Keras layers (the conditional scaling layer of AFD goes here).

Empty until the AFD training issue adds `ConditionalScaling`; the module
exists now so the package layout shows the architecture.
"""
